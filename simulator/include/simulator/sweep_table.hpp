// The output of a sweep: one row per point, as CSV and as JSON lines.
//
// Columns: the grid's axes (in grid order), `seed` (the grid's seed value), then every figure of
// the point's JSON report, flattened with dots ("total.success_rate", "phases.0.latency_s.p95",
// "total.errors.rate_limit_requests"; array elements by index). The report's own `seed` (the seed
// the point's scenario ran with) becomes `scenario_seed`. The report columns are the union over all
// rows, in natural order (digit runs compare as numbers: phases.2 before phases.10), so figures a
// report gains later appear without changes here; a row that lacks one leaves it empty (CSV) or
// null (JSON lines). Rows are in grid order. The output is a pure function of the grid and the
// reports, so it is byte-identical whatever ran the points.
//
//   std::vector<std::string> reports = ...;  // to_json(report) of each point, in grid order
//   write_file("out.csv", sweep_csv(grid, reports));
#pragma once

#include <string>
#include <vector>

#include "models/sweep_grid.hpp"

namespace llmsim {

// Returns the column names a report's top-level figures take (axis names may not use them).
std::vector<std::string> sweep_report_columns_reserved();

// Renders the rows as CSV (RFC 4180, header first). `reports[i]` is point i's JSON report.
std::string sweep_csv(const SweepGrid& grid, const std::vector<std::string>& reports);

// Renders the rows as JSON lines: one object per point with the CSV's columns, in its order.
std::string sweep_jsonl(const SweepGrid& grid, const std::vector<std::string>& reports);

}  // namespace llmsim
