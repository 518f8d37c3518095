// Self-contained HTML pages of reports: tables and charts in one file that opens with no network.
//
// A page is built from headings, paragraphs, preformatted text, tables and charts, and rendered
// with Chart.js (third_party/chart.js, MIT, embedded into llmsim at build time) inlined into it.
// Charts are data (HtmlChart): lines, bars or points of y against x, drawn by the page's script,
// which then marks <body data-charts-rendered="N"> so a headless browser can tell it finished.
// The page builders below lay out what `llmsim run`, `load`, `sweep`, `compare` and `capacity`
// show; every page is a pure function of its input (same report, same bytes).
//
//   HtmlPage page("My study");
//   page.add_chart(HtmlChart{.title = "429s per second", .x = {"0", "1"},
//                            .series = {{.label = "429", .y = {3, 0}}}});
//   write_file("study.html", page.render());
//   write_file("report.html", report_html(report));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/sweep_grid.hpp"
#include "simulator/capacity.hpp"
#include "simulator/compare.hpp"
#include "simulator/report.hpp"

namespace llmsim {

struct HtmlSeries {
  std::string label;
  std::vector<std::optional<double>> y;  // one per x; nullopt leaves a gap
  std::vector<bool> passed;  // empty, or one per x: points drawn green (true) or red (false)
  bool is_dashed = false;    // a reference line (a criterion's threshold)
};

struct HtmlChart {
  enum class Kind { line, bar };
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> x;  // labels, or numbers as text when is_numeric_x
  std::vector<HtmlSeries> series;
  Kind kind = Kind::line;
  bool is_numeric_x = false;  // x on a linear scale (uneven points), else evenly spaced labels
};

class HtmlPage {
 public:
  explicit HtmlPage(std::string title);

  void add_heading(std::string_view text);      // a section title (h2)
  void add_paragraph(std::string_view text);
  void add_preformatted(std::string_view text);
  // Adds preformatted text folded under a summary line the reader can open (e.g. the text report).
  void add_folded(std::string_view summary, std::string_view text);
  void add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  void add_chart(HtmlChart chart);

  // Returns the whole page: HTML, CSS, the chart data as JSON and Chart.js inlined.
  std::string render() const;

 private:
  void close_grid();

  std::string title_;
  std::string body_;
  bool is_in_grid_ = false;
  nlohmann::ordered_json charts_ = nlohmann::ordered_json::array();
};

// Returns the page of a run's report (run, load): the summary as the text report lays it out, then
// per phase its timeline, latency and time-to-first-token histograms and percentiles.
std::string report_html(const Report& report);

// Returns the page of a sweep: each total figure against each axis, one line per value of the
// first named-variants axis (the strategies; one line when there is none), averaged over the
// other axes and the seeds. `reports[i]` is point i's JSON report.
std::string sweep_html(const SweepGrid& grid, const std::vector<std::string>& reports);

// Returns the page of `llmsim compare`: the rows as a table, percentiles of A and B side by side,
// and both timelines per phase when the reports have them.
std::string compare_html(const nlohmann::json& a, const nlohmann::json& b, const std::string& a_name,
                         const std::string& b_name, const std::vector<ComparisonRow>& rows);

// Returns the page of `llmsim capacity`: `summary` (the command's text) above the charts, then
// per result (one, or one per strategy variant) the loads tried as a table and, per criterion,
// its worst-seed value at every load tried (green passed, red failed) against the load, with the
// criterion's threshold as a dashed line.
std::string capacity_html(const std::vector<CapacityResult>& results, std::string_view summary);

}  // namespace llmsim
