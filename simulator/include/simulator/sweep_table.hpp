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
// A column selection (`--columns`) is a list of globs over those names ("*" any run of
// characters, "?" one): the columns each glob matches, in table order, glob after glob, each once.
// sweep_default_columns is the short set a person reads: the axes, seed, success, p95, 429s,
// retries and passed.
//
//   std::vector<std::string> reports = ...;  // to_json(report) of each point, in grid order
//   write_file("out.csv", sweep_csv(grid, reports));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/sweep_grid.hpp"

namespace llmsim {

// Returns the column names a report's top-level figures take (axis names may not use them).
std::vector<std::string> sweep_report_columns_reserved();

// Renders the rows as CSV (RFC 4180, header first). `reports[i]` is point i's JSON report.
// `columns`: globs selecting the columns (empty: every column); throws std::invalid_argument
// `--columns: "GLOB" matches no column (did you mean "NAME"?)`.
std::string sweep_csv(const SweepGrid& grid, const std::vector<std::string>& reports,
                      const std::vector<std::string>& columns = {});

// Renders the rows as JSON lines: one object per point with the CSV's columns, in its order.
std::string sweep_jsonl(const SweepGrid& grid, const std::vector<std::string>& reports,
                        const std::vector<std::string>& columns = {});

// Returns the short column set as names: the axes, seed, total success rate, p95, 429s
// (errors.rate_limit_requests), retries and passed (every threshold of the point).
std::vector<std::string> sweep_default_columns(const SweepGrid& grid);

// Splits "GLOB,GLOB" into globs (spaces around each trimmed).
std::vector<std::string> parse_column_globs(const std::string& text);

// Returns whether `name` matches `glob` ("*" any run of characters, "?" one character).
bool glob_match(std::string_view glob, std::string_view name);

}  // namespace llmsim
