// The report of a run: per phase and in total, as a human table, JSON and CSV.
//
// Both drivers produce the same Report, so a simulated and a real-socket run of one scenario can
// be compared figure by figure (llmsim compare). Figures are in the scenario's own time: seconds
// for latencies, times to first token and durations, requests per second for throughput; each
// phase also has its second-by-second timeline (models/timeline.hpp; JSON timeline[],
// timeline_csv) and html_report.hpp renders the whole as a page with charts. The JSON layout is versioned
// (schema_version) and documented in the README; its text is byte-identical for the same scenario
// and seed.
//
//   Report report = build_report(scenario, result.phases, result.limiter_levels, "simulated");
//   std::cout << to_text(report);
//   write_file("out.json", to_json(report));
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/metrics.hpp"
#include "models/scenario.hpp"
#include "models/timeline.hpp"
#include "simulator/client_model.hpp"

namespace llmsim {

inline constexpr int kReportSchemaVersion = 1;

struct LatencySummary {
  double avg = 0, min = 0, max = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0;
};

// A histogram for charts: counts of equal bins of width_s seconds from 0.
struct HistogramBins {
  double width_s = 0;
  std::vector<std::uint64_t> counts;
};

// Attempts along one route and how many succeeded: a provider (with its keys) or "local".
struct RouteReport {
  struct Key {
    std::string key;
    std::uint64_t attempts = 0;
    std::uint64_t succeeded = 0;
  };
  std::string name;             // the provider's name, or "local" for the local model
  std::uint64_t attempts = 0;
  std::uint64_t succeeded = 0;
  std::vector<Key> keys;        // providers only, in api_keys order
};

struct PhaseReport {
  std::string name;
  int users = 0;
  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  double success_rate = 0;
  LatencySummary latency_s;   // from the intended send time
  LatencySummary ttft_s;      // time to first token of succeeded requests, from the intended send
  LatencySummary queue_s;     // time waiting in the client (pool, CPU)
  HistogramBins latency_bins;  // for the HTML page's histograms (no JSON or CSV field)
  HistogramBins ttft_bins;
  double throughput_rps = 0;  // requests / duration_s
  double duration_s = 0;      // phase start to its last response
  double start_s = 0;         // phase start, from the start of the run
  std::array<std::uint64_t, kErrorCategoryCount> errors{};
  std::uint64_t retries = 0;
  std::uint64_t cache_hits = 0;      // requests answered by the client's cache
  std::uint64_t provider_calls = 0;  // attempts sent to the provider
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;      // every response's headers and body, all attempts
  std::int64_t success_body_bytes = 0;  // bodies of the responses that answered succeeded requests
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<double> client_cpu_utilisation;  // modelled: busy / (duration x cores)
  // With routing (client.routing or client.local_fallback): every provider requests may go to,
  // then "local" when configured. Empty without routing, and then absent from every format.
  std::vector<RouteReport> routes;

  // With client.priority: the same figures per class ("vip", "standard"; no CPU share, no
  // classes of their own) over the same duration; else empty.
  std::vector<PhaseReport> classes;
};

struct LimiterReport {
  std::string key;
  std::string limit;  // "RPM", "TPM", "RPD", "TPD"
  std::int64_t capacity = 0;
  double available = 0;
};

struct ThresholdResult {
  std::string text;   // as written, with its phase when it has one
  double actual = 0;
  bool passed = false;
};

// One phase's timeline (models/timeline.hpp): its seconds, counted from the phase's start.
struct TimelineReport {
  std::string phase;
  double start_s = 0;  // the phase's start, from the start of the run
  Timeline timeline;
};

struct Report {
  std::string scenario;
  std::string mode;        // "simulated" or "real-socket"
  std::uint64_t seed = 0;
  std::vector<PhaseReport> phases;
  PhaseReport total;
  std::vector<LimiterReport> limiter_end;
  std::vector<ThresholdResult> thresholds;
  // Per phase, second by second; empty in a sweep point's report (its rows are figures only).
  std::vector<TimelineReport> timelines;
  // Extra lines of facts about the run, in order (real-socket mode: time scale, measured CPU ...).
  std::vector<std::pair<std::string, std::string>> notes;

  // Returns true when every threshold passed.
  bool is_passing() const;
};

// Builds the report of a finished run and evaluates the scenario's thresholds.
Report build_report(const Scenario& scenario, const std::vector<PhaseRun>& phases,
                    const std::map<std::string, std::vector<LimiterLevel>>& limiter_levels,
                    std::string mode);

// Returns a metric of a phase report by its threshold name ("latency_s.p95" ...), or nullopt.
std::optional<double> metric_value(const PhaseReport& phase, std::string_view metric);

// Renders the report as the human table (laid out like the load-test report's).
std::string to_text(const Report& report);

// Renders the report as JSON (schema_version 1; stable key order; byte-identical per input).
std::string to_json(const Report& report);

// Renders one CSV row per phase and one for the total, with a header row.
std::string to_csv(const Report& report);

// Renders the timelines as CSV: one row per phase and second, with a header row (--timeline-csv).
std::string timeline_csv(const Report& report);

}  // namespace llmsim
