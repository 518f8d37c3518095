// The client model's state machine. See client_model.hpp for the life of a request.
#include "simulator/client_model.hpp"

#include <algorithm>
#include <cassert>

#include "models/token_model.hpp"

namespace llmsim {

ClientModel::ClientModel(const Scenario& scenario, ClientDriver& driver)
    : scenario_(scenario), driver_(driver), router_(scenario) {
  const RequestConfig& rc = scenario.request;
  request_template_.key = default_api_key(scenario.providers.front());
  request_template_.model = rc.model;
  request_template_.prompt_tokens = rc.prompt_tokens;
  request_template_.max_tokens = rc.max_tokens;
  request_template_.is_embedding = !is_generation(rc.endpoint);
  request_bytes_ = estimated_request_bytes(rc.prompt_tokens, scenario.client.network);
  free_connections_ = scenario.client.connections;
  const CpuConfig& cpu = scenario.client.cpu;
  if (cpu.enabled && cpu.discipline == CpuDiscipline::event_loop) {
    loop_.emplace(cpu.cores);
  } else if (cpu.enabled) {
    core_free_at_.assign(cpu.cores, TimePoint{});
  }
  const NetworkConfig& network = scenario.client.network;
  connections_cost_ = network.connect_round_trips > 0 || (cpu.enabled && cpu.per_connection_ms > 0);
  handshake_ = from_millis(network.rtt_ms * network.connect_round_trips);
  if (scenario.client.pacing) pacer_.emplace(*scenario.client.pacing);
  if (scenario.client.cache) cache_.emplace(*scenario.client.cache, scenario.seed);
  pacing_cost_ = request_token_cost(is_generation(rc.endpoint), rc.prompt_tokens, rc.max_tokens);
  for (const Phase& phase : scenario.workload.phases) {
    phases_.push_back(PhaseRun{.name = phase.name, .users = phase.users});
    if (scenario.client.priority) {
      phases_.back().classes.resize(kPriorityClassCount);
      phases_.back().class_users.assign(kPriorityClassCount, 0);
    }
  }
  active_users_.assign(phases_.size(), 0);
  in_flight_by_phase_.assign(phases_.size(), InFlightTally{});
  // The keys as the report's limiter_end names them: "KEY", or "PROVIDER/KEY" with several.
  const std::size_t provider_count = std::max<std::size_t>(1, routed_provider_count(scenario));
  for (std::size_t p = 0; p < provider_count; ++p) {
    const ProviderConfig& provider = scenario.providers[p];
    limiter_key_offset_.push_back(limiter_keys_.size());
    std::vector<std::string> keys = provider.api_keys;
    if (keys.empty() || !router_.is_active()) keys = {default_api_key(provider)};
    for (const std::string& key : keys) {
      limiter_keys_.push_back(provider_count > 1 ? provider.name + "/" + key : key);
    }
  }
}

void ClientModel::start() {
  if (phases_.empty()) {
    finished_ = true;
    return;
  }
  driver_.schedule(driver_.now() + from_seconds(scenario_.workload.phases[0].gap_before_s),
                   Timer{TimerKind::phase_start, 0, 0});
}

std::uint64_t ClientModel::attempt_id(std::uint32_t slot) const {
  return (static_cast<std::uint64_t>(requests_[slot].generation) << 32) | slot;
}

AttemptContext ClientModel::attempt_context(std::uint64_t attempt_id) const {
  const Request& r = requests_[static_cast<std::uint32_t>(attempt_id & 0xffffffffU)];
  return AttemptContext{.request_id = r.request_id,
                        .attempt = r.attempt,
                        .phase = phases_[users_[r.user].phase].name,
                        .intended = r.attempt_intended,
                        .provider = scenario_.providers[r.provider].name,
                        .key = r.key,
                        .api = scenario_.providers[r.provider].api};
}

void ClientModel::on_timer(const Timer& timer) {
  handle_timer(timer);
  record_levels();
}

void ClientModel::handle_timer(const Timer& timer) {
  switch (timer.kind) {
    case TimerKind::phase_start: begin_phase(timer.id); return;
    case TimerKind::arrival: on_arrival(timer.id); return;
    case TimerKind::think_done:
      if (stopping_) {
        end_user(timer.id);
      } else {
        start_request(timer.id);
      }
      return;
    case TimerKind::retry:
      if (requests_[timer.id].state == RequestState::backoff) start_attempt(timer.id);
      return;
    case TimerKind::timeout:
      timeout_armed_ = false;
      expire_timeouts();
      return;
    case TimerKind::pacing:
      pacing_armed_ = false;
      dispatch();
      return;
    case TimerKind::queue_deadline:
      queue_deadline_armed_ = false;
      expire_queue_deadlines();
      return;
    case TimerKind::cache_hit: {
      Request& r = requests_[timer.id];
      if (r.generation != timer.generation || r.state != RequestState::cache_hit) return;
      finish_request(timer.id, AttemptResult{});
      return;
    }
    case TimerKind::cpu_done:
      if (requests_[timer.id].generation == timer.generation) cpu_finished(timer.id);
      return;
    case TimerKind::loop_done:
      end_loop_jobs();
      return;
    case TimerKind::connected: {
      const Request& r = requests_[timer.id];
      if (r.generation != timer.generation || r.state != RequestState::connecting) return;
      send_on_connection(timer.id, scenario_.client.cpu.per_connection_ms + scenario_.client.cpu.per_request_ms);
      return;
    }
    case TimerKind::local_done: {
      const Request& r = requests_[timer.id];
      if (r.generation == timer.generation && r.state == RequestState::local) finish_local(timer.id);
      return;
    }
  }
}

void ClientModel::begin_phase(std::uint32_t phase) {
  current_phase_ = phase;
  phases_[phase].start = driver_.now();
  phases_[phase].timeline = Timeline(driver_.now(), limiter_keys_);
  arrivals_.emplace(scenario_.workload.phases[phase], scenario_.seed, phase);
  arrivals_done_ = false;
  on_arrival(phase);
}

// Starts every user due now and schedules the next arrival (one timer pending at a time).
void ClientModel::on_arrival(std::uint32_t phase) {
  const Phase& config = scenario_.workload.phases[phase];
  const TimePoint phase_start = phases_[phase].start;
  while (true) {
    if (!next_arrival_) next_arrival_ = stopping_ ? std::nullopt : arrivals_->next();
    if (!next_arrival_ || (config.duration_s && *next_arrival_ >= from_seconds(*config.duration_s))) {
      next_arrival_.reset();
      arrivals_done_ = true;
      maybe_end_phase(phase);
      return;
    }
    const TimePoint at = phase_start + *next_arrival_;
    if (at > driver_.now()) {
      driver_.schedule(at, Timer{TimerKind::arrival, phase, 0});
      return;
    }
    next_arrival_.reset();
    const std::uint32_t u = allocate_user();
    const std::uint64_t user_id = next_user_id_++;
    const PriorityClass priority = priority_class_of(scenario_.client.priority, scenario_.seed, user_id);
    users_[u] = User{.user_id = user_id, .next_intended = at, .phase = phase, .priority = priority};
    ++active_users_[phase];
    if (!phases_[phase].class_users.empty()) ++phases_[phase].class_users[static_cast<std::size_t>(priority)];
    start_request(u);
  }
}

void ClientModel::start_request(std::uint32_t user_slot) {
  User& user = users_[user_slot];
  user.request_id = next_request_id_++;
  ++live_requests_;
  count_in_flight(user.phase, +1);
  ++starts_;
  if (driver_.now() - user.next_intended > late_threshold_) ++late_starts_;
  if (!cache_ && scenario_.client.cpu.per_start_ms == 0) {
    // The request waits as its user alone; it gets a Request slot when it leaves the line.
    wait_in_line(user_slot | kUserEntry, user.priority);
    return;
  }
  const std::uint32_t slot = materialize(user_slot, driver_.now());
  if (!cache_) {
    start_attempt(slot);
    return;
  }
  Request& r = requests_[slot];
  const ResponseCache::Lookup lookup = cache_->lookup(r.request_id, driver_.now());
  r.prompt = lookup.prompt;
  if (lookup.is_hit) {
    // Answered locally: no connection, no attempt, no provider call.
    r.state = RequestState::cache_hit;
    r.is_cache_hit = true;
    driver_.schedule(driver_.now() + cache_->hit_latency(r.request_id),
                     Timer{TimerKind::cache_hit, slot, r.generation});
    return;
  }
  start_attempt(slot);
}

// Gives the user's current request a Request slot, waiting since `wait_started`.
std::uint32_t ClientModel::materialize(std::uint32_t user_slot, TimePoint wait_started) {
  const std::uint32_t slot = allocate_request();
  Request& r = requests_[slot];
  // A reused slot keeps counting generations, so timers of its previous request stay stale.
  const std::uint32_t generation = r.generation + 1;
  const User& user = users_[user_slot];
  r = Request{};
  r.generation = generation;
  r.user = user_slot;
  r.request_id = user.request_id;
  r.intended_send = user.next_intended;
  r.attempt_intended = r.intended_send;
  r.state = RequestState::waiting_connection;
  r.wait_started = wait_started;
  return slot;
}

// Returns the Request slot of a line entry that just left the line, giving it one if needed.
std::uint32_t ClientModel::take(const WaitingLine::Entry& entry) {
  if ((entry.slot & kUserEntry) == 0) return entry.slot;
  const std::uint32_t user_slot = entry.slot & ~kUserEntry;
  users_[user_slot].is_waiting = false;
  return materialize(user_slot, entry.since);
}

bool ClientModel::is_in_line(std::uint32_t entry) const {
  if ((entry & kUserEntry) != 0) return users_[entry & ~kUserEntry].is_waiting;
  return requests_[entry].state == RequestState::waiting_connection;
}

// Builds the attempt on the client's CPU when that costs anything (cpu.per_start_ms), then lets
// it wait for a connection.
void ClientModel::start_attempt(std::uint32_t slot) {
  if (scenario_.client.cpu.per_start_ms > 0) {
    requests_[slot].wait_started = driver_.now();
    run_on_cpu(slot, scenario_.client.cpu.per_start_ms, RequestState::cpu_start);
    return;
  }
  enqueue_attempt(slot);
}

void ClientModel::enqueue_attempt(std::uint32_t slot) {
  Request& r = requests_[slot];
  r.state = RequestState::waiting_connection;
  r.wait_started = driver_.now();
  wait_in_line(slot, users_[r.user].priority);
}

// Puts a line entry (a request slot, or a user slot with kUserEntry) in the waiting line and lets
// the line move. With a bounded queue, when more than max_length would wait, a VIP pushes out the
// newest standard attempt; otherwise the newcomer is shed.
void ClientModel::wait_in_line(std::uint32_t entry, PriorityClass priority) {
  if ((entry & kUserEntry) != 0) users_[entry & ~kUserEntry].is_waiting = true;
  line_.push(priority, entry, driver_.now());
  dispatch();
  if (!is_in_line(entry)) return;  // it went at once
  const auto& queue = scenario_.client.queue;
  if (queue && line_.size() > static_cast<std::size_t>(queue->max_length)) {
    std::optional<WaitingLine::Entry> out;
    if (priority == PriorityClass::vip) out = line_.pop_newest(PriorityClass::standard);
    if (!out) out = line_.pop_newest(priority);  // the newcomer itself
    shed(*out, ErrorCategory::queue_full);
    if (out->slot == entry) return;
  }
  arm_queue_deadline();
}

void ClientModel::on_result(std::uint64_t id, const AttemptResult& result) {
  const auto slot = static_cast<std::uint32_t>(id & 0xffffffffU);
  Request& r = requests_[slot];
  if (r.state != RequestState::awaiting_response || attempt_id(slot) != id) return;
  ++r.generation;  // any pending timeout is now stale
  if (pacer_) pacer_->learn(driver_.now(), result.rate_limits);
  if (r.provider < limiter_key_offset_.size()) {
    timeline_of(slot).observe_limits(driver_.now(), limiter_key_offset_[r.provider] + r.key, result.rate_limits);
  }
  release_connection(result.error != ErrorCategory::connection);
  if (scenario_.client.cpu.enabled) {
    // Reading and parsing the response costs the client's CPU before the SDK decides anything.
    r.pending = result;
    run_on_cpu(slot, scenario_.client.cpu.per_response_ms, RequestState::cpu_receive);
  } else {
    handle_result(slot, result);
  }
  record_levels();
}

Timeline& ClientModel::timeline_of(std::uint32_t slot) {
  return phases_[users_[requests_[slot].user].phase].timeline;
}

// Records the levels the current phase holds after an event (none once it has ended).
void ClientModel::record_levels() {
  if (current_phase_ >= phases_.size()) return;
  PhaseRun& phase = phases_[current_phase_];
  if (phase.end || phase.start > driver_.now()) return;
  phase.timeline.set_levels(driver_.now(), static_cast<std::int64_t>(live_requests_),
                            static_cast<std::int64_t>(line_.size()));
}

// Counts an attempt's outcome in its phase's timeline: a 429 of a limit, or another error.
void ClientModel::count_outcome(std::uint32_t slot, const AttemptResult& result) {
  if (!result.error) return;
  switch (*result.error) {
    case ErrorCategory::rate_limit_requests:
    case ErrorCategory::rate_limit_tokens:
    case ErrorCategory::daily_limit:
    case ErrorCategory::quota: timeline_of(slot).count_rate_limited(driver_.now()); return;
    default: timeline_of(slot).count_error(driver_.now()); return;
  }
}

// Counts the attempt, then retries it after the SDK's wait or finishes the request.
void ClientModel::handle_result(std::uint32_t slot, const AttemptResult& result) {
  Request& r = requests_[slot];
  r.bytes_received += result.bytes_received;
  count_outcome(slot, result);
  if (router_.is_active()) {
    count_attempt(slot, !result.error);
    if (try_failover(slot, result) || try_local_fallback(slot, result)) return;
  }
  if (result.error) {
    const RandomStream rng(scenario_.seed, "backoff", r.request_id, r.attempt);
    if (auto wait = retry_delay(scenario_.client.retry, result, static_cast<int>(r.attempt), rng)) {
      ++r.attempt;
      r.tried = 0;  // the retry starts a new routing round
      r.attempt_intended = driver_.now() + *wait;
      r.state = RequestState::backoff;
      driver_.schedule(driver_.now() + *wait, Timer{TimerKind::retry, slot, r.generation});
      return;
    }
  }
  finish_request(slot, result);
}

void ClientModel::finish_request(std::uint32_t slot, const AttemptResult& result) {
  Request& r = requests_[slot];
  const std::uint32_t user_slot = r.user;
  PhaseRun& phase = phases_[users_[user_slot].phase];
  const RequestRecord record{
      .intended_send = r.intended_send,
      .finished = driver_.now(),
      .first_byte = result.first_byte,
      .queued = r.queued,
      .error = result.error,
      .retries = static_cast<int>(r.attempt),
      .bytes_sent = r.bytes_sent,
      .bytes_received = r.bytes_received,
      // Only the final response's body: a retried attempt's body is in bytes_received alone.
      .body_bytes = result.body_bytes,
      // The prompt went out with every attempt sent (failover hops too), whatever came back.
      .prompt_tokens = request_template_.prompt_tokens * r.provider_calls,
      .completion_tokens = result.completion_tokens,
      .is_cache_hit = r.is_cache_hit,
      .provider_calls = r.provider_calls,
  };
  phase.metrics.record(record);
  if (!result.error) phase.timeline.count_succeeded(driver_.now());
  if (!phase.classes.empty()) {
    phase.classes[static_cast<std::size_t>(users_[user_slot].priority)].record(record);
  }
  if (cache_ && !r.is_cache_hit && !result.error) cache_->store(r.prompt, driver_.now());
  r.state = RequestState::idle;
  ++r.generation;
  free_requests_.push_back(slot);
  --live_requests_;
  count_in_flight(users_[user_slot].phase, -1);
  user_done_with_request(user_slot);
}

// Adds the time the phase's current in-flight count lasted to its integral, then changes it.
void ClientModel::count_in_flight(std::uint32_t phase, int delta) {
  InFlightTally& tally = in_flight_by_phase_[phase];
  const TimePoint now = driver_.now();
  phases_[phase].metrics.in_flight_time += tally.count * (now - tally.since);
  tally.count += delta;
  tally.since = now;
}

bool ClientModel::is_past_deadline(std::uint32_t phase) const {
  const Phase& p = scenario_.workload.phases[phase];
  return p.duration_s && driver_.now() >= phases_[phase].start + from_seconds(*p.duration_s);
}

void ClientModel::user_done_with_request(std::uint32_t user_slot) {
  User& user = users_[user_slot];
  ++user.requests_done;
  const Phase& phase = scenario_.workload.phases[user.phase];
  const bool has_more = !phase.requests_per_user || user.requests_done < *phase.requests_per_user;
  if (!has_more || stopping_ || is_past_deadline(user.phase)) {
    end_user(user_slot);
    return;
  }
  const Duration think = draw_think_time(phase, scenario_.seed, user.user_id,
                                         static_cast<std::uint64_t>(user.requests_done));
  user.next_intended = driver_.now() + think;
  if (think.count() == 0) {
    start_request(user_slot);
  } else {
    driver_.schedule(user.next_intended, Timer{TimerKind::think_done, user_slot, 0});
  }
}

void ClientModel::end_user(std::uint32_t user_slot) {
  const std::uint32_t phase = users_[user_slot].phase;
  users_[user_slot].next_free = free_users_;
  free_users_ = user_slot;
  --active_users_[phase];
  maybe_end_phase(phase);
}

bool ClientModel::finish_if_idle() {
  if (finished_ || !stopping_ || live_requests_ > 0) return finished_;
  PhaseRun& run = phases_[current_phase_];
  if (!run.end && run.metrics.last_finished) run.end = *run.metrics.last_finished;
  finished_ = true;
  return true;
}

void ClientModel::maybe_end_phase(std::uint32_t phase) {
  if (!arrivals_done_ || active_users_[phase] > 0 || phase != current_phase_) return;
  PhaseRun& run = phases_[phase];
  run.end = run.metrics.last_finished ? *run.metrics.last_finished : driver_.now();
  run.timeline.close(*run.end);
  const std::uint32_t next = phase + 1;
  if (next >= phases_.size() || stopping_) {
    finished_ = true;
    return;
  }
  // The gap runs from the end of this phase; the provider's buckets keep refilling meanwhile.
  arrivals_done_ = false;
  driver_.schedule(driver_.now() + from_seconds(scenario_.workload.phases[next].gap_before_s),
                   Timer{TimerKind::phase_start, next, 0});
}

std::uint32_t ClientModel::allocate_user() {
  if (free_users_ != kNoSlot) {
    const std::uint32_t slot = free_users_;
    free_users_ = users_[slot].next_free;
    return slot;
  }
  assert(users_.size() < kUserEntry);
  users_.emplace_back();
  return static_cast<std::uint32_t>(users_.size() - 1);
}

std::uint32_t ClientModel::allocate_request() {
  if (!free_requests_.empty()) {
    const std::uint32_t slot = free_requests_.back();
    free_requests_.pop_back();
    return slot;
  }
  assert(requests_.size() < kUserEntry);
  requests_.emplace_back();
  return static_cast<std::uint32_t>(requests_.size() - 1);
}

}  // namespace llmsim
