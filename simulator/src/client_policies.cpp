// The client's strategies. See client_policies.hpp.
#include "simulator/client_policies.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string_view>

#include "models/random.hpp"
#include "models/token_model.hpp"

namespace llmsim {

const char* class_name(PriorityClass priority) {
  return priority == PriorityClass::vip ? "vip" : "standard";
}

PriorityClass priority_class_of(const std::optional<PriorityConfig>& config, std::uint64_t seed,
                                std::uint64_t user_id) {
  if (!config) return PriorityClass::standard;
  RandomStream rng(seed, "vip", user_id);
  return rng.uniform01() < config->vip_share ? PriorityClass::vip : PriorityClass::standard;
}

// --- WaitingLine ------------------------------------------------------------------------------

void WaitingLine::push(PriorityClass priority, std::uint32_t slot, TimePoint since) {
  lines_[static_cast<std::size_t>(priority)].push_back(Entry{slot, since});
}

WaitingLine::Entry WaitingLine::pop() {
  assert(!empty());
  auto& line = lines_[0].empty() ? lines_[1] : lines_[0];
  const Entry entry = line.front();
  line.pop_front();
  return entry;
}

std::optional<TimePoint> WaitingLine::oldest_since() const {
  std::optional<TimePoint> oldest;
  for (const auto& line : lines_) {
    if (!line.empty() && (!oldest || line.front().since < *oldest)) oldest = line.front().since;
  }
  return oldest;
}

WaitingLine::Entry WaitingLine::pop_oldest() {
  assert(!empty());
  const bool is_vip_older = !lines_[0].empty() &&
                            (lines_[1].empty() || lines_[0].front().since <= lines_[1].front().since);
  auto& line = is_vip_older ? lines_[0] : lines_[1];
  const Entry entry = line.front();
  line.pop_front();
  return entry;
}

std::optional<WaitingLine::Entry> WaitingLine::pop_newest(PriorityClass priority) {
  auto& line = lines_[static_cast<std::size_t>(priority)];
  if (line.empty()) return std::nullopt;
  const Entry entry = line.back();
  line.pop_back();
  return entry;
}

// --- ClientPacer ------------------------------------------------------------------------------

namespace {

RateLimits pacing_limits(const PacingConfig& config) {
  RateLimits limits;
  limits.rpm = config.requests_per_minute;
  limits.tpm = config.tokens_per_minute;
  return limits;
}

}  // namespace

ClientPacer::ClientPacer(const PacingConfig& config)
    : config_(config), limiter_(pacing_limits(config)) {}

std::optional<Duration> ClientPacer::try_send(TimePoint now, std::int64_t tokens) {
  const Admission admission = limiter_.try_admit(now, tokens);
  if (admission.admitted || admission.too_large) return std::nullopt;
  // The limiter rounds waits up, so a refusal always names a positive wait; keep it so.
  return std::max(admission.wait, Duration{1});
}

void ClientPacer::learn(TimePoint now, const RateLimitHeaders& seen) {
  if (!config_.learn_from_headers) return;
  RateLimits lowered = limiter_.limits();
  const auto adopt = [](std::optional<std::int64_t>& own, const std::optional<std::int64_t>& told) {
    if (!told || *told < 1 || (own && *own <= *told)) return false;
    own = told;
    return true;
  };
  const bool is_rpm_lowered = adopt(lowered.rpm, seen.limit_requests);
  const bool is_tpm_lowered = adopt(lowered.tpm, seen.limit_tokens);
  if (is_rpm_lowered || is_tpm_lowered) limiter_ = RateLimiter(lowered);
  for (const LimiterLevel& level : limiter_.levels(now)) {
    const std::optional<std::int64_t>& remaining =
        level.kind == LimitKind::rpm ? seen.remaining_requests : seen.remaining_tokens;
    if (!remaining) continue;
    const auto excess = static_cast<std::int64_t>(std::floor(level.available)) - *remaining;
    if (excess > 0) limiter_.consume(now, level.kind, excess);
  }
}

// --- ResponseCache ----------------------------------------------------------------------------

ResponseCache::ResponseCache(const CacheConfig& config, std::uint64_t seed)
    : config_(config), seed_(seed) {
  if (config_.hit_ratio) return;
  // Zipf: rank k is asked with weight k^-s.
  zipf_cdf_.resize(static_cast<std::size_t>(config_.distinct_prompts));
  double sum = 0;
  for (std::size_t k = 0; k < zipf_cdf_.size(); ++k) {
    sum += std::pow(static_cast<double>(k + 1), -config_.zipf_exponent);
    zipf_cdf_[k] = sum;
  }
  for (double& c : zipf_cdf_) c /= sum;
  zipf_cdf_.back() = 1.0;
}

ResponseCache::Lookup ResponseCache::lookup(std::uint64_t request_id, TimePoint now) {
  if (config_.hit_ratio) {
    RandomStream rng(seed_, "cache", request_id);
    return Lookup{.is_hit = rng.uniform01() < *config_.hit_ratio};
  }
  RandomStream rng(seed_, "prompt", request_id);
  const double u = rng.uniform01();
  const auto rank = std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u) - zipf_cdf_.begin();
  const auto prompt = static_cast<std::uint64_t>(rank);
  auto it = entries_.find(prompt);
  if (it == entries_.end()) return Lookup{.is_hit = false, .prompt = prompt};
  if (config_.ttl_s && now - it->second.stored >= from_seconds(*config_.ttl_s)) {
    lru_.erase(it->second.position);
    entries_.erase(it);
    return Lookup{.is_hit = false, .prompt = prompt};
  }
  lru_.splice(lru_.begin(), lru_, it->second.position);
  return Lookup{.is_hit = true, .prompt = prompt};
}

void ResponseCache::store(std::uint64_t prompt, TimePoint now) {
  if (config_.hit_ratio || config_.capacity == std::int64_t{0}) return;
  auto it = entries_.find(prompt);
  if (it != entries_.end()) {
    it->second.stored = now;
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return;
  }
  lru_.push_front(prompt);
  entries_.emplace(prompt, Entry{lru_.begin(), now});
  if (config_.capacity && static_cast<std::int64_t>(entries_.size()) > *config_.capacity) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

Duration ResponseCache::hit_latency(std::uint64_t request_id) const {
  return sample_duration(config_.latency_s, RandomStream(seed_, "cache_latency", request_id));
}

// --- routing -------------------------------------------------------------------------------------

namespace {

// Returns whether a failed attempt's category is one of `triggers`.
bool is_triggered(const RouteTriggers& triggers, ErrorCategory category) {
  switch (category) {
    case ErrorCategory::rate_limit_requests:
    case ErrorCategory::rate_limit_tokens:
    case ErrorCategory::daily_limit:
    case ErrorCategory::quota: return triggers.rate_limit;
    case ErrorCategory::server_5xx: return triggers.server_error;
    case ErrorCategory::timeout: return triggers.timeout;
    case ErrorCategory::connection: return triggers.connection_error;
    case ErrorCategory::other: return false;  // a too-large request is too large everywhere
    case ErrorCategory::queue_full:
    case ErrorCategory::queue_deadline: return false;  // shed before sending: nothing was refused
  }
  return false;
}

// Returns the index of the smallest count, the first on a tie.
std::uint32_t least_loaded(const std::vector<int>& in_flight) {
  return static_cast<std::uint32_t>(std::min_element(in_flight.begin(), in_flight.end()) -
                                    in_flight.begin());
}

}  // namespace

ClientRouter::ClientRouter(const Scenario& scenario)
    : routing_(scenario.client.routing),
      local_(scenario.client.local_fallback),
      default_completion_tokens_(scenario.providers.front().tokens.completion_tokens),
      seed_(scenario.seed),
      is_active_(has_routing(scenario)) {
  for (std::size_t p = 0; p < routed_provider_count(scenario); ++p) {
    key_in_flight_.emplace_back(std::max<std::size_t>(1, scenario.providers[p].api_keys.size()), 0);
  }
  provider_in_flight_.assign(key_in_flight_.size(), 0);
  next_key_.assign(key_in_flight_.size(), 0);
}

std::uint32_t ClientRouter::choose_provider() {
  const auto count = static_cast<std::uint32_t>(provider_in_flight_.size());
  switch (routing_.providers) {
    case ProviderChoice::first:
    case ProviderChoice::failover: return 0;
    case ProviderChoice::round_robin: return next_provider_++ % count;
    case ProviderChoice::least_loaded: return least_loaded(provider_in_flight_);
  }
  return 0;
}

std::uint32_t ClientRouter::send(std::uint32_t provider) {
  std::vector<int>& keys = key_in_flight_[provider];
  std::uint32_t key = 0;
  switch (routing_.key_choice) {
    case KeyChoice::first: key = 0; break;
    case KeyChoice::round_robin:
      key = next_key_[provider]++ % static_cast<std::uint32_t>(keys.size());
      break;
    case KeyChoice::least_loaded: key = least_loaded(keys); break;
  }
  ++keys[key];
  ++provider_in_flight_[provider];
  return key;
}

void ClientRouter::finish(std::uint32_t provider, std::uint32_t key) {
  assert(key_in_flight_[provider][key] > 0);
  --key_in_flight_[provider][key];
  --provider_in_flight_[provider];
}

std::optional<std::uint32_t> ClientRouter::failover(std::uint32_t provider, std::uint32_t tried,
                                                    std::optional<ErrorCategory> error) const {
  const auto count = static_cast<std::uint32_t>(provider_in_flight_.size());
  if (!error || routing_.providers == ProviderChoice::first ||
      !is_triggered(routing_.failover_on, *error) || tried >= count) {
    return std::nullopt;
  }
  return (provider + 1) % count;
}

bool ClientRouter::take_local(std::optional<ErrorCategory> error) {
  if (!local_ || !error || !is_triggered(local_->on, *error) ||
      local_in_flight_ >= local_->concurrency) {
    return false;
  }
  ++local_in_flight_;
  return true;
}

ClientRouter::LocalAnswer ClientRouter::local_answer(std::uint64_t request_id, int provider_calls,
                                                     std::optional<std::int64_t> max_tokens) const {
  assert(local_);
  // Named by the request and the attempts it has sent, like the provider's streams.
  const auto stream = [&](std::string_view purpose) {
    return RandomStream(seed_, purpose, request_id, static_cast<std::uint64_t>(provider_calls));
  };
  RandomStream tokens_rng = stream("local_tokens");
  const std::int64_t tokens = draw_completion_tokens(
      local_->completion_tokens.value_or(default_completion_tokens_), tokens_rng, max_tokens);
  const Duration total = sample_duration(local_->time_to_first_token_s, stream("local_ttft")) +
                         sample_duration(local_->per_token_s, stream("local_per_token")) *
                             std::max<std::int64_t>(0, tokens - 1);
  return LocalAnswer{.completion_tokens = tokens, .total = total};
}

}  // namespace llmsim
