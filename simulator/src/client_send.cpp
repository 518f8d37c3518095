// The client model's send path: the waiting line (VIP first, queue limits and deadlines), the
// client's pacer, the connection pool, the client-CPU model and per-attempt timeouts. See
// client_model.hpp for the life of a request; client_model.cpp holds the rest of the machine.
#include <algorithm>
#include <cassert>

#include "simulator/client_model.hpp"

namespace llmsim {

// Sends waiting attempts, best class first, while there is a free connection and the pacer (when
// there is one) has a slot; otherwise waits for a connection to come back or the pacer's timer.
void ClientModel::dispatch() {
  while (!line_.empty() && free_connections_ > 0) {
    if (pacer_) {
      if (const auto wait = pacer_->try_send(driver_.now(), pacing_cost_)) {
        arm_pacing(driver_.now() + *wait);
        return;
      }
    }
    const std::uint32_t slot = take(line_.pop());
    --free_connections_;
    acquire_connection(slot);
  }
}

void ClientModel::arm_pacing(TimePoint at) {
  if (pacing_armed_) return;  // the armed timer is due no later: every attempt costs the same
  pacing_armed_ = true;
  driver_.schedule(at, Timer{TimerKind::pacing, 0, 0});
}

// Arms one timer for the longest-waiting attempt's deadline; every wait has the same limit, so
// that attempt's deadline is the earliest.
void ClientModel::arm_queue_deadline() {
  const auto& queue = scenario_.client.queue;
  if (!queue || !queue->max_wait_s || queue_deadline_armed_ || line_.empty()) return;
  queue_deadline_armed_ = true;
  driver_.schedule(*line_.oldest_since() + from_seconds(*queue->max_wait_s),
                   Timer{TimerKind::queue_deadline, 0, 0});
}

void ClientModel::expire_queue_deadlines() {
  const Duration max_wait = from_seconds(*scenario_.client.queue->max_wait_s);
  while (!line_.empty() && *line_.oldest_since() + max_wait <= driver_.now()) {
    shed(line_.pop_oldest(), ErrorCategory::queue_deadline);
  }
  arm_queue_deadline();
}

// Ends a request the client gave up on before sending its attempt (no retry); `entry` has just
// left the line.
void ClientModel::shed(const WaitingLine::Entry& entry, ErrorCategory why) {
  const std::uint32_t slot = take(entry);
  Request& r = requests_[slot];
  r.queued += driver_.now() - r.wait_started;
  timeline_of(slot).count_error(driver_.now());
  finish_request(slot, AttemptResult{.error = why});
}

// The attempt has a connection from the pool: an open idle one, or (when opening costs anything)
// a new one, whose handshake round trips come first and whose client work adds to the send's.
void ClientModel::acquire_connection(std::uint32_t slot) {
  Request& r = requests_[slot];
  r.queued += driver_.now() - r.wait_started;
  if (!connections_cost_ || reuse_idle_connection()) {
    send_on_connection(slot, scenario_.client.cpu.per_request_ms);
    return;
  }
  if (handshake_.count() == 0) {
    send_on_connection(slot, scenario_.client.cpu.per_connection_ms + scenario_.client.cpu.per_request_ms);
    return;
  }
  r.state = RequestState::connecting;
  ++r.generation;
  driver_.schedule(driver_.now() + handshake_, Timer{TimerKind::connected, slot, r.generation});
}

// Takes the newest idle connection if it has not idled past the keep-alive (aiohttp's pool: the
// newest first; when it is stale, so are the older ones, and all are closed).
bool ClientModel::reuse_idle_connection() {
  if (idle_connections_.empty()) return false;
  const auto& keepalive = scenario_.client.network.keepalive_s;
  if (keepalive && driver_.now() - idle_connections_.back() > from_seconds(*keepalive)) {
    idle_connections_.clear();
    return false;
  }
  idle_connections_.pop_back();
  return true;
}

void ClientModel::send_on_connection(std::uint32_t slot, double cpu_ms) {
  if (scenario_.client.cpu.enabled) {
    run_on_cpu(slot, cpu_ms, RequestState::cpu_send);
  } else {
    transmit(slot);
  }
}

// Queues a CPU job: on the earliest-free core (first come, first served), or on the event loop
// that every ready job shares. Waiting for the CPU counts as queued.
void ClientModel::run_on_cpu(std::uint32_t slot, double cost_ms, RequestState next) {
  Request& r = requests_[slot];
  const TimePoint now = driver_.now();
  if (loop_) {
    const Duration cost = from_millis(cost_ms);
    phases_[users_[r.user].phase].metrics.cpu_busy += cost;
    r.state = next;
    ++r.generation;
    loop_->add(now, slot, cost);
    arm_loop();
    return;
  }
  auto core = std::min_element(core_free_at_.begin(), core_free_at_.end());
  const TimePoint begin = std::max(now, *core);
  const Duration cost = from_millis(cost_ms);
  *core = begin + cost;
  r.queued += begin - now;
  phases_[users_[r.user].phase].metrics.cpu_busy += cost;
  r.state = next;
  ++r.generation;
  driver_.schedule(*core, Timer{TimerKind::cpu_done, slot, r.generation});
}

// Makes sure a timer is pending no later than the loop's earliest end. Adding a job only delays
// the others' ends, so a pending earlier timer stays and, when it fires early, arms again; a
// timer that fires after an earlier one re-armed is a harmless extra look.
void ClientModel::arm_loop() {
  const auto at = loop_->next_done();
  if (!at || (loop_timer_at_ && *loop_timer_at_ <= *at)) return;
  loop_timer_at_ = *at;
  driver_.schedule(*at, Timer{TimerKind::loop_done, 0, 0});
}

void ClientModel::end_loop_jobs() {
  if (loop_timer_at_ && *loop_timer_at_ <= driver_.now()) loop_timer_at_.reset();
  for (const SharedCpu::Done& done : loop_->take_done(driver_.now())) {
    requests_[done.job].queued += done.waited;
    cpu_finished(done.job);
  }
  arm_loop();
}

// A CPU job of request `slot` is done: the attempt it built waits for a connection, the request
// goes out, or the response it read is handled.
void ClientModel::cpu_finished(std::uint32_t slot) {
  Request& r = requests_[slot];
  switch (r.state) {
    case RequestState::cpu_start: enqueue_attempt(slot); return;
    case RequestState::cpu_send: transmit(slot); return;
    case RequestState::cpu_receive: {
      const AttemptResult pending = r.pending;
      handle_result(slot, pending);
      return;
    }
    default: assert(false && "a CPU job ended for a request in no CPU state"); return;
  }
}

void ClientModel::transmit(std::uint32_t slot) {
  Request& r = requests_[slot];
  r.state = RequestState::awaiting_response;
  ++r.generation;
  ProviderRequest request = request_template_;
  if (router_.is_active()) {
    choose_route(slot);
    const std::vector<std::string>& keys = scenario_.providers[r.provider].api_keys;
    request.key = keys.empty() ? default_api_key(scenario_.providers[r.provider]) : keys[r.key];
  }
  request.request_id = r.request_id;
  // Without failover hops this is the SDK retry count; with them every attempt draws anew.
  request.attempt = static_cast<std::uint32_t>(r.provider_calls++);
  r.bytes_sent += request_bytes_;
  timeline_of(slot).count_sent(driver_.now());
  driver_.send(attempt_id(slot), r.provider, request, request_bytes_);
  if (scenario_.client.timeout_s) {
    // Every attempt has the same timeout, so deadlines come in send order: a FIFO with one
    // timer for its head replaces a timer per attempt (and keeps the event queue small).
    deadlines_.push_back(Deadline{driver_.now() + from_seconds(*scenario_.client.timeout_s), slot,
                                  r.generation});
    if (!timeout_armed_) arm_timeout();
  }
}

void ClientModel::arm_timeout() {
  timeout_armed_ = true;
  driver_.schedule(deadlines_.front().at, Timer{TimerKind::timeout, 0, 0});
}

// Times out every attempt whose deadline has passed and that is still waiting for its response;
// entries of attempts that were answered meanwhile are stale and dropped.
void ClientModel::expire_timeouts() {
  while (!deadlines_.empty() && deadlines_.front().at <= driver_.now()) {
    const Deadline d = deadlines_.front();
    deadlines_.pop_front();
    Request& r = requests_[d.slot];
    if (r.state != RequestState::awaiting_response || r.generation != d.generation) continue;
    driver_.abandon(attempt_id(d.slot));
    release_connection(false);  // the client closes a connection it gave up on
    handle_result(d.slot, AttemptResult{.error = ErrorCategory::timeout});
  }
  if (!deadlines_.empty()) arm_timeout();
}

// Gives a connection back to the pool, open and idle from now unless it was closed.
void ClientModel::release_connection(bool keep_open) {
  if (connections_cost_ && keep_open) idle_connections_.push_back(driver_.now());
  ++free_connections_;
  dispatch();
}

}  // namespace llmsim
