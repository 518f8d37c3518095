// Sweep rows: columns flattened from the reports, their order, CSV quoting, missing figures.
#include "simulator/sweep_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A grid of two points on one value axis and one named-variant axis (no scenario needed here).
SweepGrid two_point_grid() {
  SweepGrid grid;
  grid.axes = {{"users", false, 1}, {"strategy", true, 2}};
  grid.has_seeds = true;
  SweepPoint a;
  a.index = 0;
  a.axis_values = {"100", "\"base,line\""};
  a.seed = 1;
  SweepPoint b = a;
  b.index = 1;
  b.axis_values = {"{\"x\":1}", "\"pacing\""};
  b.seed = 2;
  grid.points = {a, b};
  return grid;
}

// Reports with nested figures; the second has a figure the first lacks and more phases.
const std::vector<std::string> kReports = {
    R"({"seed": 99, "mode": "simulated", "phases": [{"name": "p \"1\"", "latency_s": {"p95": 1.5}}],
        "total": {"errors": {"timeout": 0}, "success_rate": 0.5}, "notes": {}})",
    R"({"seed": 98, "mode": "simulated", "phases": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"},
        {"name": "e"}, {"name": "f"}, {"name": "g"}, {"name": "h"}, {"name": "i"}, {"name": "j"}, {"name": "k"}],
        "total": {"errors": {"timeout": 3}, "success_rate": 1, "cache_hits": 7}, "notes": {}})"};

TEST(SweepTable, ColumnsAreAxesSeedThenEveryReportFigureInNaturalOrder) {
  const std::string csv = sweep_csv(two_point_grid(), kReports);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header,
            "users,strategy,seed,mode,phases.0.latency_s.p95,phases.0.name,phases.1.name,phases.2.name,"
            "phases.3.name,phases.4.name,phases.5.name,phases.6.name,phases.7.name,phases.8.name,"
            "phases.9.name,phases.10.name,scenario_seed,total.cache_hits,total.errors.timeout,total.success_rate");
}

TEST(SweepTable, CsvCellsAreQuotedWhenTheyMustBeAndEmptyWhenAbsent) {
  const std::string csv = sweep_csv(two_point_grid(), kReports);
  const std::string first = csv.substr(csv.find('\n') + 1);
  EXPECT_THAT(first, StartsWith(R"(100,"base,line",1,simulated,1.5,"p ""1""",,,,,,,,,,,99,,0,0.5)"
                                "\n"));
  EXPECT_THAT(csv, HasSubstr("\n\"{\"\"x\"\":1}\",pacing,2,simulated,,a,b,c,d,e,f,g,h,i,j,k,98,7,3,1\n"));
}

TEST(SweepTable, JsonLinesKeepTypesAndTheCsvColumnOrder) {
  const std::string jsonl = sweep_jsonl(two_point_grid(), kReports);
  EXPECT_THAT(jsonl, StartsWith(R"({"users":100,"strategy":"base,line","seed":1,"mode":"simulated","phases.0.latency_s.p95":1.5,)"
                                R"("phases.0.name":"p \"1\"","phases.1.name":null,)"));
  EXPECT_THAT(jsonl, HasSubstr(R"({"users":{"x":1},"strategy":"pacing","seed":2,)"));
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 2);
}

TEST(SweepTable, GlobsMatchAnyRunAndOneCharacter) {
  // Table-driven: glob, name, match.
  const struct {
    const char* glob;
    const char* name;
    bool matches;
  } rows[] = {
      {"total.success_rate", "total.success_rate", true},  // a plain name: itself only
      {"total.*", "total.errors.timeout", true},           // "*" crosses dots
      {"phases.?.name", "phases.3.name", true},            // "?" one character
      {"phases.?.name", "phases.10.name", false},          // ... not two
      {"*.p95", "phases.0.latency_s.p95", true},
      {"*", "", true},
      {"a*b*c", "axxbxxc", true},                           // backtracking over two stars
      {"a*b*c", "axxbxx", false},
  };
  for (const auto& row : rows) EXPECT_EQ(glob_match(row.glob, row.name), row.matches) << row.glob << " " << row.name;
  EXPECT_EQ(parse_column_globs(" users, total.* ,,seed"), (std::vector<std::string>{"users", "total.*", "seed"}));
}

TEST(SweepTable, ColumnsSelectGlobAfterGlobEachOnce) {
  const std::string csv = sweep_csv(two_point_grid(), kReports, {"strategy", "total.*", "total.success_rate", "seed"});
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "strategy,total.cache_hits,total.errors.timeout,total.success_rate,seed");
  EXPECT_THAT(csv, HasSubstr("\npacing,7,3,1,2\n"));
  EXPECT_THAT([] { sweep_csv(two_point_grid(), kReports, {"total.sucess_rate"}); },
              ::testing::ThrowsMessage<std::invalid_argument>(
                  "--columns: \"total.sucess_rate\" matches no column (did you mean \"total.success_rate\"?)"));
  // The short set keeps the axes first.
  EXPECT_EQ(sweep_default_columns(two_point_grid()),
            (std::vector<std::string>{"users", "strategy", "seed", "total.success_rate", "total.latency_s.p95",
                                      "total.errors.rate_limit_requests", "total.retries", "passed"}));
}

TEST(SweepTable, ReservedColumnsAreTheReportsTopLevelFigures) {
  const std::vector<std::string> reserved = sweep_report_columns_reserved();
  for (const char* name : {"scenario_seed", "mode", "passed", "schema_version", "scenario"}) {
    EXPECT_NE(std::find(reserved.begin(), reserved.end(), name), reserved.end()) << name;
  }
  EXPECT_EQ(std::find(reserved.begin(), reserved.end(), "seed"), reserved.end());
}

}  // namespace
}  // namespace llmsim
