// Building a Report from a run's metrics, and evaluating thresholds.
#include "simulator/report.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim {

namespace {

double ns_to_s(std::int64_t ns) { return static_cast<double>(ns) * 1e-9; }

LatencySummary summarize(const LatencyHistogram& h) {
  LatencySummary s;
  if (h.count() == 0) return s;
  s.avg = h.mean() * 1e-9;
  s.min = ns_to_s(h.min());
  s.max = ns_to_s(h.max());
  s.p50 = ns_to_s(h.percentile(50));
  s.p90 = ns_to_s(h.percentile(90));
  s.p95 = ns_to_s(h.percentile(95));
  s.p99 = ns_to_s(h.percentile(99));
  return s;
}

// Returns a histogram in about kBins bins of a round width (1, 2 or 5 times a power of ten) that
// cover its largest value.
HistogramBins bins_of(const LatencyHistogram& h) {
  constexpr double kBins = 40;
  HistogramBins bins;
  if (h.count() == 0) return bins;
  const double raw = std::max(1e-6, ns_to_s(h.max()) / kBins);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  bins.width_s = raw <= decade ? decade : raw <= 2 * decade ? 2 * decade : raw <= 5 * decade ? 5 * decade : 10 * decade;
  const auto width_ns = static_cast<std::int64_t>(std::llround(bins.width_s * 1e9));
  const auto count = static_cast<std::size_t>(h.max() / width_ns) + 1;
  bins.counts = h.linear_bins(width_ns, count);
  return bins;
}

PhaseReport phase_report(const std::string& name, int users, const PhaseMetrics& m,
                         double duration_s, double start_s, const CpuConfig& cpu) {
  PhaseReport r;
  r.name = name;
  r.users = users;
  r.requests = m.requests;
  r.succeeded = m.succeeded;
  r.failed = m.requests - m.succeeded;
  r.success_rate = m.success_rate();
  r.latency_s = summarize(m.latency);
  r.ttft_s = summarize(m.ttft);
  r.latency_bins = bins_of(m.latency);
  r.ttft_bins = bins_of(m.ttft);
  r.queue_s = summarize(m.queue);
  r.duration_s = duration_s;
  r.start_s = start_s;
  r.throughput_rps = duration_s > 0 ? static_cast<double>(m.requests) / duration_s : 0.0;
  r.errors = m.errors;
  r.retries = m.retries;
  r.cache_hits = m.cache_hits;
  r.provider_calls = m.provider_calls;
  r.bytes_sent = m.bytes_sent;
  r.bytes_received = m.bytes_received;
  r.success_body_bytes = m.success_body_bytes;
  r.prompt_tokens = m.prompt_tokens;
  r.completion_tokens = m.completion_tokens;
  if (cpu.enabled && duration_s > 0) {
    r.client_cpu_utilisation = std::min(1.0, to_seconds(m.cpu_busy) / (duration_s * cpu.cores));
  }
  return r;
}

// Returns the attempts of a phase by route, laid out as the scenario's routing allows.
std::vector<RouteReport> route_reports(const Scenario& scenario, const PhaseMetrics& m) {
  std::vector<RouteReport> routes;
  const auto count_of = [&m](RouteId id) {
    auto it = m.routes.find(id);
    return it == m.routes.end() ? RouteCount{} : it->second;
  };
  for (std::size_t p = 0; p < routed_provider_count(scenario); ++p) {
    const ProviderConfig& provider = scenario.providers[p];
    std::vector<std::string> keys = provider.api_keys;
    if (keys.empty()) keys.push_back(default_api_key(provider));
    RouteReport route{.name = provider.name};
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const RouteCount count =
          count_of(RouteId{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k)});
      route.keys.push_back(RouteReport::Key{keys[k], count.attempts, count.succeeded});
      route.attempts += count.attempts;
      route.succeeded += count.succeeded;
    }
    routes.push_back(std::move(route));
  }
  if (scenario.client.local_fallback) {
    const RouteCount local =
        count_of(RouteId{static_cast<std::uint32_t>(scenario.providers.size()), 0});
    routes.push_back(RouteReport{.name = "local", .attempts = local.attempts, .succeeded = local.succeeded});
  }
  return routes;
}

// Adds a report per priority class to `report`, from per-class metrics and users.
void add_classes(PhaseReport& report, const std::vector<PhaseMetrics>& classes,
                 const std::vector<int>& users) {
  for (std::size_t c = 0; c < classes.size(); ++c) {
    report.classes.push_back(phase_report(class_name(static_cast<PriorityClass>(c)), users[c],
                                          classes[c], report.duration_s, report.start_s,
                                          CpuConfig{}));
  }
}

bool compare(double actual, const std::string& op, double value) {
  if (op == "<") return actual < value;
  if (op == "<=") return actual <= value;
  if (op == ">") return actual > value;
  if (op == ">=") return actual >= value;
  return actual == value;
}

}  // namespace

std::optional<double> metric_value(const PhaseReport& p, std::string_view metric) {
  const auto latency = [](const LatencySummary& s, std::string_view field) -> std::optional<double> {
    if (field == "avg") return s.avg;
    if (field == "min") return s.min;
    if (field == "max") return s.max;
    if (field == "p50") return s.p50;
    if (field == "p90") return s.p90;
    if (field == "p95") return s.p95;
    if (field == "p99") return s.p99;
    return std::nullopt;
  };
  if (metric == "success_rate") return p.success_rate;
  if (metric == "requests") return static_cast<double>(p.requests);
  if (metric == "succeeded") return static_cast<double>(p.succeeded);
  if (metric == "failed") return static_cast<double>(p.failed);
  if (metric == "retries") return static_cast<double>(p.retries);
  if (metric == "cache_hits") return static_cast<double>(p.cache_hits);
  if (metric == "provider_calls") return static_cast<double>(p.provider_calls);
  if (metric == "throughput_rps") return p.throughput_rps;
  if (metric == "duration_s") return p.duration_s;
  if (metric == "bytes_received") return static_cast<double>(p.bytes_received);
  if (metric == "success_body_bytes") return static_cast<double>(p.success_body_bytes);
  if (metric == "client_cpu_utilisation") return p.client_cpu_utilisation.value_or(0.0);
  if (metric.starts_with("latency_s.")) return latency(p.latency_s, metric.substr(10));
  if (metric.starts_with("ttft_s.")) return latency(p.ttft_s, metric.substr(7));
  if (metric.starts_with("queue_s.")) return latency(p.queue_s, metric.substr(8));
  if (metric.starts_with("errors.")) {
    for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
      if (metric.substr(7) == category_name(static_cast<ErrorCategory>(i))) {
        return static_cast<double>(p.errors[i]);
      }
    }
  }
  return std::nullopt;
}

bool Report::is_passing() const {
  return std::all_of(thresholds.begin(), thresholds.end(),
                     [](const ThresholdResult& t) { return t.passed; });
}

Report build_report(const Scenario& scenario, const std::vector<PhaseRun>& phases,
                    const std::map<std::string, std::vector<LimiterLevel>>& limiter_levels,
                    std::string mode) {
  Report report;
  report.scenario = scenario.name;
  report.mode = std::move(mode);
  report.seed = scenario.seed;
  PhaseMetrics total;
  std::vector<PhaseMetrics> total_classes(phases.empty() ? 0 : phases.front().classes.size());
  std::vector<int> total_class_users(total_classes.size(), 0);
  double total_duration_s = 0;
  int total_users = 0;
  for (const PhaseRun& run : phases) {
    const double duration_s = run.end ? to_seconds(*run.end - run.start) : 0.0;
    report.phases.push_back(phase_report(run.name, run.users, run.metrics, duration_s,
                                         to_seconds(run.start), scenario.client.cpu));
    if (has_routing(scenario)) report.phases.back().routes = route_reports(scenario, run.metrics);
    add_classes(report.phases.back(), run.classes, run.class_users);
    report.timelines.push_back(TimelineReport{run.name, to_seconds(run.start), run.timeline});
    total.merge(run.metrics);
    for (std::size_t c = 0; c < total_classes.size(); ++c) {
      total_classes[c].merge(run.classes[c]);
      total_class_users[c] += run.class_users[c];
    }
    total_duration_s += duration_s;
    total_users += run.users;
  }
  // The total's duration is the sum of the phases' (gaps between phases excluded).
  report.total = phase_report("total", total_users, total, total_duration_s, 0.0, scenario.client.cpu);
  if (has_routing(scenario)) report.total.routes = route_reports(scenario, total);
  add_classes(report.total, total_classes, total_class_users);
  for (const auto& [key, levels] : limiter_levels) {
    for (const LimiterLevel& level : levels) {
      report.limiter_end.push_back(
          LimiterReport{key, limit_name(level.kind), level.limit, level.available});
    }
  }
  for (const Threshold& t : scenario.thresholds) {
    const PhaseReport* target = &report.total;
    for (const PhaseReport& p : report.phases) {
      if (t.phase && p.name == *t.phase) target = &p;
    }
    const double actual = metric_value(*target, t.metric).value_or(std::nan(""));
    report.thresholds.push_back(ThresholdResult{
        .text = t.phase ? *t.phase + ": " + t.text : t.text,
        .actual = actual,
        .passed = compare(actual, t.op, t.value)});
  }
  return report;
}

}  // namespace llmsim
