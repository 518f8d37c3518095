// The real-socket driver. See socket_driver.hpp.
#include "simulator/socket_driver.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "simulator/event_queue.hpp"
#include "simulator/trace_recorder.hpp"
#include "simulator/http_exchange.hpp"
#include "simulator/server_process.hpp"
#include "wire/openai.hpp"

#include "load_targets.hpp"

namespace llmsim {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// A start more than this much wall time after its due time counts as late (wrk2 would call the
// load generator "behind"); more than 1% late starts make the run not trustworthy.
constexpr auto kLateStart = std::chrono::milliseconds(5);
constexpr double kMaxLateShare = 0.01;
// Above this share of one core the load generator itself is the bottleneck.
constexpr double kMaxGeneratorCpu = 0.9;
constexpr std::uint64_t kResponseBodyLimit = 64ULL * 1024 * 1024;
// Two time scales closer than this (relative) are the same: the header's text is exact anyway.
constexpr double kScaleTolerance = 1e-9;

class SocketDriver final : public ClientDriver {
 public:
  // `targets` has one entry per routed provider, in the scenario's order.
  SocketDriver(const Scenario& scenario, const LoadOptions& options, const std::vector<Target>& targets)
      : scenario_(scenario),
        options_(options),
        wake_(io_),
        progress_timer_(io_),
        signals_(io_, SIGINT, SIGTERM) {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const Target& target = targets[i];
      const ProviderConfig& provider = scenario.providers[i];
      routes_.push_back(Route{.target = target,
                              .endpoints = tcp::resolver(io_).resolve(target.host, target.port),
                              .api = provider.api,
                              .path = target.base_path + endpoint_path(scenario.request, provider.api),
                              .body = request_body(scenario.request, provider),
                              .head_starts = {},
                              .idle = {}});
    }
  }

  LoadResult run() {
    ClientModel client(scenario_, *this);
    client_ = &client;
    last_arrival_.assign(scenario_.workload.phases.size(), std::nullopt);
    // kLateStart of wall time, in scenario time.
    client.set_late_threshold(options_.time_scale.to_model(kLateStart));
    start_ = SteadyClock::now();
    unix_start_ = TimePoint{std::chrono::duration_cast<Duration>(
        std::chrono::system_clock::now().time_since_epoch())};
    const ProcessUsage usage_before = self_usage();
    watch_signals();
    if (options_.progress) print_progress();
    client.start();
    io_.run();
    LoadResult result;
    if (time_scale_error_) throw std::runtime_error(*time_scale_error_);
    result.phases = client.phases();
    result.incomplete = stop_requested_;
    const double wall_s = std::chrono::duration<double>(SteadyClock::now() - start_).count();
    const ProcessUsage usage = self_usage();
    const double cpu_share = wall_s > 0 ? (usage.cpu_s - usage_before.cpu_s) / wall_s : 0;
    starts_ = client.starts();
    late_starts_ = client.late_starts();
    const double late_share = starts_ ? static_cast<double>(late_starts_) / static_cast<double>(starts_) : 0;
    result.refused = connects_ == 0 && refused_connects_ > 0;
    result.trustworthy = !result.refused && late_share <= kMaxLateShare && cpu_share <= kMaxGeneratorCpu;
    add_notes(result, wall_s, cpu_share, usage);
    if (options_.progress) std::fputs("\n", stderr);
    client_ = nullptr;
    return result;
  }

  TimePoint now() const override {
    return TimePoint{} + options_.time_scale.to_model(
                             std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start_));
  }

  void schedule(TimePoint at, Timer timer) override {
    timers_.push(at, timer);
    if (!armed_at_ || at < *armed_at_) arm(at);
  }

  void send(std::uint64_t attempt_id, std::size_t provider, const ProviderRequest& request,
            std::int64_t) override {
    auto state = std::make_shared<AttemptState>();
    state->provider = provider;
    attempts_[attempt_id] = state;
    if (options_.recorder) {
      options_.recorder->on_send(attempt_id, client_->attempt_context(attempt_id), now(), request.prompt_tokens);
    }
    asio::co_spawn(io_, exchange(attempt_id, request, state), asio::detached);
  }

  void abandon(std::uint64_t attempt_id) override {
    auto it = attempts_.find(attempt_id);
    if (it == attempts_.end()) return;
    if (options_.recorder) options_.recorder->on_abandon(attempt_id, now());
    it->second->is_abandoned = true;
    // Closing makes the pending read finish at once; the connection is not reused.
    if (it->second->connection) it->second->connection->stream.socket().close();
    attempts_.erase(it);
  }

 private:
  // A kept-alive connection with what its requests reuse: the read buffer (grown once to fit a
  // whole response, so each is read with one receive) and the attempt's part of the head.
  struct Connection {
    explicit Connection(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::string head_end;
  };

  struct AttemptState {
    std::unique_ptr<Connection> connection;
    std::size_t provider = 0;  // index into routes_
    bool is_abandoned = false;
    ResponseFacts facts;  // recording only: what the trace row needs of the response
  };
  // One provider's target, with its API's request and its own kept-alive connections.
  struct Route {
    Target target;
    tcp::resolver::results_type endpoints;
    ProviderApi api = ProviderApi::openai;
    std::string path;
    std::string body;  // every attempt's body (the provider's API and model)
    // Request line and the headers every request carries, by the key sent (one per key).
    std::map<std::string, std::string, std::less<>> head_starts;
    std::vector<std::unique_ptr<Connection>> idle;
    bool is_scale_checked = false;  // its x-llmsim-time-scale was compared with ours
  };

  // Returns the wall time of scenario time `at`; now() there is `at` or later (TimeScale rounds up).
  SteadyClock::time_point wall_of(TimePoint at) const {
    return start_ + options_.time_scale.to_wall(at.time_since_epoch());
  }

  void arm(TimePoint at) {
    armed_at_ = at;
    wake_.expires_at(wall_of(at));
    wake_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;  // re-armed earlier, or stopping
      armed_at_.reset();
      fire_due_timers();
    });
  }

  void fire_due_timers() {
    // Timers due up to a microsecond from now run in this wake-up, not after arming the timer
    // again for less time than that takes.
    const TimePoint due = now() + std::chrono::microseconds(1);
    while (!timers_.empty() && timers_.next_time() <= due) {
      auto event = timers_.pop();
      const Timer timer = event.payload;
      if (timer.kind == TimerKind::phase_start || timer.kind == TimerKind::arrival) {
        last_arrival_[timer.id] = now();  // when the phase's latest arrivals really started
      }
      client_->on_timer(timer);
      if (check_finished()) return;
    }
    if (!timers_.empty()) arm(timers_.next_time());
  }

  bool check_finished() {
    if (client_ == nullptr) return false;
    // After a first Ctrl-C the run ends as soon as nothing is in flight, not after the next gap.
    if (stop_requested_) client_->finish_if_idle();
    if (!client_->is_finished()) return false;
    wake_.cancel();
    progress_timer_.cancel();
    signals_.cancel();
    for (Route& route : routes_) route.idle.clear();
    io_.stop();
    return true;
  }

  asio::awaitable<void> exchange(std::uint64_t attempt_id, ProviderRequest request,
                                 std::shared_ptr<AttemptState> state) {
    Route& route = routes_[state->provider];
    if (options_.emulate_rtt) co_await wait_half_rtt();
    if (state->is_abandoned) co_return;
    AttemptResult result;
    bool is_reusable = false;
    // A kept-alive connection may have been closed by the server meanwhile: try a fresh one once.
    for (int tries = 0; tries < 2; ++tries) {
      const bool is_reused = take_connection(*state);
      if (!is_reused) {
        auto [connect_error, endpoint] =
            co_await state->connection->stream.async_connect(route.endpoints, kAsTuple);
        if (connect_error) {
          ++refused_connects_;
          result = AttemptResult{.error = ErrorCategory::connection};
          break;
        }
        ++connects_;
        // Requests are small and latency-bound: do not let Nagle hold them back.
        boost::system::error_code ignored;
        state->connection->stream.socket().set_option(tcp::no_delay(true), ignored);
      }
      result = co_await round_trip(*state, request, is_reusable);
      if (state->is_abandoned) co_return;
      if (!(is_reused && result.error == ErrorCategory::connection && result.status == 0)) break;
      state->connection.reset();
    }
    if (is_reusable) route.idle.push_back(std::move(state->connection));
    if (options_.emulate_rtt) co_await wait_half_rtt();
    if (state->is_abandoned) co_return;
    attempts_.erase(attempt_id);
    if (options_.recorder) options_.recorder->on_response(attempt_id, now(), result, state->facts);
    client_->on_result(attempt_id, result);
    check_finished();
  }

  // Returns the emulated half round trip in scenario time (0 when not emulating).
  Duration half_rtt() const {
    return options_.emulate_rtt ? from_millis(scenario_.client.network.rtt_ms / 2.0) : Duration{0};
  }

  // Waits half the scenario's round trip, in scenario time.
  asio::awaitable<void> wait_half_rtt() {
    const std::chrono::nanoseconds wall = options_.time_scale.to_wall(half_rtt());
    if (wall <= std::chrono::nanoseconds::zero()) co_return;
    asio::steady_timer timer(io_);
    timer.expires_after(wall);
    co_await timer.async_wait(kAsTuple);
  }

  // Returns true when it took an idle kept-alive connection, false when it made a new one.
  bool take_connection(AttemptState& state) {
    auto& idle = routes_[state.provider].idle;
    if (!idle.empty()) {
      state.connection = std::move(idle.back());
      idle.pop_back();
      return true;
    }
    state.connection = std::make_unique<Connection>(io_);
    return false;
  }

  // Returns the head start of provider `provider`'s requests sent with the key the client model
  // chose, or with the given key (OPENAI_API_KEY for a bare --target) for the first provider.
  const std::string& head_start(std::size_t provider, const std::string& chosen_key) {
    Route& route = routes_[provider];
    const std::string& key = provider == 0 && !options_.api_key.empty() ? options_.api_key : chosen_key;
    auto it = route.head_starts.find(key);
    if (it == route.head_starts.end()) {
      it = route.head_starts.emplace(key, request_head_start(route.path, route.target.host, key, route.api)).first;
    }
    return it->second;
  }

  // Sends the request of one attempt (the run's head start, the attempt's head end and the body
  // in one gather write) and reads the response.
  asio::awaitable<AttemptResult> round_trip(AttemptState& state, const ProviderRequest& request,
                                            bool& is_reusable) {
    AttemptResult failed;
    failed.error = ErrorCategory::connection;
    is_reusable = false;
    Connection& connection = *state.connection;
    const Route& route = route_of(state);
    if (!connection.stream.socket().is_open()) co_return failed;
    write_request_head_end(connection.head_end, request.attempt, request.request_id, route.body.size());
    const std::array<asio::const_buffer, 3> request_bytes = {
        asio::buffer(head_start(state.provider, request.key)), asio::buffer(connection.head_end),
        asio::buffer(route.body)};
    auto [write_error, written] = co_await asio::async_write(connection.stream, request_bytes, kAsTuple);
    if (write_error || state.is_abandoned) co_return failed;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    state.facts = ResponseFacts{};
    // The header first, to time the first byte (time to first token, the trace's first_byte_s):
    // a stream's headers come with its first token, a whole response's with its body.
    std::optional<TimePoint> first_byte;
    auto [header_error, header_read] =
        co_await http::async_read_header(connection.stream, connection.buffer, parser, kAsTuple);
    if (!header_error) first_byte = now() + half_rtt();
    auto [read_error, read] =
        co_await http::async_read(connection.stream, connection.buffer, parser, kAsTuple);
    if (state.is_abandoned) co_return failed;
    if (!parser.is_header_done()) co_return failed;
    const auto& response = parser.get();
    const auto header = [&response](std::string_view name) -> std::optional<std::string_view> {
      auto it = response.find(name);
      if (it == response.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    // One reading of the response (its API's contract) for the client model and the trace.
    const ResponseView view{.status = static_cast<int>(response.result_int()),
                            .headers = wire::read_headers(header),
                            .body = response.body(),
                            .is_complete = !read_error && parser.is_done(),
                            .bytes_received = static_cast<std::int64_t>(header_read + read),
                            .body_bytes = static_cast<std::int64_t>(read),
                            .endpoint = scenario_.request.endpoint,
                            .api = route.api};
    const wire::Reading reading = reading_of(view, header, unix_now());
    if (first_byte && options_.recorder) state.facts = facts_of_reading(*first_byte, reading);
    if (!route_of(state).is_scale_checked) {
      check_time_scale(route_of(state), header(kTimeScaleHeader));
      if (time_scale_error_) co_return failed;
    }
    is_reusable = !read_error && parser.is_done() && response.keep_alive();
    AttemptResult result = read_response(view, reading);
    result.first_byte = first_byte;
    co_return result;
  }

  Route& route_of(const AttemptState& state) { return routes_[state.provider]; }

  // The client's clock since the Unix epoch, for times a response states (Anthropic's resets):
  // the wall clock at the run's start plus the scenario time since. A mock server at another
  // --time-scale than 1 keeps its own such clock from its own start, so resets it states are
  // read off by the time between the two starts times the scale.
  TimePoint unix_now() const { return unix_start_ + now().time_since_epoch(); }

  // Compares the scale a mock server states with ours, once per route; on a difference, notes
  // why and ends the run (its figures would mix two clocks). A server that states none (a real
  // API) is taken as it is.
  void check_time_scale(Route& route, std::optional<std::string_view> stated) {
    route.is_scale_checked = true;
    if (!stated) return;
    const std::optional<TimeScale> theirs = TimeScale::parse(*stated);
    const double ours = options_.time_scale.model_per_wall();
    if (theirs && std::abs(theirs->model_per_wall() - ours) <= kScaleTolerance * ours) return;
    time_scale_error_ = "the mock server at http://" + route.target.host + ":" + route.target.port + " runs at time scale " + std::string(*stated) +
                        " (its " + std::string(kTimeScaleHeader) + " header), this run at --time-scale " +
                        options_.time_scale.text() + ": its delays would be off by their ratio; start both with the same --time-scale";
    io_.stop();
  }

  void watch_signals() {
    signals_.async_wait([this](const boost::system::error_code& error, int) {
      if (error) return;
      if (!stop_requested_) {
        // First Ctrl-C: send nothing new, let what is in flight finish, then report.
        stop_requested_ = true;
        client_->stop_issuing();
        say_stopping(client_->in_flight());
        if (!check_finished()) watch_signals();
        return;
      }
      // Second Ctrl-C: give up on what is in flight too.
      io_.stop();
    });
  }

  // Tells what the first Ctrl-C waits for, on its own line (after any progress line).
  static void say_stopping(std::size_t in_flight) {
    if (in_flight == 0) {
      std::fputs("\nstopping: nothing in flight, reporting now\n", stderr);
    } else {
      std::fprintf(stderr, "\nstopping: finishing %zu requests in flight (Ctrl-C again to stop now)\n", in_flight);
    }
    std::fflush(stderr);
  }

  void print_progress() {
    progress_timer_.expires_after(std::chrono::seconds(1));
    progress_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error || client_ == nullptr) return;
      std::uint64_t done = 0, failed = 0;
      std::size_t phase = 0;
      for (std::size_t i = 0; i < client_->phases().size(); ++i) {
        const PhaseMetrics& m = client_->phases()[i].metrics;
        done += m.requests;
        failed += m.requests - m.succeeded;
        if (m.requests > 0 || client_->phases()[i].start != TimePoint{}) phase = i;
      }
      const double rate = static_cast<double>(done - last_done_);
      last_done_ = done;
      std::fprintf(stderr, "\rphase %zu/%zu \"%s\": %llu done, %zu in flight, %.0f req/s, %llu errors   ",
                   phase + 1, client_->phases().size(), client_->phases()[phase].name.c_str(),
                   static_cast<unsigned long long>(done), client_->in_flight(), rate,
                   static_cast<unsigned long long>(failed));
      print_progress();
    });
  }

  void add_notes(LoadResult& result, double wall_s, double cpu_share, const ProcessUsage& usage) const {
    auto& notes = result.notes;
    char text[160];
    std::snprintf(text, sizeof text, "%s (wall %.3f s)", options_.time_scale.text().c_str(), wall_s);
    notes.emplace_back("time_scale", text);
    for (const LoadTarget& target : options_.targets) {
      notes.emplace_back(options_.targets.size() == 1 ? "target" : "target " + target.provider, target.url);
    }
    if (options_.emulate_rtt) {
      std::snprintf(text, sizeof text, "%g ms added per attempt (loopback stands in for the API)",
                    scenario_.client.network.rtt_ms);
      notes.emplace_back("emulated_rtt", text);
    }
    std::snprintf(text, sizeof text, "%llu of %llu late by more than %lld ms",
                  static_cast<unsigned long long>(late_starts_), static_cast<unsigned long long>(starts_),
                  static_cast<long long>(kLateStart.count()));
    notes.emplace_back("late_starts", text);
    for (std::size_t i = 0; i < scenario_.workload.phases.size(); ++i) {
      const Phase& phase = scenario_.workload.phases[i];
      const PhaseRun& run = result.phases[i];
      if (phase.start != StartMode::poisson && phase.start != StartMode::constant_rate) continue;
      // The gaps between arrivals over the time from the phase's start to when its last arrival
      // really started: N - 1 gaps at a constant rate (the first arrival is at the start), N for
      // Poisson arrivals (the first comes one exponential gap after the start).
      const std::optional<TimePoint>& last = last_arrival_[i];
      const double span_s = last ? to_seconds(*last - run.start) : 0.0;
      const double gaps = static_cast<double>(
          phase.start == StartMode::poisson ? run.users : std::max(run.users - 1, 0));
      std::snprintf(text, sizeof text, "requested %.3f/s, achieved %.3f/s", phase.rate_per_s,
                    span_s > 0 ? gaps / span_s : 0.0);
      notes.emplace_back("arrival_rate " + phase.name, text);
    }
    std::snprintf(text, sizeof text, "%.1f%% of one core, peak memory %.1f MB", 100.0 * cpu_share,
                  static_cast<double>(usage.peak_memory_kb) / 1024.0);
    notes.emplace_back("load_generator", text);
    if (result.refused) {
      notes.emplace_back("trustworthy", "no: the target refused every connection (nothing listening?)");
    } else {
      notes.emplace_back("trustworthy", result.trustworthy ? "yes" : "no: the load generator could not keep up");
    }
    if (result.incomplete) notes.emplace_back("incomplete", "stopped by a signal; figures cover what was done");
  }

  const Scenario& scenario_;
  const LoadOptions& options_;
  asio::io_context io_{1};
  // One per routed provider (a deque: Route is move-only); after io_, so it is destroyed first.
  std::deque<Route> routes_;
  asio::steady_timer wake_;
  asio::steady_timer progress_timer_;
  asio::signal_set signals_;
  SteadyClock::time_point start_;
  TimePoint unix_start_{};  // the wall clock at start_, since the Unix epoch
  EventQueue<Timer> timers_;
  std::optional<TimePoint> armed_at_;
  std::unordered_map<std::uint64_t, std::shared_ptr<AttemptState>> attempts_;
  ClientModel* client_ = nullptr;
  std::uint64_t starts_ = 0;
  std::uint64_t late_starts_ = 0;
  std::uint64_t last_done_ = 0;
  bool stop_requested_ = false;
  std::uint64_t connects_ = 0;          // connections made
  std::uint64_t refused_connects_ = 0;  // connections that failed to open
  std::optional<std::string> time_scale_error_;  // a mock server runs at another time scale
  std::vector<std::optional<TimePoint>> last_arrival_;  // by phase: arrival timers handled
};

}  // namespace

LoadResult run_load(const Scenario& scenario, const LoadOptions& options) {
  ensure_file_limit(scenario.client.connections);
  LoadOptions effective = options;
  std::deque<ServerProcess> servers;
  if (effective.targets.empty()) servers = start_servers(scenario, effective);
  SocketDriver driver(scenario, effective, routed_targets(scenario, effective.targets));
  LoadResult result = driver.run();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const ProcessUsage usage = servers[i].stop();
    result.notes.emplace_back(servers.size() == 1 ? "server" : "server " + scenario.providers[i].name,
                              server_usage_note(usage));
  }
  return result;
}

}  // namespace llmsim
