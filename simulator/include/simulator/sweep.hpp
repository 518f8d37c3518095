// Running a sweep's points: each point simulated (the report of `llmsim run`) on a pool of threads.
//
// A point's report is a pure function of its scenario (seed included), so the results do not
// depend on how many threads ran them or in which order they finished; they come back in the
// order they were asked for. The MPI driver (mpi_world.hpp) gives each rank a share of the
// indices and gathers the reports.
//
//   SweepGrid grid = load_sweep_grid(path, sweep_report_columns_reserved());
//   std::vector<std::string> reports = run_sweep_points(grid, all_indices(grid), {.jobs = 4});
//   write_file("out.csv", sweep_csv(grid, reports));
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "models/sweep_grid.hpp"

namespace llmsim {

struct SweepRunOptions {
  unsigned jobs = 1;  // threads (>= 1)
  // Called after each point, from the thread that ran it, with (points done, points asked for);
  // calls are serialised.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Returns the JSON report (to_json, as `llmsim run --json` writes it) of one point.
std::string run_sweep_point(const SweepPoint& point);

// Runs the points at `indices` of `grid` on `options.jobs` threads; returns their JSON reports in
// the order of `indices`. Rethrows the first exception a point raised, after every thread stopped.
std::vector<std::string> run_sweep_points(const SweepGrid& grid, const std::vector<std::size_t>& indices,
                                          const SweepRunOptions& options);

// Returns the indices of rank `rank` of `ranks`: every ranks-th point from `rank` (round robin, so
// neighbouring points, which often cost alike, are spread over the ranks).
std::vector<std::size_t> sweep_share(std::size_t points, int rank, int ranks);

}  // namespace llmsim
