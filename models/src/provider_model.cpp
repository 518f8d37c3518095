// The provider model: admission by the rate limiter, then faults, then the completion's timing.
#include "models/provider_model.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "models/random.hpp"
#include "models/token_model.hpp"

namespace llmsim {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::rate_limited: return "rate_limited";
    case Outcome::too_large: return "too_large";
    case Outcome::quota_exhausted: return "quota_exhausted";
    case Outcome::server_error: return "server_error";
    case Outcome::overloaded: return "overloaded";
    case Outcome::hang: return "hang";
    case Outcome::drop_mid_stream: return "drop_mid_stream";
  }
  return "unknown";
}

std::optional<Outcome> parse_forced_fault(std::string_view text) {
  // The x-llmsim-fault header's values; "slow" is an ok outcome with a slow first byte, so it is
  // not an Outcome and is handled by the caller through ProviderRequest::force_slow_first_byte.
  static constexpr std::array<std::pair<std::string_view, Outcome>, 7> kNames{{
      {"500", Outcome::server_error},
      {"503", Outcome::overloaded},
      {"hang", Outcome::hang},
      {"drop", Outcome::drop_mid_stream},
      {"quota", Outcome::quota_exhausted},
      {"429", Outcome::rate_limited},
      {"ok", Outcome::ok},
  }};
  for (const auto& [name, outcome] : kNames) {
    if (name == text) return outcome;
  }
  return std::nullopt;
}

Duration Decision::total_time() const {
  switch (outcome) {
    case Outcome::ok:
    case Outcome::drop_mid_stream: {
      const std::int64_t per_choice = completion_tokens_per_choice();
      const std::int64_t sent = outcome == Outcome::ok ? per_choice : tokens_before_drop;
      return time_to_first_token + per_token * std::max<std::int64_t>(0, sent - 1);
    }
    case Outcome::hang:
      return Duration::max();
    default:
      return error_delay;
  }
}

std::string default_api_key(const ProviderConfig& config) {
  return config.api_keys.empty() ? std::string("sk-llmsim") : config.api_keys.front();
}

RequestCost request_cost(const ProviderRequest& request) {
  return RequestCost{
      .tokens = request_token_cost(!request.is_embedding, request.prompt_tokens, request.max_tokens,
                                   request.n),
      .input_tokens = request.prompt_tokens,
      .output_tokens = request.is_embedding ? 0 : request.max_tokens.value_or(0) * std::max(1, request.n)};
}

ProviderModel::ProviderModel(ProviderConfig config, std::uint64_t seed)
    : config_(std::move(config)), seed_(seed) {}

RateLimiter& ProviderModel::limiter_for(const std::string& key, TimePoint now) {
  auto it = limiters_.find(key);
  if (it != limiters_.end()) return it->second;
  RateLimiter& limiter = limiters_.emplace(key, RateLimiter(config_.limits)).first->second;
  // Earlier traffic today, as the scenario states it, counts against this account's day budget.
  if (config_.initial_usage.requests_today > 0 && config_.limits.rpd) {
    limiter.consume(now, LimitKind::rpd, config_.initial_usage.requests_today);
  }
  if (config_.initial_usage.tokens_today > 0 && config_.limits.tpd) {
    limiter.consume(now, LimitKind::tpd, config_.initial_usage.tokens_today);
  }
  return limiter;
}

namespace {

// Builds the refusal a forced 429 reports: `named`, else the requests limit (or tokens), as if
// just spent. The key's x-ratelimit-* values stay as they are (nothing is debited).
Admission forced_refusal(const RateLimits& limits, const RateLimitHeaders& headers,
                         std::optional<LimitKind> named) {
  constexpr std::int64_t kFallbackLimit = 60;  // a provider without the limit: one a second
  Admission admission;
  admission.refused_by =
      named ? *named : (limits.rpm ? LimitKind::rpm : (limits.tpm ? LimitKind::tpm : LimitKind::rpm));
  std::optional<std::int64_t> configured;
  switch (admission.refused_by) {
    case LimitKind::tpm: configured = limits.tpm; break;
    case LimitKind::rpd: configured = limits.rpd; break;
    case LimitKind::tpd: configured = limits.tpd; break;
    default: configured = limits.rpm; break;
  }
  const std::int64_t limit = configured.value_or(kFallbackLimit);
  admission.limit = limit;
  admission.used = limit;
  admission.requested = 1;
  // One unit refills in window / L.
  const bool is_daily =
      admission.refused_by == LimitKind::rpd || admission.refused_by == LimitKind::tpd;
  const Duration window = is_daily ? Duration{std::chrono::hours(24)}
                                   : Duration{std::chrono::seconds(60)};
  admission.wait = window / limit;
  admission.headers = headers;
  return admission;
}

// Picks a fault by one uniform draw over the cumulative fault probabilities; ok when none.
Outcome draw_fault(const FaultConfig& faults, RandomStream rng, bool& slow_first_byte) {
  const double u = rng.uniform01();
  const std::array<std::pair<double, Outcome>, 5> kinds{{
      {faults.quota_exhausted, Outcome::quota_exhausted},
      {faults.server_error, Outcome::server_error},
      {faults.overloaded, Outcome::overloaded},
      {faults.timeout, Outcome::hang},
      {faults.drop_mid_stream, Outcome::drop_mid_stream},
  }};
  double cumulative = 0.0;
  for (const auto& [probability, outcome] : kinds) {
    cumulative += probability;
    if (u < cumulative) return outcome;
  }
  slow_first_byte = u < cumulative + faults.slow_first_byte;
  return Outcome::ok;
}

}  // namespace

Decision ProviderModel::decide(const ProviderRequest& request, TimePoint now) {
  RateLimiter& limiter = limiter_for(request.key, now);
  // Streams are named by (seed mixed with the key, purpose, request id, attempt).
  const std::uint64_t seed = seed_ ^ fnv1a64(request.key);
  const auto stream = [&](std::string_view purpose) {
    return RandomStream(seed, purpose, request.request_id, request.attempt);
  };

  Decision decision;
  decision.prompt_tokens = request.prompt_tokens;
  decision.choices = std::max(1, request.n);
  if (request.forced == Outcome::rate_limited) {
    decision.outcome = Outcome::rate_limited;
    decision.admission = forced_refusal(config_.limits, limiter.headers(now), request.forced_limit);
    decision.error_delay = sample_duration(config_.latency.refused_s, stream("refused"));
    return decision;
  }

  // Only the limits a provider has are debited.
  decision.admission = limiter.try_admit(now, request_cost(request));
  if (!decision.admission.admitted) {
    decision.outcome = decision.admission.too_large ? Outcome::too_large : Outcome::rate_limited;
    decision.error_delay = sample_duration(config_.latency.refused_s, stream("refused"));
    return decision;
  }

  bool slow_first_byte = false;
  decision.outcome = request.forced ? *request.forced : draw_fault(config_.faults, stream("fault"), slow_first_byte);
  // A forced slow first byte applies to a request that is otherwise answered normally.
  if (request.force_slow_first_byte && decision.outcome == Outcome::ok) slow_first_byte = true;

  switch (decision.outcome) {
    case Outcome::quota_exhausted:
    case Outcome::server_error:
    case Outcome::overloaded:
      decision.error_delay = sample_duration(config_.latency.refused_s, stream("refused"));
      return decision;
    default:
      break;
  }

  if (!request.is_embedding) {
    RandomStream tokens = stream("tokens");
    // Every choice has the same length, so the n choices finish together.
    const std::int64_t per_choice =
        draw_completion_tokens(config_.tokens.completion_tokens, tokens, request.max_tokens);
    decision.completion_tokens = per_choice * decision.choices;
  }
  decision.time_to_first_token = sample_duration(config_.latency.time_to_first_token_s, stream("ttft"));
  decision.per_token = sample_duration(config_.latency.per_token_s, stream("per_token"));
  if (slow_first_byte) {
    decision.time_to_first_token += sample_duration(config_.faults.slow_first_byte_s, stream("slow"));
  }
  if (decision.outcome == Outcome::drop_mid_stream) {
    decision.tokens_before_drop = decision.completion_tokens_per_choice() / 2;
  }
  return decision;
}

RateLimitHeaders ProviderModel::headers(const std::string& key, TimePoint now) {
  return limiter_for(key, now).headers(now);
}

std::map<std::string, std::vector<LimiterLevel>> ProviderModel::levels(TimePoint now) {
  std::map<std::string, std::vector<LimiterLevel>> result;
  for (const auto& [key, limiter] : limiters_) result.emplace(key, limiter.levels(now));
  return result;
}

bool ProviderModel::forget_if_fresh(const std::string& key, TimePoint now) {
  const auto it = limiters_.find(key);
  if (it == limiters_.end()) return true;
  // A new limiter starts with the day's initial usage spent: a full one is not the same then.
  const bool starts_spent = (config_.initial_usage.requests_today > 0 && config_.limits.rpd) ||
                            (config_.initial_usage.tokens_today > 0 && config_.limits.tpd);
  if (starts_spent || !it->second.is_full(now)) return false;
  limiters_.erase(it);
  return true;
}

void ProviderModel::reset() { limiters_.clear(); }

}  // namespace llmsim
