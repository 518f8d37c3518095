// The `llmsim capacity` subcommand: the largest load of a phase that meets the criteria.
//
// `llmsim capacity SCENARIO --criteria "success_rate>=0.99,latency_s.p95<=3" [--phase NAME]
// [--seeds N] [--min L] [--max L] [--jobs N] [--strategies GRID] [--json FILE] [--quiet]` runs
// find_capacity (simulator/capacity.hpp) and prints the answer, the load just above it with the
// criteria failing there, the analytic bound and every load tried. `--strategies GRID` searches
// each named variant of the grid's strategy axis (its base must be SCENARIO) and ends with a table
// of their answers. Exit status: 0, 1 when even the smallest load fails, 2 for bad input (one line).
#pragma once

#include <CLI/CLI.hpp>

namespace llmsim {

// Adds `capacity` to `app`; when it runs, its exit status goes to `status`.
void register_capacity_command(CLI::App& app, int& status);

}  // namespace llmsim
