// The pages of llmsim's reports: run/load, sweep, compare and capacity. See html_report.hpp.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "simulator/html_report.hpp"

namespace llmsim {

namespace {

std::string fixed(double value, const char* pattern = "%.3f") {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// Returns each bucket's start, in seconds since the phase started.
std::vector<std::string> seconds_axis(std::size_t count, std::int64_t width_s) {
  std::vector<std::string> x;
  for (std::size_t i = 0; i < count; ++i) x.push_back(std::to_string(static_cast<std::int64_t>(i) * width_s));
  return x;
}

HtmlSeries counts_series(std::string label, const std::vector<TimelineSecond>& seconds,
                         std::uint64_t TimelineSecond::*field) {
  HtmlSeries s{.label = std::move(label)};
  for (const TimelineSecond& second : seconds) s.y.push_back(static_cast<double>(second.*field));
  return s;
}

HtmlSeries levels_series(std::string label, const std::vector<TimelineSecond>& seconds,
                         std::int64_t TimelineSecond::*field) {
  HtmlSeries s{.label = std::move(label)};
  for (const TimelineSecond& second : seconds) s.y.push_back(static_cast<double>(second.*field));
  return s;
}

// Adds one chart per limit (requests, tokens) with a line per key, when any response said it.
void add_limiter_charts(HtmlPage& page, const Timeline& t, const std::vector<std::string>& x) {
  for (const bool is_tokens : {false, true}) {
    HtmlChart chart{.title = is_tokens ? "Rate limit: tokens remaining (lowest seen each second)"
                                       : "Rate limit: requests remaining (lowest seen each second)",
                    .x_label = "seconds since the phase started", .y_label = is_tokens ? "tokens" : "requests",
                    .x = x};
    bool has_any = false;
    for (std::size_t k = 0; k < t.keys().size(); ++k) {
      HtmlSeries s{.label = t.keys()[k]};
      for (std::size_t i = 0; i < t.seconds().size(); ++i) {
        const LimiterSample& sample = t.limiter(i, k);
        const std::int64_t level = is_tokens ? sample.remaining_tokens : sample.remaining_requests;
        if (level >= 0) has_any = true;
        s.y.push_back(level < 0 ? std::nullopt : std::optional<double>(static_cast<double>(level)));
      }
      chart.series.push_back(std::move(s));
    }
    if (has_any) page.add_chart(std::move(chart));
  }
}

void add_timeline_charts(HtmlPage& page, const Timeline& t) {
  const auto& seconds = t.seconds();
  const std::int64_t width_s = std::chrono::duration_cast<std::chrono::seconds>(t.bucket()).count();
  const std::vector<std::string> x = seconds_axis(seconds.size(), width_s);
  // A phase longer than an hour has wider buckets (models/timeline.hpp): counts are per bucket.
  const std::string per = width_s == 1 ? "per second" : "per " + std::to_string(width_s) + " s";
  page.add_chart(HtmlChart{.title = "Requests " + per, .x_label = "seconds since the phase started",
                           .y_label = per, .x = x,
                           .series = {counts_series("sent (attempts)", seconds, &TimelineSecond::sent),
                                      counts_series("succeeded", seconds, &TimelineSecond::succeeded),
                                      counts_series("429s", seconds, &TimelineSecond::rate_limited),
                                      counts_series("other errors", seconds, &TimelineSecond::errors)}});
  page.add_chart(HtmlChart{.title = "In flight and client queue (most at once, " + per + ")",
                           .x_label = "seconds since the phase started", .y_label = "requests", .x = x,
                           .series = {levels_series("in flight", seconds, &TimelineSecond::in_flight),
                                      levels_series("client queue", seconds, &TimelineSecond::queue_length)}});
  add_limiter_charts(page, t, x);
}

HtmlChart histogram_chart(std::string title, const HistogramBins& bins) {
  HtmlChart chart{.title = std::move(title), .x_label = "seconds (bin start)", .y_label = "requests",
                  .kind = HtmlChart::Kind::bar};
  HtmlSeries s{.label = "requests"};
  for (std::size_t i = 0; i < bins.counts.size(); ++i) {
    chart.x.push_back(fixed(static_cast<double>(i) * bins.width_s, "%g"));
    s.y.push_back(static_cast<double>(bins.counts[i]));
  }
  chart.series.push_back(std::move(s));
  return chart;
}

std::vector<std::optional<double>> percentiles(const LatencySummary& s) {
  return {s.p50, s.p90, s.p95, s.p99, s.max};
}

void add_phase(HtmlPage& page, const PhaseReport& p, const TimelineReport* timeline) {
  page.add_heading(p.name + " (" + std::to_string(p.users) + " users)");
  const auto row = [](const char* name, const LatencySummary& s) {
    return std::vector<std::string>{name, fixed(s.avg), fixed(s.min), fixed(s.p50), fixed(s.p90),
                                    fixed(s.p95), fixed(s.p99), fixed(s.max)};
  };
  page.add_table({"seconds", "avg", "min", "p50", "p90", "p95", "p99", "max"},
                 {row("response time", p.latency_s), row("time to first token (succeeded)", p.ttft_s),
                  row("client queue", p.queue_s)});
  if (timeline != nullptr) add_timeline_charts(page, timeline->timeline);
  page.add_chart(histogram_chart("Response time histogram", p.latency_bins));
  page.add_chart(histogram_chart("Time to first token histogram (succeeded requests)", p.ttft_bins));
  page.add_chart(HtmlChart{.title = "Percentiles", .y_label = "seconds", .x = {"p50", "p90", "p95", "p99", "max"},
                           .series = {{.label = "response time", .y = percentiles(p.latency_s)},
                                      {.label = "time to first token", .y = percentiles(p.ttft_s)}},
                           .kind = HtmlChart::Kind::bar});
}

std::vector<std::string> summary_row(const PhaseReport& p) {
  return {p.name, std::to_string(p.users), std::to_string(p.requests), fixed(100.0 * p.success_rate, "%.2f%%"),
          fixed(p.latency_s.avg), fixed(p.latency_s.p95), fixed(p.ttft_s.p50), fixed(p.ttft_s.p95),
          fixed(p.throughput_rps, "%.1f"), std::to_string(p.errors[0] + p.errors[1] + p.errors[2] + p.errors[3]),
          std::to_string(p.retries)};
}

}  // namespace

std::string report_html(const Report& report) {
  HtmlPage page("llmsim report: " + report.scenario + " (" + report.mode + ", seed " +
                std::to_string(report.seed) + ")");
  page.add_heading("Summary");
  std::vector<std::vector<std::string>> rows;
  for (const PhaseReport& p : report.phases) rows.push_back(summary_row(p));
  rows.push_back(summary_row(report.total));
  page.add_table({"phase", "users", "requests", "success", "avg s", "p95 s", "TTFT p50 s", "TTFT p95 s", "RPS",
                  "failed on 429", "retries"},
                 rows);
  page.add_folded("The text report", to_text(report));
  for (std::size_t i = 0; i < report.phases.size(); ++i) {
    add_phase(page, report.phases[i], i < report.timelines.size() ? &report.timelines[i] : nullptr);
  }
  return page.render();
}

namespace {

// Adds one capacity search: the loads tried as a table, and a chart per criterion.
void add_capacity(HtmlPage& page, const CapacityResult& result) {
  const std::string x_label = result.is_rate ? "arrivals per second" : "users";
  std::vector<Threshold> criteria;
  for (const std::string& text : result.criteria) criteria.push_back(parse_threshold_check(text));
  std::vector<CapacityPoint> points = result.points;
  std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.load < b.load; });
  std::vector<std::vector<std::string>> rows;
  for (const CapacityPoint& point : points) {
    std::vector<std::string> row{fixed(point.load, "%g")};
    for (const CriterionValue& v : point.criteria) row.push_back(fixed(v.worst, "%.6g"));
    row.push_back(point.passed ? "PASS" : "FAIL");
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header{x_label};
  for (const Threshold& c : criteria) header.push_back(c.metric + " " + c.op + " " + fixed(c.value, "%g"));
  header.emplace_back("result");
  page.add_heading(result.variant.empty() ? "Loads tried (phase " + result.phase + ")"
                                          : result.variant + ": loads tried (phase " + result.phase + ")");
  page.add_table(header, rows);
  for (std::size_t c = 0; c < criteria.size(); ++c) {
    HtmlChart chart{.title = (result.variant.empty() ? "" : result.variant + ": ") + header[c + 1],
                    .x_label = x_label, .y_label = criteria[c].metric, .is_numeric_x = true};
    HtmlSeries measured{.label = criteria[c].metric + " (worst seed)"};
    HtmlSeries line{.label = "criterion " + criteria[c].op + " " + fixed(criteria[c].value, "%g"), .is_dashed = true};
    for (const CapacityPoint& point : points) {
      chart.x.push_back(fixed(point.load, "%.17g"));
      measured.y.push_back(c < point.criteria.size() ? std::optional<double>(point.criteria[c].worst) : std::nullopt);
      measured.passed.push_back(c < point.criteria.size() && point.criteria[c].passed);
      line.y.push_back(criteria[c].value);
    }
    chart.series = {std::move(measured), std::move(line)};
    page.add_chart(std::move(chart));
  }
}

}  // namespace

std::string capacity_html(const std::vector<CapacityResult>& results, std::string_view summary) {
  HtmlPage page(results.empty() ? "llmsim capacity" : "llmsim capacity: " + results.front().scenario);
  if (!summary.empty()) page.add_preformatted(summary);
  for (const CapacityResult& result : results) add_capacity(page, result);
  return page.render();
}

}  // namespace llmsim
