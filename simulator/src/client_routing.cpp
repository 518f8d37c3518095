// The client model's routing: which provider and key an attempt goes to, failover to the next
// provider, and the local model fallback. See client_model.hpp ("Routing") and data/README.md
// ("ROUTING", "LOCAL_FALLBACK").
#include <algorithm>
#include <cassert>

#include "models/random.hpp"
#include "models/token_model.hpp"
#include "simulator/client_model.hpp"

namespace llmsim {

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

// Chooses the attempt's provider (at the start of a round; failover chose it otherwise) and key,
// and counts it in flight there.
void ClientModel::choose_route(std::uint32_t slot) {
  Request& r = requests_[slot];
  if (r.tried == 0) {
    r.provider = choose_provider();
    r.tried = 1;
  }
  r.key = choose_key(r.provider);
  ++route_in_flight_[r.provider][r.key];
  ++provider_in_flight_[r.provider];
}

std::uint32_t ClientModel::choose_provider() {
  const auto count = static_cast<std::uint32_t>(provider_in_flight_.size());
  switch (scenario_.client.routing.providers) {
    case ProviderChoice::first:
    case ProviderChoice::failover: return 0;
    case ProviderChoice::round_robin: return next_provider_++ % count;
    case ProviderChoice::least_loaded: return least_loaded(provider_in_flight_);
  }
  return 0;
}

std::uint32_t ClientModel::choose_key(std::uint32_t provider) {
  const std::vector<int>& keys = route_in_flight_[provider];
  switch (scenario_.client.routing.key_choice) {
    case KeyChoice::first: return 0;
    case KeyChoice::round_robin:
      return next_key_[provider]++ % static_cast<std::uint32_t>(keys.size());
    case KeyChoice::least_loaded: return least_loaded(keys);
  }
  return 0;
}

// Takes the finished attempt out of flight and counts it for its route in the request's phase.
void ClientModel::count_attempt(std::uint32_t slot, bool succeeded) {
  const Request& r = requests_[slot];
  --route_in_flight_[r.provider][r.key];
  --provider_in_flight_[r.provider];
  phases_[users_[r.user].phase].metrics.record_attempt(RouteId{r.provider, r.key}, succeeded);
}

// Sends a failed attempt to the next provider of the round at once; returns whether it did.
bool ClientModel::try_failover(std::uint32_t slot, const AttemptResult& result) {
  const RoutingConfig& routing = scenario_.client.routing;
  Request& r = requests_[slot];
  const auto count = static_cast<std::uint32_t>(provider_in_flight_.size());
  if (!result.error || routing.providers == ProviderChoice::first ||
      !is_triggered(routing.failover_on, *result.error) || r.tried >= count) {
    return false;
  }
  r.provider = (r.provider + 1) % count;
  ++r.tried;
  start_attempt(slot);
  return true;
}

// Serves a refused request with the local model when it takes that failure and has a free
// slot; returns whether it did. A full local model leaves the failure to client.retry.
bool ClientModel::try_local_fallback(std::uint32_t slot, const AttemptResult& result) {
  const std::optional<LocalFallbackConfig>& local = scenario_.client.local_fallback;
  if (!local || !result.error || !is_triggered(local->on, *result.error) ||
      local_in_flight_ >= local->concurrency) {
    return false;
  }
  ++local_in_flight_;
  Request& r = requests_[slot];
  r.state = RequestState::local;
  ++r.generation;
  // Named by the request and the attempts it has sent, like the provider's streams.
  const auto stream = [&](std::string_view purpose) {
    return RandomStream(scenario_.seed, purpose, r.request_id, static_cast<std::uint64_t>(r.provider_calls));
  };
  RandomStream tokens_rng = stream("local_tokens");
  const std::int64_t tokens = draw_completion_tokens(
      local->completion_tokens.value_or(scenario_.providers.front().tokens.completion_tokens),
      tokens_rng, request_template_.max_tokens);
  const Duration total = sample_duration(local->time_to_first_token_s, stream("local_ttft")) +
                         sample_duration(local->per_token_s, stream("local_per_token")) *
                             std::max<std::int64_t>(0, tokens - 1);
  r.pending = AttemptResult{.status = 200, .completion_tokens = tokens};
  driver_.schedule(driver_.now() + total, Timer{TimerKind::local_done, slot, r.generation});
  return true;
}

// Finishes a request the local model served.
void ClientModel::finish_local(std::uint32_t slot) {
  --local_in_flight_;
  Request& r = requests_[slot];
  const auto local_route = static_cast<std::uint32_t>(scenario_.providers.size());
  phases_[users_[r.user].phase].metrics.record_attempt(RouteId{local_route, 0}, true);
  const AttemptResult result = r.pending;
  finish_request(slot, result);
}

}  // namespace llmsim
