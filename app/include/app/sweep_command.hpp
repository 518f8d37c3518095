// The `llmsim sweep` subcommand: a grid of scenarios simulated in parallel, one row per point.
//
// `llmsim sweep GRID.json [--csv FILE] [--jsonl FILE] [--jobs N]` loads and validates every point
// of the grid (models/sweep_grid.hpp), simulates them on N threads (default: this machine's cores,
// shared among the MPI ranks on it) and writes the rows (simulator/sweep_table.hpp) as CSV and/or
// JSON lines; with neither flag the CSV goes to stdout. Launched by `mpirun`, the same command
// spreads the points over the ranks and rank 0 writes the very same bytes. A progress bar goes to
// stderr when it is a terminal. Exit status: 0, or 2 for a bad grid, bad point, bad flag or a
// file it cannot write; thresholds of the scenario do not change it (their results are columns).
#pragma once

#include <CLI/CLI.hpp>

namespace llmsim {

// Adds `sweep` to `app`; when it runs, its exit status goes to `status`.
void register_sweep_command(CLI::App& app, int& status);

}  // namespace llmsim
