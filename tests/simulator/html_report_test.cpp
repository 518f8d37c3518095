// HTML pages: markup and chart data, every page builder, and a real browser drawing a report.
#include "simulator/html_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "../support/run_command.hpp"
#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::CommandResult;
using testing_support::run_command;

Report gaja_report() {
  const Scenario s = load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json");
  const SimulationResult r = simulate(s);
  return build_report(s, r.phases, r.limiter_levels, "simulated");
}

// Returns the number of charts a page's data holds.
std::size_t chart_count(const std::string& page) {
  std::size_t count = 0;
  for (std::size_t at = page.find("<canvas id=\"chart-"); at != std::string::npos;
       at = page.find("<canvas id=\"chart-", at + 1)) {
    ++count;
  }
  return count;
}

TEST(HtmlPage, EscapesTextAndTheScriptEndInData) {
  HtmlPage page("a <b> & \"c\"");
  page.add_paragraph("x < y");
  page.add_chart(HtmlChart{.title = "</script><script>alert(1)", .x = {"0"}, .series = {{.label = "s", .y = {1.0}}}});
  const std::string html = page.render();
  EXPECT_THAT(html, HasSubstr("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"));
  EXPECT_THAT(html, HasSubstr("<p>x &lt; y</p>"));
  EXPECT_THAT(html, HasSubstr("<\\/script><script>alert(1)"));
  EXPECT_THAT(html, Not(HasSubstr("\"</script><script>alert(1)")));
  EXPECT_EQ(chart_count(html), 1u);
}

TEST(HtmlPage, InlinesChartJsAndNeedsNoNetwork) {
  const std::string html = HtmlPage("t").render();
  EXPECT_THAT(html, HasSubstr("Chart.js v4.6.1"));
  EXPECT_THAT(html, HasSubstr("data-charts-rendered"));
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"http")));
}

TEST(HtmlPage, GapsAreNullAndNumbersRounded) {
  HtmlPage page("t");
  page.add_chart(HtmlChart{.x = {"0", "1"}, .series = {{.label = "s", .y = {0.1234567891, std::nullopt}}}});
  EXPECT_THAT(page.render(), HasSubstr("\"y\":[0.123457,null]"));
}

TEST(ReportHtml, HasTheSummaryAndChartsPerPhase) {
  const Report report = gaja_report();
  const std::string html = report_html(report);
  EXPECT_THAT(html, HasSubstr("<h2>Summary</h2>"));
  EXPECT_THAT(html, HasSubstr("<h2>10000 users (10000 users)</h2>"));
  EXPECT_THAT(html, HasSubstr("Requests per second"));
  EXPECT_THAT(html, HasSubstr("Rate limit: requests remaining"));
  EXPECT_THAT(html, HasSubstr("Time to first token histogram"));
  EXPECT_THAT(html, HasSubstr("Success Rate:"));  // the text report, as the load-test report lays it out
  // Per phase: counts, levels, requests and tokens remaining, two histograms, percentiles.
  EXPECT_EQ(chart_count(html), 4u * 7u);
  EXPECT_EQ(html, report_html(gaja_report()));  // byte-identical
}

// A search of two loads under two criteria, as find_capacity returns it (tried 800, then 400).
CapacityResult two_point_search() {
  CapacityResult r{.scenario = "s", .phase = "burst", .criteria = {"success_rate>=0.99", "latency_s.p95<=5"}};
  r.answer = 400;
  r.above = 800;
  r.points = {{.load = 800, .criteria = {{.worst = 0.9, .passed = false}, {.worst = 7, .passed = false}}, .passed = false},
              {.load = 400, .criteria = {{.worst = 1.0, .passed = true}, {.worst = 2, .passed = true}}, .passed = true}};
  return r;
}

TEST(CapacityHtml, PlotsEveryCriterionWithItsLine) {
  const std::string html = capacity_html({two_point_search()}, "largest passing: 400 users");
  EXPECT_EQ(chart_count(html), 2u);
  EXPECT_THAT(html, HasSubstr("\"criterion <= 5\""));
  EXPECT_THAT(html, HasSubstr("\"passed\":[true,false]"));  // sorted by load
  EXPECT_THAT(html, HasSubstr("<td>400</td><td>1</td><td>2</td><td>PASS</td>"));
  EXPECT_THAT(html, HasSubstr("largest passing: 400 users"));
}

TEST(SweepHtml, OneLinePerStrategyAgainstEachValueAxis) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests";
  const std::string grid_path = dir + "/html_sweep_grid.json";
  std::ofstream(grid_path) << R"({"base": ")" LLMSIM_SOURCE_DIR R"(/data/scenarios/capacity-500rpm.json",
    "parameters": {"users": {"/workload/phases/0/users": [10, 20]},
                   "strategy": {"baseline": {}, "sdk_retries": {"/client/retry/max_retries": 2}}}})";
  const SweepGrid grid = load_sweep_grid(grid_path);
  std::vector<std::string> reports;
  for (const SweepPoint& point : grid.points) {
    Report r = build_report(point.scenario, simulate(point.scenario).phases, {}, "simulated");
    reports.push_back(to_json(r));
  }
  const std::string html = sweep_html(grid, reports);
  EXPECT_THAT(html, HasSubstr("<h2>Against users, one line per strategy</h2>"));
  EXPECT_EQ(chart_count(html), 6u);  // six figures against the one value axis
  EXPECT_THAT(html, HasSubstr("{\"label\":\"baseline\""));
  EXPECT_THAT(html, HasSubstr("{\"label\":\"sdk_retries\""));
}

TEST(CompareHtml, ShowsBothReports) {
  const auto a = nlohmann::json::parse(to_json(gaja_report()));
  const auto rows = compare_reports(a, a, {});
  const std::string html = compare_html(a, a, "a.json", "b.json", rows);
  EXPECT_THAT(html, HasSubstr("<p>A: a.json</p>"));
  EXPECT_THAT(html, HasSubstr("Succeeded per second"));
  EXPECT_EQ(chart_count(html), 4u * 4u);  // two percentile charts and two timelines per phase
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Opens `page` in headless Chromium (Debian's, installed by scripts/setup.sh) and checks that its
// script drew every chart and that the page logged nothing to the console.
void expect_chromium_draws_every_chart(const std::string& page) {
  const CommandResult which = run_command("command -v chromium");
  ASSERT_EQ(which.status, 0) << "chromium not found: run scripts/setup.sh (Debian's chromium package)";
  const std::size_t charts = chart_count(read_text(page));
  ASSERT_GT(charts, 0u) << page;
  const std::string log = page + ".chromium.log";
  // The DOM on stdout; Chromium's log, with the page's console messages, in `log`. A profile per
  // page: ctest may run two of these tests at once, and a profile is locked by its browser.
  const CommandResult dom = run_command(
      "(timeout 120 chromium --headless --disable-gpu --no-sandbox --user-data-dir=" + page +
      ".profile --enable-logging=stderr --v=0 --virtual-time-budget=10000 --dump-dom file://" +
      page + " 2>" + log + ")");
  ASSERT_EQ(dom.status, 0) << dom.output.substr(0, 2000);
  EXPECT_THAT(dom.output, HasSubstr("data-charts-rendered=\"" + std::to_string(charts) + "\"")) << page;
  // Chromium logs each console message of the page as a line ":CONSOLE:LINE] "text", source: ..."
  // (console.error too, at INFO); a thrown error reads "Uncaught ...". The page logs nothing, so
  // any such line is a failure (its Chart.js warnings included).
  std::ifstream log_in(log);
  const std::regex console_error(R"((Uncaught|:CONSOLE[:(]))");
  std::size_t log_lines = 0;
  for (std::string line; std::getline(log_in, line); ++log_lines) {
    EXPECT_FALSE(std::regex_search(line, console_error)) << page << ": " << line;
  }
  std::cout << page << ": chromium drew " << charts << " charts; its log had " << log_lines << " lines\n";
}

// A report `llmsim run --html` wrote, in a real browser.
TEST(ReportHtml, ChromiumDrawsEveryChartWithoutConsoleErrors) {
  const std::string page = LLMSIM_BINARY_DIR "/tests/html_report_test.html";
  const CommandResult run = run_command(std::string(LLMSIM_BINARY_DIR "/llmsim run ") +
                                        LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json --quiet --html " + page);
  ASSERT_EQ(run.status, 0) << run.output;
  expect_chromium_draws_every_chart(page);
}

// The capacity and comparison pages in a real browser (numeric x, reference lines, bars).
TEST(CapacityHtml, ChromiumDrawsEveryChartWithoutConsoleErrors) {
  const std::string page = LLMSIM_BINARY_DIR "/tests/html_capacity_test.html";
  std::ofstream(page) << capacity_html({two_point_search()}, "largest passing: 400 users");
  expect_chromium_draws_every_chart(page);
  const auto a = nlohmann::json::parse(to_json(gaja_report()));
  const std::string compare_page = LLMSIM_BINARY_DIR "/tests/html_compare_test.html";
  std::ofstream(compare_page) << compare_html(a, a, "a.json", "b.json", compare_reports(a, a, {}));
  expect_chromium_draws_every_chart(compare_page);
}

}  // namespace
}  // namespace llmsim
