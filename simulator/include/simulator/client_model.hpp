// The client model: the application under study, as a state machine driven by events.
//
// Users start as the workload says, send requests, wait for a connection from a bounded pool,
// open it when it is new (optional handshake round trips), spend the client's CPU (optional: first
// come, first served, or an event loop all ready jobs share), wait for the response or their timeout, retry with the
// official SDKs' backoff honouring retry-after, think, and send again. The strategies of the
// scenario's client section (client_policies.hpp) act on that path: a cache hit answers before
// any attempt; every attempt waits in one line (VIP first) for a connection and a pacing slot,
// and is shed when that line is full or its wait passes the queue's deadline. Phases run one after
// another, separated by their gap; rate-limiter state carries over because the provider lives
// outside the client.
//
// It is written once and driven twice (DESIGN.md): the discrete-event driver feeds it virtual time
// and the in-memory provider; the real-socket driver feeds it wall-clock time and HTTP responses.
// Routing (client.routing, client.local_fallback; the ClientRouter policy of client_policies.hpp
// chooses, client_routing.cpp acts on its answers): each attempt goes to a provider and one of its
// keys chosen at send time; a failed attempt may go on to the next provider at once (failover)
// and, when the providers refused, to a local model served by timers alone. Failover hops are not
// SDK retries: client.retry runs only once every provider of the round has failed (or the failure
// is not a failover trigger), and its retry starts a new round.
// The route is chosen when an attempt leaves the waiting line, so the strategies act before
// routing: a cache hit reaches no provider, every attempt (hops included) queues and is paced in
// the one line, and the one pacing bucket paces the sends to all providers together.
//
// The driver implements ClientDriver (clock, timers, transport) and calls on_timer / on_result.
// Everything the model needs from a response is an AttemptResult, which both drivers build the
// same way (see attempt_result.hpp).
//
//   ClientModel client(scenario, driver);
//   client.start();            // schedules the first phase
//   ... driver loop: client.on_timer(t) / client.on_result(id, r) ...
//   client.phase_metrics();    // per phase
#pragma once

#include <cstdint>
#include <deque>
#include <memory_resource>
#include <optional>
#include <string>
#include <vector>

#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"
#include "models/timeline.hpp"
#include "models/workload.hpp"
#include "simulator/attempt_result.hpp"
#include "simulator/chunked_vector.hpp"
#include "simulator/client_policies.hpp"
#include "simulator/huge_page_arena.hpp"
#include "simulator/shared_cpu.hpp"

namespace llmsim {

enum class TimerKind : std::uint8_t {
  phase_start,  // id: phase index
  arrival,      // id: phase index; the next user of the phase starts
  think_done,   // id: user slot; the user sends its next request
  retry,        // id: request slot; backoff elapsed, start the next attempt
  timeout,      // the earliest pending attempt deadline has come
  cpu_done,     // id: request slot; a CPU job finished
  loop_done,    // the event-loop CPU's earliest job may have ended
  connected,    // id: request slot; a new connection's handshake round trips are over
  local_done,   // id: request slot; the local model finished serving it
  pacing,       // the pacer may let the head of the waiting line go now
  queue_deadline,  // the longest-waiting attempt may have waited max_wait_s
  cache_hit,    // id: request slot; a cache hit is answered
};

struct Timer {
  TimerKind kind;
  std::uint32_t id;
  std::uint32_t generation;  // stale-timer check for request timers
};

// What the client model needs from its driver.
class ClientDriver {
 public:
  virtual ~ClientDriver() = default;
  // Returns the current time of the run.
  virtual TimePoint now() const = 0;
  // Arranges for ClientModel::on_timer(timer) to be called at `at` (never before).
  virtual void schedule(TimePoint at, Timer timer) = 0;
  // Sends one attempt now to provider `provider` (index in the scenario's providers); calls
  // ClientModel::on_result(attempt_id, result) once it is complete, unless it was abandoned first.
  virtual void send(std::uint64_t attempt_id, std::size_t provider, const ProviderRequest& request,
                    std::int64_t request_bytes) = 0;
  // Gives up on an attempt (client timeout): no result will be delivered; its connection closes.
  virtual void abandon(std::uint64_t attempt_id) = 0;
};

// What the client model knows of an attempt when it is sent.
struct AttemptContext {
  std::uint64_t request_id = 0;
  std::uint32_t attempt = 0;
  std::string phase;
  TimePoint intended{};  // the request's intended start, or when its retry was due
  std::string provider;  // the scenario provider it went to (client.routing; else the first)
  std::uint32_t key = 0;  // index of its key in that provider's api_keys
  ProviderApi api = ProviderApi::openai;  // the API that provider speaks
};

// A phase's identity and measured figures, as the report needs them.
struct PhaseRun {
  std::string name;
  int users = 0;
  TimePoint start{};              // when the phase began (after its gap)
  std::optional<TimePoint> end;   // when its last request finished
  PhaseMetrics metrics;
  // With client.priority: figures and users per class, indexed by PriorityClass; else empty.
  std::vector<PhaseMetrics> classes;
  std::vector<int> class_users;
  // Second by second from `start` to `end` (models/timeline.hpp); its keys are every rate-limit
  // key requests may use, named as the report's limiter_end names them.
  Timeline timeline;
};

class ClientModel {
 public:
  ClientModel(const Scenario& scenario, ClientDriver& driver);

  // Schedules the first phase at time 0 (plus its gap).
  void start();

  // Handles a timer the driver scheduled, at its time.
  void on_timer(const Timer& timer);

  // Handles the result of attempt `attempt_id`.
  void on_result(std::uint64_t attempt_id, const AttemptResult& result);

  // Returns true once every phase has ended.
  bool is_finished() const { return finished_; }

  // Stops issuing new requests (Ctrl-C in real mode); what is in flight still completes.
  void stop_issuing() { stopping_ = true; }

  // After stop_issuing(): when no request is in flight, ends the run now (users thinking or a
  // gap before the next phase are not waited for; the current phase ends at its last finished
  // request). Returns is_finished().
  bool finish_if_idle();

  const std::vector<PhaseRun>& phases() const { return phases_; }
  // Returns the number of requests currently in flight (for progress lines).
  std::size_t in_flight() const { return live_requests_; }

  // Counts a request as started late when it starts more than `threshold` after its intended
  // time (a real-socket driver falling behind; never in virtual time).
  void set_late_threshold(Duration threshold) { late_threshold_ = threshold; }
  std::uint64_t starts() const { return starts_; }

  // Returns what a trace row needs of attempt `attempt_id`, valid while it is awaiting its
  // response (a driver calls it from send()).
  AttemptContext attempt_context(std::uint64_t attempt_id) const;
  std::uint64_t late_starts() const { return late_starts_; }

 private:
  enum class RequestState : std::uint8_t {
    idle, cpu_start, waiting_connection, connecting, cpu_send, awaiting_response, cpu_receive,
    backoff, cache_hit, local
  };
  // A user costs 40 bytes and, while its request waits for its first send, 16 more in the
  // waiting line: that request has no Request slot until it leaves the line (is_waiting), so a
  // burst of millions of users holds only these (bench/README.md, "Scale").
  struct User {
    std::uint64_t user_id = 0;       // global, names the think-time streams
    TimePoint next_intended{};       // when its next request is meant to go
    std::uint64_t request_id = 0;    // of its current request
    std::uint32_t phase = 0;
    int requests_done = 0;
    PriorityClass priority = PriorityClass::standard;
    bool is_waiting = false;         // its request waits in the line with no Request slot yet
    std::uint32_t next_free = 0;     // a free slot: the next free one (the list costs no bytes)
  };
  // A waiting user costs its User and its 16-byte line entry: issue 13's 64 bytes at most.
  static_assert(sizeof(User) <= 40, "a waiting user must stay within 64 bytes with its line entry");
  struct Request {
    std::uint32_t user = 0;
    std::uint64_t request_id = 0;    // global, names the provider's and backoff streams
    std::uint32_t attempt = 0;       // SDK retries made (0 for the first try)
    std::uint32_t provider = 0;      // route of the attempt in flight or last sent
    std::uint32_t key = 0;
    std::uint32_t tried = 0;         // providers tried in this round (0: choose anew)
    std::uint32_t generation = 0;    // bumps with every attempt and CPU job
    RequestState state = RequestState::idle;
    TimePoint intended_send{};
    TimePoint attempt_intended{};    // this attempt's: intended_send, or when its retry was due
    TimePoint wait_started{};
    Duration queued{0};
    std::int64_t bytes_sent = 0;
    std::int64_t bytes_received = 0;
    int provider_calls = 0;          // attempts sent to providers (with failover hops)
    bool is_cache_hit = false;
    std::uint64_t prompt = 0;        // keyed cache: the prompt it asks
    AttemptResult pending;           // result waiting for the CPU to handle it
  };

  // Users, phases, requests and results (client_model.cpp).
  void handle_timer(const Timer& timer);
  void begin_phase(std::uint32_t phase);
  void on_arrival(std::uint32_t phase);
  void start_request(std::uint32_t user_slot);
  void start_attempt(std::uint32_t slot);
  void wait_in_line(std::uint32_t entry, PriorityClass priority);
  bool is_in_line(std::uint32_t entry) const;
  std::uint32_t take(const WaitingLine::Entry& entry);
  std::uint32_t materialize(std::uint32_t user_slot, TimePoint wait_started);
  void handle_result(std::uint32_t slot, const AttemptResult& result);
  void finish_request(std::uint32_t slot, const AttemptResult& result);
  void user_done_with_request(std::uint32_t user_slot);
  void end_user(std::uint32_t user_slot);
  void maybe_end_phase(std::uint32_t phase);
  void count_in_flight(std::uint32_t phase, int delta);
  bool is_past_deadline(std::uint32_t phase) const;
  std::uint64_t attempt_id(std::uint32_t slot) const;

  // The send path: line, pacer, connections, CPU, timeouts (client_send.cpp).
  void dispatch();
  void arm_pacing(TimePoint at);
  void arm_queue_deadline();
  void expire_queue_deadlines();
  void shed(const WaitingLine::Entry& entry, ErrorCategory why);
  void enqueue_attempt(std::uint32_t slot);
  void acquire_connection(std::uint32_t slot);
  bool reuse_idle_connection();
  void send_on_connection(std::uint32_t slot, double cpu_ms);
  void run_on_cpu(std::uint32_t slot, double cost_ms, RequestState next);
  void arm_loop();
  void end_loop_jobs();
  void cpu_finished(std::uint32_t slot);
  void transmit(std::uint32_t slot);
  void arm_timeout();
  void expire_timeouts();
  void release_connection(bool keep_open);

  // Routing: taking the route router_ chooses, failover, the local model (client_routing.cpp).
  void choose_route(std::uint32_t slot);
  void count_attempt(std::uint32_t slot, bool succeeded);
  bool try_failover(std::uint32_t slot, const AttemptResult& result);
  bool try_local_fallback(std::uint32_t slot, const AttemptResult& result);
  void finish_local(std::uint32_t slot);

  // The timeline (client_model.cpp): the phase of a request, and the levels after each event.
  Timeline& timeline_of(std::uint32_t slot);
  void record_levels();
  void count_outcome(std::uint32_t slot, const AttemptResult& result);

  std::uint32_t allocate_user();
  std::uint32_t allocate_request();

  const Scenario& scenario_;
  ClientDriver& driver_;
  ProviderRequest request_template_;
  std::int64_t request_bytes_ = 0;

  std::vector<PhaseRun> phases_;
  std::vector<int> active_users_;     // per phase
  std::optional<ArrivalPlan> arrivals_;
  std::optional<Duration> next_arrival_;  // drawn from the plan, not yet started
  std::uint32_t current_phase_ = 0;
  bool arrivals_done_ = false;
  bool finished_ = false;
  bool stopping_ = false;

  // A line entry with this bit names a user slot whose request has no Request slot yet.
  static constexpr std::uint32_t kUserEntry = 1U << 31;
  // The users, the requests and the waiting line live in huge pages (a burst of a million users
  // touches 60 MB once); the pool recycles the blocks the line frees.
  HugePageArena arena_;
  std::pmr::unsynchronized_pool_resource pool_{&arena_};
  ChunkedVector<User> users_{&arena_};
  static constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};
  std::uint32_t free_users_ = kNoSlot;  // the last user slot freed, linked by User::next_free
  // Chunked: references stay valid while dispatch() gives waiting requests their slots.
  ChunkedVector<Request, 256> requests_{&arena_};
  std::vector<std::uint32_t> free_requests_;
  std::size_t live_requests_ = 0;
  std::uint64_t next_user_id_ = 0;
  std::uint64_t next_request_id_ = 0;
  Duration late_threshold_ = Duration::max();
  std::uint64_t starts_ = 0;
  std::uint64_t late_starts_ = 0;

  int free_connections_ = 0;
  WaitingLine line_{&pool_};          // attempts waiting for a connection (and a pacing slot)
  std::optional<ClientPacer> pacer_;
  std::optional<ResponseCache> cache_;
  std::int64_t pacing_cost_ = 0;      // tokens an attempt costs, as the provider counts them
  bool pacing_armed_ = false;
  bool queue_deadline_armed_ = false;
  struct Deadline {
    TimePoint at;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  std::deque<Deadline> deadlines_;  // attempt timeouts, in send order
  bool timeout_armed_ = false;
  // The client's CPU (client.cpu): first come, first served, the time each core is next free;
  // or the event loop all ready jobs share, with a timer pending for its earliest end.
  std::vector<TimePoint> core_free_at_;
  std::optional<SharedCpu> loop_;
  std::optional<TimePoint> loop_timer_at_;  // the earliest loop timer pending
  // Opening connections (network.connect_round_trips, cpu.per_connection_ms): when they cost
  // anything, the pool remembers its open idle connections, newest last, since when each idles.
  bool connections_cost_ = false;
  Duration handshake_{0};
  std::vector<TimePoint> idle_connections_;

  ClientRouter router_;               // where attempts go, and what is in flight where
  // Requests in flight per phase and since when, for PhaseMetrics::in_flight_time.
  struct InFlightTally {
    std::int64_t count = 0;
    TimePoint since{};
  };
  std::vector<InFlightTally> in_flight_by_phase_;
  // Rate-limit keys of the timeline: names, and where each routed provider's keys start.
  std::vector<std::string> limiter_keys_;
  std::vector<std::size_t> limiter_key_offset_;
};

}  // namespace llmsim
