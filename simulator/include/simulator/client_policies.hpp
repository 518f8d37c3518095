// The client's strategies (scenario "client": queue, pacing, cache, priority, routing) as small
// policies the client model consults; each is pure state driven by the times and outcomes the
// model passes in, so the discrete-event and the real-socket drivers get the same behaviour.
//
// - WaitingLine: attempts waiting for capacity (a connection, and a pacing slot), VIP first and
//   first come, first served within a class. Without any strategy it is the pool's plain FIFO.
// - ClientPacer: the provider's bucket model (GCRA, models/rate_limiter.hpp) run by the client at
//   the pacing RPM/TPM; an attempt leaves the line only when the bucket holds its cost. It can
//   learn from the x-ratelimit-* values responses report: a lower limit, and the remaining count.
// - ResponseCache: a hit ratio, or prompts of Zipf popularity kept with a TTL in an LRU of a given
//   capacity; hits are answered locally after their own latency.
// - priority_class_of: a user's class, drawn once per user from the stream (seed, "vip", user).
// - ClientRouter: where each attempt goes (client.routing, client.local_fallback): the provider
//   of a round, the key, the next provider after a failure (failover), and whether the local
//   model takes a refused request; it counts the attempts in flight per provider and key.
//
//   WaitingLine line;
//   line.push(PriorityClass::vip, slot, now);
//   if (auto wait = pacer.try_send(now, tokens)) ... else slot = line.pop();
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <list>
#include <memory_resource>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/metrics.hpp"
#include "models/rate_limiter.hpp"
#include "models/scenario_config.hpp"
#include "models/time.hpp"

namespace llmsim {

enum class PriorityClass : std::uint8_t { vip = 0, standard = 1 };
inline constexpr std::size_t kPriorityClassCount = 2;

// Returns "vip" or "standard".
const char* class_name(PriorityClass priority);

// Returns the class of user `user_id`: VIP with probability `config.vip_share` (one draw from the
// stream (seed, "vip", user_id)); every user is standard without a priority config.
PriorityClass priority_class_of(const std::optional<PriorityConfig>& config, std::uint64_t seed,
                                std::uint64_t user_id);

// Attempts waiting in the client, by class; each remembers since when it waits. A slot is the
// client model's (a request, or a user whose request has no slot yet); 16 bytes an entry.
class WaitingLine {
 public:
  struct Entry {
    std::uint32_t slot;
    TimePoint since;
  };

  // Takes the blocks of the lines from `memory` (the client model's pool on its HugePageArena).
  explicit WaitingLine(std::pmr::memory_resource* memory = std::pmr::get_default_resource())
      : lines_{std::pmr::deque<Entry>(memory), std::pmr::deque<Entry>(memory)} {}

  // Appends `slot` to its class's line.
  void push(PriorityClass priority, std::uint32_t slot, TimePoint since);

  bool empty() const { return size() == 0; }
  std::size_t size() const { return lines_[0].size() + lines_[1].size(); }

  // Removes and returns the next to go: the longest-waiting VIP, else the longest-waiting other.
  Entry pop();

  // Returns since when the longest-waiting entry of any class waits (nullopt when empty).
  std::optional<TimePoint> oldest_since() const;

  // Removes and returns the longest-waiting entry of any class (a VIP on a tie).
  Entry pop_oldest();

  // Removes and returns the newest entry of a class (nullopt when that class has none).
  std::optional<Entry> pop_newest(PriorityClass priority);

 private:
  std::array<std::pmr::deque<Entry>, kPriorityClassCount> lines_;
};

// The client's own rate limiter (client.pacing).
class ClientPacer {
 public:
  explicit ClientPacer(const PacingConfig& config);

  // Takes a slot for an attempt costing `tokens` at `now` and returns nullopt when the bucket
  // holds it; otherwise takes nothing and returns how long until it will (always > 0). A cost
  // above the bucket's capacity is let through: no wait helps, the provider will refuse it.
  std::optional<Duration> try_send(TimePoint now, std::int64_t tokens);

  // With learn_from_headers: adopts the provider's x-ratelimit-limit-* when it is lower than the
  // client's own (or the client has none for that unit), starting that bucket afresh, then lowers
  // each bucket to the remaining count reported (never raises it: the report is as old as the
  // round trip). No effect otherwise.
  void learn(TimePoint now, const RateLimitHeaders& seen);

  // Returns the limits the pacer holds to now.
  const RateLimits& limits() const { return limiter_.limits(); }

 private:
  PacingConfig config_;
  RateLimiter limiter_;
};

// The client's response cache (client.cache).
class ResponseCache {
 public:
  ResponseCache(const CacheConfig& config, std::uint64_t seed);

  struct Lookup {
    bool is_hit = false;
    std::uint64_t prompt = 0;  // keyed mode: which prompt the request asks (0-based rank)
  };

  // Looks request `request_id` up at `now`: in ratio mode a hit with probability hit_ratio
  // (stream (seed, "cache", request)); in keyed mode its prompt is drawn by Zipf popularity
  // (stream (seed, "prompt", request)) and hits when stored less than ttl_s ago.
  Lookup lookup(std::uint64_t request_id, TimePoint now);

  // Stores the answer to `prompt` received at `now` (keyed mode only), evicting the least
  // recently used entry beyond the capacity.
  void store(std::uint64_t prompt, TimePoint now);

  // Returns how long a hit of request `request_id` takes to answer (stream (seed, "cache_latency",
  // request)).
  Duration hit_latency(std::uint64_t request_id) const;

 private:
  CacheConfig config_;
  std::uint64_t seed_;
  std::vector<double> zipf_cdf_;  // keyed mode: cumulative popularity of ranks 1..N, last = 1
  struct Entry {
    std::list<std::uint64_t>::iterator position;  // in lru_
    TimePoint stored;
  };
  std::list<std::uint64_t> lru_;  // most recently used first
  // Looked up by key only, never iterated, so its order cannot reach a report.
  std::unordered_map<std::uint64_t, Entry> entries_;
};

// Where the client sends each attempt (client.routing, client.local_fallback; data/README.md,
// "ROUTING", "LOCAL_FALLBACK"). Providers are indices into the scenario's providers, keys indices
// into a provider's api_keys (0 for a provider without keys). A round is the first attempt of a
// request or of an SDK retry, and the failover hops that follow it.
class ClientRouter {
 public:
  explicit ClientRouter(const Scenario& scenario);

  // Returns whether attempts are routed and counted per route (has_routing(scenario)); without
  // routing every attempt goes to the first provider with the request's default key.
  bool is_active() const { return is_active_; }

  // Returns the provider of a round's first attempt: the first (first, failover), the next in
  // turn (round_robin), or the one with the fewest attempts in flight (least_loaded, the first on
  // a tie).
  std::uint32_t choose_provider();

  // Chooses the key of an attempt to `provider` by client.routing.key_choice, counts the attempt
  // in flight there and returns the key.
  std::uint32_t send(std::uint32_t provider);

  // Takes a finished attempt (to `provider` with `key`) out of flight.
  void finish(std::uint32_t provider, std::uint32_t key);

  // Returns the provider a failed attempt to `provider` hops to at once, having tried `tried`
  // providers this round: the next one, when the failure is a failover trigger, the choice is not
  // "first" and some provider is still untried; else nullopt (client.retry decides).
  std::optional<std::uint32_t> failover(std::uint32_t provider, std::uint32_t tried,
                                        std::optional<ErrorCategory> error) const;

  // Returns whether the local model takes a request whose attempt failed with `error` (one of
  // its triggers, and a free slot of its concurrency), counting it in when it does.
  bool take_local(std::optional<ErrorCategory> error);

  // Frees the local model's slot of a request it has served.
  void finish_local() { --local_in_flight_; }

  // What the local model answers request `request_id` after `provider_calls` attempts sent:
  // completion tokens (capped by `max_tokens`) and the time to the whole answer. Drawn from the
  // streams (seed, "local_tokens" / "local_ttft" / "local_per_token", request, provider_calls).
  struct LocalAnswer {
    std::int64_t completion_tokens = 0;
    Duration total{0};
  };
  LocalAnswer local_answer(std::uint64_t request_id, int provider_calls,
                           std::optional<std::int64_t> max_tokens) const;

 private:
  RoutingConfig routing_;
  std::optional<LocalFallbackConfig> local_;
  Distribution default_completion_tokens_;  // the first provider's, for the local model
  std::uint64_t seed_;
  bool is_active_ = false;
  std::vector<std::vector<int>> key_in_flight_;  // attempts in flight per provider and key
  std::vector<int> provider_in_flight_;
  std::vector<std::uint32_t> next_key_;          // round_robin key counters per provider
  std::uint32_t next_provider_ = 0;              // round_robin provider counter
  int local_in_flight_ = 0;
};

}  // namespace llmsim
