// Reading the client's strategies: "queue", "pacing", "cache" and "priority" of CLIENT (see
// data/README.md, "Strategies").
#include "scenario_sections.hpp"

namespace llmsim::scenario_detail {

namespace {

// The prompt table holds one double per prompt; a million (8 MB) is past any flat Zipf tail.
constexpr std::int64_t kMaxDistinctPrompts = 1'000'000;
// The rate limiter's own bound on a limit (models/rate_limiter.hpp).
constexpr std::int64_t kMaxLimit = 1'000'000'000'000'000;

const std::vector<std::string_view> kQueueKeys = {"max_length", "max_wait_s"};
const std::vector<std::string_view> kPacingKeys = {"requests_per_minute", "tokens_per_minute",
                                                   "learn_from_headers"};
const std::vector<std::string_view> kCacheKeys = {"hit_ratio", "distinct_prompts", "zipf_exponent",
                                                  "ttl_s",     "capacity",         "latency_s"};
const std::vector<std::string_view> kKeyedCacheKeys = {"distinct_prompts", "zipf_exponent", "ttl_s",
                                                       "capacity"};

std::optional<QueueConfig> read_queue(const ObjectReader& client) {
  const ObjectReader queue = client.object("queue", kQueueKeys);
  if (!queue.is_object()) return std::nullopt;
  QueueConfig out;
  if (queue.require("max_length")) {
    assign(out.max_length, queue.integer("max_length", IntRule::int_at_least(0)));
  }
  assign(out.max_wait_s, queue.number("max_wait_s", NumberRule::above(0.0)));
  return out;
}

std::optional<PacingConfig> read_pacing(const ObjectReader& client) {
  const ObjectReader pacing = client.object("pacing", kPacingKeys);
  if (!pacing.is_object()) return std::nullopt;
  PacingConfig out;
  const IntRule limit_rule{1, kMaxLimit};
  out.requests_per_minute = pacing.integer("requests_per_minute", limit_rule);
  out.tokens_per_minute = pacing.integer("tokens_per_minute", limit_rule);
  if (!pacing.has("requests_per_minute") && !pacing.has("tokens_per_minute")) {
    pacing.problems().add(pacing.pointer(),
                          "needs \"requests_per_minute\" or \"tokens_per_minute\", got neither");
  }
  assign(out.learn_from_headers, pacing.boolean("learn_from_headers"));
  return out;
}

std::optional<CacheConfig> read_cache(const ObjectReader& client) {
  const ObjectReader cache = client.object("cache", kCacheKeys);
  if (!cache.is_object()) return std::nullopt;
  CacheConfig out;
  read_distribution_field(cache, "latency_s", out.latency_s, true);
  if (cache.has("hit_ratio")) {
    out.hit_ratio = cache.number("hit_ratio", NumberRule::probability());
    // Keep the mode even when the ratio itself was wrong, so that the keyed fields are refused.
    if (!out.hit_ratio) out.hit_ratio = 0.0;
    for (std::string_view key : kKeyedCacheKeys) {
      if (cache.has(key)) {
        cache.problems().add_got(cache.pointer_of(key), "must not be given with \"hit_ratio\"",
                                 *cache.get(key));
      }
    }
    return out;
  }
  if (!cache.has("distinct_prompts")) {
    cache.problems().add(cache.pointer(),
                         "needs \"hit_ratio\" or \"distinct_prompts\", got neither");
  }
  assign(out.distinct_prompts, cache.integer("distinct_prompts", IntRule{1, kMaxDistinctPrompts}));
  assign(out.zipf_exponent, cache.number("zipf_exponent", NumberRule::at_least(0.0)));
  assign(out.ttl_s, cache.number("ttl_s", NumberRule::above(0.0)));
  assign(out.capacity, cache.integer("capacity", IntRule::at_least(0)));
  return out;
}

std::optional<PriorityConfig> read_priority(const ObjectReader& client) {
  const ObjectReader priority = client.object("priority", {"vip_share"});
  if (!priority.is_object()) return std::nullopt;
  PriorityConfig out;
  if (priority.require("vip_share")) {
    assign(out.vip_share, priority.number("vip_share", NumberRule::probability()));
  }
  return out;
}

}  // namespace

void read_strategies(const ObjectReader& client, ClientConfig& out) {
  out.queue = read_queue(client);
  out.pacing = read_pacing(client);
  out.cache = read_cache(client);
  out.priority = read_priority(client);
}

}  // namespace llmsim::scenario_detail
