// The client model's side of routing: its ClientRouter (client_policies.hpp) says where an
// attempt goes; here the request takes that route, hops to the next provider on a failure, or is
// served by the local model. See client_model.hpp ("Routing") and data/README.md ("ROUTING",
// "LOCAL_FALLBACK").
#include "simulator/client_model.hpp"

namespace llmsim {

// Chooses the attempt's provider (at the start of a round; failover chose it otherwise) and key,
// and counts it in flight there.
void ClientModel::choose_route(std::uint32_t slot) {
  Request& r = requests_[slot];
  if (r.tried == 0) {
    r.provider = router_.choose_provider();
    r.tried = 1;
  }
  r.key = router_.send(r.provider);
}

// Takes the finished attempt out of flight and counts it for its route in the request's phase.
void ClientModel::count_attempt(std::uint32_t slot, bool succeeded) {
  const Request& r = requests_[slot];
  router_.finish(r.provider, r.key);
  phases_[users_[r.user].phase].metrics.record_attempt(RouteId{r.provider, r.key}, succeeded);
}

// Sends a failed attempt to the next provider of the round at once; returns whether it did.
bool ClientModel::try_failover(std::uint32_t slot, const AttemptResult& result) {
  Request& r = requests_[slot];
  const std::optional<std::uint32_t> next = router_.failover(r.provider, r.tried, result.error);
  if (!next) return false;
  r.provider = *next;
  ++r.tried;
  start_attempt(slot);
  return true;
}

// Serves a refused request with the local model when it takes that failure and has a free
// slot; returns whether it did. A full local model leaves the failure to client.retry.
bool ClientModel::try_local_fallback(std::uint32_t slot, const AttemptResult& result) {
  if (!router_.take_local(result.error)) return false;
  Request& r = requests_[slot];
  r.state = RequestState::local;
  ++r.generation;
  const ClientRouter::LocalAnswer answer =
      router_.local_answer(r.request_id, r.provider_calls, request_template_.max_tokens);
  r.pending = AttemptResult{.status = 200, .completion_tokens = answer.completion_tokens};
  driver_.schedule(driver_.now() + answer.total, Timer{TimerKind::local_done, slot, r.generation});
  return true;
}

// Finishes a request the local model served.
void ClientModel::finish_local(std::uint32_t slot) {
  router_.finish_local();
  Request& r = requests_[slot];
  const auto local_route = static_cast<std::uint32_t>(scenario_.providers.size());
  phases_[users_[r.user].phase].metrics.record_attempt(RouteId{local_route, 0}, true);
  const AttemptResult result = r.pending;
  finish_request(slot, result);
}

}  // namespace llmsim
