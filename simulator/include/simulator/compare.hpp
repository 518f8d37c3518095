// Comparing two reports figure by figure (llmsim compare): the tool a CI regression test uses.
//
// Phases are matched by name (and "total"); each figure gets its relative difference
// (B - A) / |A| (the absolute difference when A is 0). Tolerances name a metric as thresholds do
// ("succeeded", "latency_s.p90", "errors.rate_limit_requests" ...) and a largest relative
// difference; a row outside its tolerance fails the comparison. Reports with routing also compare
// "routes.NAME.attempts" and "routes.NAME.succeeded" for every route of A's phases.
//
//   auto rows = compare_reports(read_report("sim.json"), read_report("real.json"),
//                               {{"succeeded", 0.03}, {"latency_s.avg", 0.10}});
//   bool ok = std::all_of(rows.begin(), rows.end(), [](auto& r) { return r.passed; });
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmsim {

struct Tolerance {
  std::string metric;
  double relative = 0;
};

struct ComparisonRow {
  std::string phase;
  std::string metric;
  double a = 0;
  double b = 0;
  double relative = 0;
  std::optional<double> tolerance;
  bool passed = true;
};

// Reads a report JSON file; throws std::runtime_error naming the file for unreadable files,
// invalid JSON or a number too large for a double (a ScenarioError: "FILE: /pointer: ..."), or a
// schema_version this build does not know.
nlohmann::json read_report(const std::string& path);

// Parses "METRIC=RELATIVE" (e.g. "latency_s.p90=0.1"); throws std::invalid_argument naming the rule
// (with "did you mean" for a metric close to a compared one).
Tolerance parse_tolerance(const std::string& text);

// Compares every figure of every phase present in both reports; throws std::runtime_error when
// the phases differ, naming those only in A and only in B.
std::vector<ComparisonRow> compare_reports(const nlohmann::json& a, const nlohmann::json& b,
                                           const std::vector<Tolerance>& tolerances);

// Renders the rows as a side-by-side table with PASS/FAIL for toleranced rows, ending with the
// summary line. Seconds under 1 are shown in ms, under 1 ms in us.
std::string comparison_text(const std::vector<ComparisonRow>& rows, const std::string& a_name,
                            const std::string& b_name);

// Returns "N figures compared, T with a tolerance, M outside[: PHASE METRIC, ...]".
std::string comparison_summary(const std::vector<ComparisonRow>& rows);

// Returns a figure for the table: seconds under 1 in ms ("12.5 ms"), under 1 ms in us, else %.6g.
std::string format_compared_value(const std::string& metric, double value);

}  // namespace llmsim
