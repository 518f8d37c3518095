// The pages of studies over several reports: a sweep and a comparison. See html_report.hpp.
#include <cstdio>
#include <map>

#include "simulator/html_report.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::json;

// The total figures a sweep page plots against each axis: (JSON pointer, title).
const std::vector<std::pair<std::string, std::string>>& sweep_figures() {
  static const std::vector<std::pair<std::string, std::string>> figures = {
      {"/total/success_rate", "success rate"},
      {"/total/throughput_rps", "throughput (requests/s)"},
      {"/total/latency_s/p95", "response time p95 (s)"},
      {"/total/ttft_s/p95", "time to first token p95 (s)"},
      {"/total/errors/rate_limit_requests", "failed on 429 (requests per minute)"},
      {"/total/retries", "retries"}};
  return figures;
}

std::optional<double> figure_of(const Json& report, const std::string& pointer) {
  const Json::json_pointer at(pointer);
  if (!report.contains(at) || !report.at(at).is_number()) return std::nullopt;
  return report.at(at).get<double>();
}

bool is_number_text(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

// Adds, for axis `x_axis`, one chart per figure: a line per value of `line_axis` (none: one line),
// each point the mean over the points that share the x and line values.
void add_axis_charts(HtmlPage& page, const SweepGrid& grid, const std::vector<Json>& reports, std::size_t x_axis,
                     std::optional<std::size_t> line_axis) {
  std::vector<std::string> xs, lines;
  const auto index_of = [](std::vector<std::string>& list, const std::string& value) {
    auto it = std::find(list.begin(), list.end(), value);
    if (it == list.end()) it = list.insert(list.end(), value);
    return static_cast<std::size_t>(it - list.begin());
  };
  for (const SweepPoint& p : grid.points) {
    index_of(xs, sweep_value_text(p.axis_values[x_axis]));
    index_of(lines, line_axis ? sweep_value_text(p.axis_values[*line_axis]) : "all points");
  }
  const bool is_numeric = !grid.axes[x_axis].is_variants && std::all_of(xs.begin(), xs.end(), is_number_text);
  for (const auto& [pointer, title] : sweep_figures()) {
    // sum and count per (line, x)
    std::map<std::pair<std::size_t, std::size_t>, std::pair<double, int>> cells;
    for (std::size_t i = 0; i < grid.points.size() && i < reports.size(); ++i) {
      const SweepPoint& p = grid.points[i];
      const auto value = figure_of(reports[i], pointer);
      if (!value) continue;
      const std::size_t x = index_of(xs, sweep_value_text(p.axis_values[x_axis]));
      const std::size_t line = index_of(lines, line_axis ? sweep_value_text(p.axis_values[*line_axis]) : "all points");
      auto& cell = cells[{line, x}];
      cell.first += *value;
      ++cell.second;
    }
    HtmlChart chart{.title = title + " by " + grid.axes[x_axis].name, .x_label = grid.axes[x_axis].name,
                    .y_label = title, .x = xs, .is_numeric_x = is_numeric};
    for (std::size_t line = 0; line < lines.size(); ++line) {
      HtmlSeries s{.label = lines[line]};
      for (std::size_t x = 0; x < xs.size(); ++x) {
        auto it = cells.find({line, x});
        s.y.push_back(it == cells.end() ? std::nullopt : std::optional<double>(it->second.first / it->second.second));
      }
      chart.series.push_back(std::move(s));
    }
    page.add_chart(std::move(chart));
  }
}

std::vector<std::optional<double>> stats_of(const Json& phase, const char* group) {
  std::vector<std::optional<double>> values;
  for (const char* stat : {"p50", "p90", "p95", "p99", "max"}) {
    std::string path = "/";  // appended piecewise: GCC 12 warns falsely on "/" + std::string
    path.append(group).append("/").append(stat);
    const Json::json_pointer at(path);
    values.push_back(phase.contains(at) && phase.at(at).is_number() ? std::optional<double>(phase.at(at).get<double>())
                                                                     : std::nullopt);
  }
  return values;
}

// Returns a phase's timeline rows' `field` per second, from a report's timeline[].
std::vector<std::optional<double>> timeline_of(const Json& report, const std::string& phase, const char* field) {
  std::vector<std::optional<double>> values;
  if (!report.contains("timeline")) return values;
  for (const Json& row : report["timeline"]) {
    if (row.value("phase", "") == phase) values.push_back(row.value(field, 0.0));
  }
  return values;
}

void add_compare_phase(HtmlPage& page, const Json& a, const Json& b, const Json& phase_a, const Json& phase_b) {
  const std::string name = phase_a.value("name", "total");
  page.add_heading(name);
  for (const char* group : {"latency_s", "ttft_s"}) {
    page.add_chart(HtmlChart{.title = std::string(group == std::string("latency_s") ? "Response time" : "Time to first token") +
                                      " percentiles",
                             .y_label = "seconds", .x = {"p50", "p90", "p95", "p99", "max"},
                             .series = {{.label = "A", .y = stats_of(phase_a, group)},
                                        {.label = "B", .y = stats_of(phase_b, group)}},
                             .kind = HtmlChart::Kind::bar});
  }
  for (const auto& [field, title] : {std::pair{"succeeded", "Succeeded per second"}, std::pair{"rate_limited", "429s per second"}}) {
    const auto ya = timeline_of(a, name, field);
    const auto yb = timeline_of(b, name, field);
    if (ya.empty() && yb.empty()) continue;
    std::vector<std::string> x;
    for (std::size_t i = 0; i < std::max(ya.size(), yb.size()); ++i) x.push_back(std::to_string(i));
    page.add_chart(HtmlChart{.title = title, .x_label = "seconds since the phase started", .y_label = "per second",
                             .x = x, .series = {{.label = "A", .y = ya}, {.label = "B", .y = yb}}});
  }
}

}  // namespace

std::string sweep_html(const SweepGrid& grid, const std::vector<std::string>& reports) {
  HtmlPage page("llmsim sweep: " + grid.path);
  page.add_paragraph("Base scenario " + grid.base_path + "; " + std::to_string(grid.points.size()) +
                     " points. Each figure is the mean over the points that share the x value and line.");
  std::vector<Json> parsed;
  for (const std::string& text : reports) parsed.push_back(Json::parse(text, nullptr, false));
  std::optional<std::size_t> line_axis;
  for (std::size_t a = 0; a < grid.axes.size() && grid.axes.size() > 1; ++a) {
    if (grid.axes[a].is_variants) {
      line_axis = a;
      break;
    }
  }
  for (std::size_t a = 0; a < grid.axes.size(); ++a) {
    if (line_axis && a == *line_axis) continue;
    page.add_heading("Against " + grid.axes[a].name +
                     (line_axis ? ", one line per " + grid.axes[*line_axis].name : std::string()));
    add_axis_charts(page, grid, parsed, a, line_axis);
  }
  if (grid.axes.empty()) page.add_paragraph("The grid has no axes: nothing to plot against.");
  return page.render();
}

std::string compare_html(const Json& a, const Json& b, const std::string& a_name, const std::string& b_name,
                         const std::vector<ComparisonRow>& rows) {
  HtmlPage page("llmsim compare");
  page.add_paragraph("A: " + a_name);
  page.add_paragraph("B: " + b_name);
  std::vector<std::vector<std::string>> cells;
  for (const ComparisonRow& row : rows) {
    char diff[32];
    std::snprintf(diff, sizeof diff, "%+.1f%%", 100.0 * row.relative);
    char va[32], vb[32];
    std::snprintf(va, sizeof va, "%.6g", row.a);
    std::snprintf(vb, sizeof vb, "%.6g", row.b);
    cells.push_back({row.phase, row.metric, va, vb, diff, row.tolerance ? (row.passed ? "PASS" : "FAIL") : ""});
  }
  const auto& phases_a = a.at("phases");
  const auto& phases_b = b.at("phases");
  for (std::size_t i = 0; i < phases_a.size() && i < phases_b.size(); ++i) {
    add_compare_phase(page, a, b, phases_a[i], phases_b[i]);
  }
  page.add_heading("Every figure");
  page.add_table({"phase", "metric", "A", "B", "diff", "tolerance"}, cells);
  return page.render();
}

}  // namespace llmsim
