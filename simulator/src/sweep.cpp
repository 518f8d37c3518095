// Running sweep points on a pool of threads (see simulator/sweep.hpp).
#include "simulator/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"

namespace llmsim {

std::string run_sweep_point(const SweepPoint& point) {
  const SimulationResult result = simulate(point.scenario);
  Report report = build_report(point.scenario, result.phases, result.limiter_levels, "simulated");
  report.timelines.clear();  // a sweep's rows hold figures; a second-by-second series is no column
  return to_json(report);
}

std::vector<std::string> run_sweep_points(const SweepGrid& grid, const std::vector<std::size_t>& indices,
                                          const SweepRunOptions& options) {
  std::vector<std::string> reports(indices.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards `done`, `error` and the progress callback
  std::size_t done = 0;
  std::exception_ptr error;
  const auto work = [&] {
    for (std::size_t k = next++; k < indices.size() && !failed; k = next++) {
      try {
        reports[k] = run_sweep_point(grid.points.at(indices[k]));
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      const std::lock_guard lock(mutex);
      ++done;
      if (options.progress) options.progress(done, indices.size());
    }
  };
  const unsigned threads = std::max(1U, std::min<unsigned>(options.jobs, static_cast<unsigned>(indices.size())));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();  // the calling thread is one of the workers
  }
  if (error) std::rethrow_exception(error);
  return reports;
}

std::vector<std::size_t> sweep_share(std::size_t points, int rank, int ranks) {
  std::vector<std::size_t> indices;
  for (std::size_t i = static_cast<std::size_t>(rank); i < points; i += static_cast<std::size_t>(ranks)) {
    indices.push_back(i);
  }
  return indices;
}

}  // namespace llmsim
