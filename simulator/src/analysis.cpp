// Per-phase queueing analysis beside the simulated figures. See analysis.hpp.
#include "simulator/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <variant>

#include "models/queueing.hpp"
#include "models/service_time.hpp"
#include "models/token_model.hpp"
#include "models/workload.hpp"

namespace llmsim {

namespace {

// A closed phase whose users send fewer requests than this is mostly its start-up transient.
constexpr int kMinRequestsForSteadyState = 10;
constexpr double kSecondsPerMinute = 60;
constexpr double kSecondsPerDay = 86400;

std::string num(double x) { return format_figure(x); }

// What the simulated run measured in one phase.
struct Measured {
  double duration_s = 0;  // phase start to its last response
  double requests = 0;
  double admitted = 0;    // requests whose last attempt the provider admitted
  double throughput = 0;  // requests per second
  double mean_latency_s = 0;
  double mean_queue_s = 0;
  double waited_fraction = 0;
  double mean_in_flight = 0;
};

Measured measure(const PhaseRun& run) {
  const PhaseMetrics& m = run.metrics;
  Measured out;
  out.duration_s = run.end ? to_seconds(*run.end - run.start) : 0.0;
  out.requests = static_cast<double>(m.requests);
  const auto errors = [&m](ErrorCategory c) { return static_cast<double>(m.errors[static_cast<std::size_t>(c)]); };
  // Faults come after admission; refusals (and too-large requests, counted as other) do not.
  out.admitted = static_cast<double>(m.succeeded) + errors(ErrorCategory::quota) +
                 errors(ErrorCategory::server_5xx) + errors(ErrorCategory::timeout) +
                 errors(ErrorCategory::connection);
  if (m.requests == 0 || out.duration_s <= 0) return out;
  out.throughput = out.requests / out.duration_s;
  out.mean_latency_s = m.latency.mean() / 1e9;
  out.mean_queue_s = m.queue.mean() / 1e9;
  out.waited_fraction = static_cast<double>(m.waited) / out.requests;
  out.mean_in_flight = to_seconds(m.in_flight_time) / out.duration_s;
  return out;
}

bool has_faults(const FaultConfig& f) {
  return f.server_error + f.overloaded + f.timeout + f.drop_mid_stream + f.quota_exhausted +
             f.slow_first_byte > 0;
}

// The token buckets of a provider, full, with daily buckets less the usage before the run.
std::vector<TokenBucket> initial_buckets(const Scenario& scenario) {
  const ProviderConfig& provider = scenario.providers.front();
  const RateLimits& limits = provider.limits;
  const RequestConfig& request = scenario.request;
  const auto tokens = static_cast<double>(
      request_token_cost(is_generation(request.endpoint), request.prompt_tokens, request.max_tokens));
  // A quantization window shrinks a per-minute bucket's burst to max(1, L x window / 60 s).
  const double burst_share = limits.quantization_window
                                 ? to_seconds(*limits.quantization_window) / kSecondsPerMinute
                                 : 1.0;
  std::vector<TokenBucket> buckets;
  const auto add = [&buckets](const char* name, std::int64_t limit, double window_s, double cost,
                              double capacity_share, std::int64_t used) {
    const auto units = static_cast<double>(limit);
    const double capacity = std::max(1.0, units * capacity_share);
    const double available = std::max(0.0, capacity - static_cast<double>(used));
    buckets.push_back({name, capacity, units / window_s, cost, available});
  };
  if (limits.rpm) add("RPM", *limits.rpm, kSecondsPerMinute, 1, burst_share, 0);
  if (limits.tpm) add("TPM", *limits.tpm, kSecondsPerMinute, tokens, burst_share, 0);
  if (limits.rpd) add("RPD", *limits.rpd, kSecondsPerDay, 1, 1.0, provider.initial_usage.requests_today);
  if (limits.tpd) add("TPD", *limits.tpd, kSecondsPerDay, tokens, 1.0, provider.initial_usage.tokens_today);
  return buckets;
}

// Refills every bucket for `seconds` (up to its capacity).
void refill(std::vector<TokenBucket>& buckets, double seconds) {
  for (TokenBucket& b : buckets) b.available = std::min(b.capacity, b.available + b.refill_per_s * seconds);
}

// Refills for the phase and takes what it admitted (a fluid level: never below 0).
void spend(std::vector<TokenBucket>& buckets, double seconds, double admitted) {
  for (TokenBucket& b : buckets) {
    b.available = std::clamp(b.available + b.refill_per_s * seconds - admitted * b.cost, 0.0, b.capacity);
  }
}

// Requests the phase offers: users x requests_per_user when nothing else cuts it, else as sent.
double offered_requests(const Phase& phase, const Measured& measured) {
  if (phase.requests_per_user && !phase.duration_s) {
    return static_cast<double>(phase.users) * *phase.requests_per_user;
  }
  return measured.requests;
}

// Returns the client strategies (data/README.md, "Strategies") that change which requests reach
// the pool or in what order, or nullopt when none is on.
std::optional<std::string> strategies_on(const ClientConfig& client) {
  std::vector<std::string> on;
  if (client.queue) on.emplace_back("queue (sheds requests)");
  if (client.pacing) on.emplace_back("pacing (holds requests before the pool)");
  if (client.cache) on.emplace_back("cache (answers requests locally)");
  if (client.priority) on.emplace_back("priority (serves VIP requests first)");
  if (on.empty()) return std::nullopt;
  std::string text = on.front();
  for (std::size_t i = 1; i < on.size(); ++i) text += ", " + on[i];
  return text;
}

// The analysis context of one phase.
struct PhaseInput {
  const Scenario& scenario;
  const Phase& phase;
  const Measured& measured;
  const AdmissionBound& bound;
  double offered = 0;
};

// Why no model here covers a routed client (client.routing, client.local_fallback).
constexpr const char* kRoutingOutside =
    "routing is on (several keys or providers, or a local model): the models see one provider's "
    "buckets and one pool";

// Adds the users working steadily the per-minute limits serve: their refill rate x (think +
// service), and a note when the phase's users outnumber it (the bucket, not the rate, serves
// them). Daily limits are left out: they bind over a day, not over a working session.
void add_steady_users(const PhaseInput& in, const std::vector<TokenBucket>& buckets, ModelAnalysis& m) {
  double per_s = std::numeric_limits<double>::infinity();
  for (const TokenBucket& b : buckets) {
    if (b.name == "RPM" || b.name == "TPM") per_s = std::min(per_s, b.refill_per_s / b.cost);
  }
  const double think_s = in.phase.think_time_s.mean();
  const double service_s = service_time_moments(in.scenario).mean;
  if (!std::isfinite(per_s) || think_s + service_s <= 0) return;
  const double steady = per_s * (think_s + service_s);
  m.figures.push_back({"steady_users", steady, std::nullopt});
  m.notes.push_back("steady_users: users working steadily the per-minute limits serve, their rate x (think " +
                    num(think_s) + " s + service " + num(service_s) + " s)");
  if (in.phase.users > steady) {
    m.notes.push_back("the phase's " + num(in.phase.users) + " users are more than that: a burst the bucket serves, "
                      "users working steadily would not be (data/README.md, \"Burst users and steady users\")");
  }
}

ModelAnalysis rate_limit_analysis(const PhaseInput& in, const std::vector<TokenBucket>& buckets) {
  ModelAnalysis m{.model = "rate_limits", .title = "Rate limits (token buckets)"};
  if (has_routing(in.scenario)) {
    m.outside = kRoutingOutside;
    return m;
  }
  std::string parameters;
  for (const TokenBucket& b : buckets) {
    if (!parameters.empty()) parameters += "; ";
    parameters += b.name + " bucket " + num(b.capacity) + ", " + num(b.available) + " at start, cost " +
                  num(b.cost) + "/request";
  }
  m.parameters = parameters + "; " + num(in.offered) + " requests offered over " +
                 num(in.measured.duration_s) + " s";
  m.notes.push_back("admitted over the phase: burst plus refill (a fluid bound); levels carry over "
                    "from the previous phase and its gap");
  if (has_faults(in.scenario.providers.front().faults)) {
    m.notes.push_back("simulated admitted counts requests whose last attempt was admitted");
  }
  if (auto strategies = strategies_on(in.scenario.client)) {
    m.notes.push_back("client strategies are on (" + *strategies + "): the bound is the account's, "
                      "what the client offers it may be less");
  }
  // Open arrivals have a rate of their own; otherwise the rate is what the phase sent.
  double offered_per_s = in.bound.offered_rate;
  if (is_open_loop(in.phase) && in.phase.requests_per_user) {
    offered_per_s = in.phase.rate_per_s * *in.phase.requests_per_user;
    m.figures.push_back({"offered_per_min", offered_per_s * kSecondsPerMinute,
                         in.measured.throughput * kSecondsPerMinute});
  }
  const double long_run = std::min(offered_per_s, in.bound.sustained_rate);
  m.figures.push_back({"long_run_admitted_per_min", long_run * kSecondsPerMinute, std::nullopt});
  m.figures.push_back({"admitted_requests", in.bound.phase_admitted, in.measured.admitted});
  if (in.bound.sustained_rate < offered_per_s) {
    m.notes.push_back("long run: " + in.bound.sustained_binding + " binds");
  }
  if (!is_open_loop(in.phase)) add_steady_users(in, buckets, m);
  return m;
}

// Returns why the pool models' common assumptions fail, or nullopt.
std::optional<std::string> common_violation(const PhaseInput& in) {
  if (in.measured.requests == 0 || in.measured.duration_s <= 0) return "no requests finished in the phase";
  if (has_routing(in.scenario)) return kRoutingOutside;
  if (auto strategies = strategies_on(in.scenario.client)) {
    return "client strategies are on: " + *strategies;
  }
  if (has_faults(in.scenario.providers.front().faults)) {
    return "faults are on (errors, hangs and slow first bytes change the service time)";
  }
  if (in.bound.phase_admitted < in.offered) {
    return "the rate limits bind (" + in.bound.phase_binding + " admits " + num(in.bound.phase_admitted) +
           " of " + num(in.offered) + " requests): refusals and retries are not in the model";
  }
  return std::nullopt;
}

// Notes every pool model shares: what it leaves out of the scenario.
void add_common_notes(const Scenario& scenario, ModelAnalysis& m) {
  if (scenario.client.cpu.enabled) {
    m.notes.push_back("client CPU: per_request_ms counted in the service time, its queueing left out");
  }
  if (scenario.client.timeout_s) m.notes.push_back("timeout_s assumed never reached");
}

std::string service_parameters(const Moments& service, int servers) {
  return "E[S] = " + num(service.mean) + " s, Cs^2 = " + num(service.scv()) + ", c = " + std::to_string(servers);
}

ModelAnalysis open_pool_analysis(const PhaseInput& in) {
  const bool exponential = is_exponential_service(in.scenario);
  ModelAnalysis m{.model = exponential ? "mmc" : "mgc",
                  .title = exponential ? "M/M/c (Erlang C)" : "M/G/c (Allen-Cunneen)"};
  const Phase& phase = in.phase;
  if (!is_open_loop(phase)) {
    m.outside = "arrivals are not open: a fixed population of users starts " +
                std::string(phase.start == StartMode::ramp ? "over a ramp" : "all at once");
    return m;
  }
  if (phase.start == StartMode::constant_rate) {
    m.outside = "arrivals are evenly spaced (constant_rate), not Poisson";
    return m;
  }
  if (!phase.requests_per_user) {
    m.outside = "each arrival sends requests until duration_s ends: no fixed request rate";
    return m;
  }
  if (auto violation = common_violation(in)) {
    m.outside = *violation;
    return m;
  }
  const Moments service = service_time_moments(in.scenario);
  const int servers = in.scenario.client.connections;
  const double lambda = phase.rate_per_s * *phase.requests_per_user;
  const double rho = lambda * service.mean / servers;
  m.parameters = "lambda = " + num(lambda) + "/s, " + service_parameters(service, servers) + ", rho = " + num(rho);
  if (*phase.requests_per_user > 1) {
    m.notes.push_back("each arrival sends " + std::to_string(*phase.requests_per_user) +
                      " requests: the follow-ups are taken as Poisson too (a delayed Poisson stream)");
  }
  add_common_notes(in.scenario, m);
  if (service.mean <= 0 || rho >= 1) {
    m.outside = "no steady state: rho = " + num(rho) + (service.mean <= 0 ? " (zero service time)" : " >= 1");
    return m;
  }
  const MultiServerQueue q = exponential ? erlang_c(lambda, service.mean, servers)
                                         : mgc_allen_cunneen(lambda, service.mean, service.scv(), servers);
  const Measured& s = in.measured;
  const double busy = s.throughput * (s.mean_latency_s - s.mean_queue_s);
  m.figures = {{"wait_probability", q.wait_probability, s.waited_fraction},
               {"mean_wait_s", q.mean_wait_s, s.mean_queue_s},
               {"mean_response_s", q.mean_response_s, s.mean_latency_s},
               {"utilisation", q.utilisation, busy / servers}};
  return m;
}

ModelAnalysis closed_pool_analysis(const PhaseInput& in) {
  ModelAnalysis m{.model = "closed_ctmc", .title = "Closed M/M/c//N (Markov chain)"};
  const Phase& phase = in.phase;
  if (is_open_loop(phase)) {
    m.outside = "arrivals are open (a rate), not a fixed population of users";
    return m;
  }
  if (phase.requests_per_user && *phase.requests_per_user < kMinRequestsForSteadyState) {
    m.outside = "users send " + std::to_string(*phase.requests_per_user) +
                " request(s) each: a start-up transient, no steady state";
    return m;
  }
  const Moments think = clamped_moments(phase.think_time_s);
  if (think.mean <= 0) {
    m.outside = "no think time: users send back to back";
    return m;
  }
  if (auto violation = common_violation(in)) {
    m.outside = *violation;
    return m;
  }
  const Moments service = service_time_moments(in.scenario);
  if (service.mean <= 0) {
    m.outside = "zero service time";
    return m;
  }
  const int servers = in.scenario.client.connections;
  m.parameters = "N = " + std::to_string(phase.users) + ", Z = " + num(think.mean) + " s, " +
                 service_parameters(service, servers);
  const bool exponential_think = std::holds_alternative<Distribution::Exponential>(phase.think_time_s.family());
  if (!exponential_think || !is_exponential_service(in.scenario)) {
    m.notes.push_back("think or service time not exponential: the chain uses their means only");
  }
  m.notes.push_back("steady state: the start-up and wind-down are in the simulated figures");
  add_common_notes(in.scenario, m);
  const ClosedQueue q = finite_source_ctmc(phase.users, think.mean, service.mean, servers);
  const Measured& s = in.measured;
  const double busy = s.throughput * (s.mean_latency_s - s.mean_queue_s);
  m.figures = {{"throughput_rps", q.throughput, s.throughput},
               {"mean_response_s", q.mean_response_s, s.mean_latency_s},
               {"mean_waiting", q.mean_waiting, s.throughput * s.mean_queue_s},
               {"utilisation", q.utilisation, busy / servers}};
  return m;
}

ModelAnalysis littles_law(const Measured& s) {
  ModelAnalysis m{.model = "littles_law", .title = "Little's law (simulated run)"};
  if (s.requests == 0 || s.duration_s <= 0) {
    m.outside = "no requests finished in the phase";
    return m;
  }
  m.parameters = "X = " + num(s.throughput) + "/s, W = " + num(s.mean_latency_s) + " s";
  m.notes.push_back("analytic: X x W; simulated: the time-average of requests in flight");
  m.figures = {{"mean_in_flight", s.throughput * s.mean_latency_s, s.mean_in_flight}};
  return m;
}

}  // namespace

std::optional<double> AnalysisFigure::relative_difference() const {
  if (!simulated || analytic == 0) return std::nullopt;
  return (*simulated - analytic) / analytic;
}

Analysis analyze(const Scenario& scenario, const SimulationResult& run) {
  Analysis analysis{.scenario = scenario.name, .seed = scenario.seed};
  std::vector<TokenBucket> buckets = initial_buckets(scenario);
  for (std::size_t i = 0; i < run.phases.size(); ++i) {
    const Phase& phase = scenario.workload.phases[i];
    const Measured measured = measure(run.phases[i]);
    if (i > 0) refill(buckets, phase.gap_before_s);
    const double offered = offered_requests(phase, measured);
    const double duration = measured.duration_s > 0 ? measured.duration_s : 1e-9;
    const AdmissionBound bound = admission_bound(buckets, offered, duration);
    const PhaseInput input{scenario, phase, measured, bound, offered};
    PhaseAnalysis& out = analysis.phases.emplace_back(PhaseAnalysis{.name = phase.name});
    out.models.push_back(rate_limit_analysis(input, buckets));
    out.models.push_back(open_pool_analysis(input));
    out.models.push_back(closed_pool_analysis(input));
    out.models.push_back(littles_law(measured));
    spend(buckets, measured.duration_s, bound.phase_admitted);
  }
  return analysis;
}

}  // namespace llmsim
