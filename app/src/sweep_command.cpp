// `llmsim sweep`: flags in, points run (threads, and MPI ranks under mpirun), rows out.
#include "app/sweep_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "models/sweep_grid.hpp"
#include "simulator/html_report.hpp"
#include "app/mpi_world.hpp"
#include "simulator/sweep.hpp"
#include "simulator/sweep_table.hpp"
#include "app/output_file.hpp"

namespace llmsim {

namespace {

struct SweepFlags {
  std::string grid_path;
  std::string csv_path;
  std::string jsonl_path;
  std::string html_path;
  std::optional<std::string> columns;  // globs; none: every column in files, the short set on stdout
  std::optional<unsigned> jobs;
};

// Draws "sweep [#####-----] 12/24 points 3.1 s" on stderr, at most every 100 ms.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label) : label_(std::move(label)) {}

  void update(std::size_t done, std::size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - drawn_ < kRedrawEvery) return;
    drawn_ = now;
    constexpr std::size_t kWidth = 30;  // characters of the bar
    const std::size_t filled = total == 0 ? kWidth : done * kWidth / total;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu points %.1f s", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '-').c_str(), done, total, seconds);
    if (done == total) std::fputs("\n", stderr);
    std::fflush(stderr);
  }

 private:
  static constexpr std::chrono::milliseconds kRedrawEvery{100};
  std::string label_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_{};
};

// Returns the threads each rank uses by default: this machine's cores shared among its ranks.
unsigned default_jobs(int ranks_here) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return std::max(1U, cores / static_cast<unsigned>(std::max(1, ranks_here)));
}

// Packs this rank's reports as [[index, report], ...] for the gather, and unpacks them on rank 0.
std::string pack(const std::vector<std::size_t>& indices, const std::vector<std::string>& reports) {
  nlohmann::json packed = nlohmann::json::array();
  for (std::size_t k = 0; k < indices.size(); ++k) packed.push_back({indices[k], reports[k]});
  return packed.dump();
}

void unpack(const std::string& part, std::vector<std::string>& reports) {
  for (const auto& item : nlohmann::json::parse(part)) {
    reports.at(item[0].get<std::size_t>()) = item[1].get<std::string>();
  }
}

// Runs this rank's share of the points; on rank 0 returns every point's report, in grid order.
std::vector<std::string> run_share(const SweepGrid& grid, const SweepFlags& flags, const MpiWorld* world) {
  const int rank = world != nullptr ? world->rank() : 0;
  const int ranks = world != nullptr ? world->size() : 1;
  const std::vector<std::size_t> indices = sweep_share(grid.points.size(), rank, ranks);
  SweepRunOptions options;
  options.jobs = flags.jobs.value_or(default_jobs(world != nullptr ? world->local_size() : 1));
  auto bar = std::make_shared<ProgressBar>(ranks > 1 ? "sweep (rank 0 of " + std::to_string(ranks) + ")" : "sweep");
  if (rank == 0 && isatty(STDERR_FILENO) == 1) {
    options.progress = [bar](std::size_t done, std::size_t total) { bar->update(done, total); };
  }
  std::vector<std::string> mine = run_sweep_points(grid, indices, options);
  if (world == nullptr) return mine;
  std::vector<std::string> reports(grid.points.size());
  for (const std::string& part : world->gather_to_root(pack(indices, mine))) unpack(part, reports);
  return reports;
}

// Writes the rows where the flags say (stdout when no file is named); returns the exit status.
// Files get every column unless --columns says otherwise; stdout, which a person reads, gets the
// short set (sweep_default_columns).
int write_rows(const SweepGrid& grid, const std::vector<std::string>& reports, const SweepFlags& flags) {
  if (!flags.html_path.empty() && !write_output(flags.html_path, sweep_html(grid, reports), "sweep page")) return 2;
  const std::vector<std::string> chosen = flags.columns ? parse_column_globs(*flags.columns) : std::vector<std::string>{};
  try {
    if (flags.csv_path.empty() && flags.jsonl_path.empty()) {
      std::cout << sweep_csv(grid, reports, flags.columns ? chosen : sweep_default_columns(grid));
      return 0;
    }
    if (!flags.csv_path.empty() && !write_output(flags.csv_path, sweep_csv(grid, reports, chosen), "sweep's rows")) return 2;
    if (!flags.jsonl_path.empty() && !write_output(flags.jsonl_path, sweep_jsonl(grid, reports, chosen), "sweep's rows")) return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "llmsim sweep: " << error.what() << "\n";
    return 2;
  }
  return 0;
}

int run_sweep_command(const SweepFlags& flags) {
  std::optional<MpiWorld> world;
  try {
    if (MpiWorld::is_launched_by_mpirun()) world.emplace();
  } catch (const std::exception& error) {
    std::cerr << "llmsim sweep: " << error.what() << "\n";
    return 2;
  }
  const bool is_root = !world || world->rank() == 0;
  std::optional<SweepGrid> grid;
  try {
    grid = load_sweep_grid(flags.grid_path, sweep_report_columns_reserved());
  } catch (const ScenarioError& error) {
    // Every rank finds the same problems; one says them.
    if (is_root) std::cerr << error.what() << "\n";
    return 2;
  }
  std::vector<std::string> reports;
  try {
    reports = run_share(*grid, flags, world ? &*world : nullptr);
  } catch (const std::exception& error) {
    std::cerr << "llmsim sweep: " << error.what() << "\n";
    if (world) world->abort(2);  // the other ranks would wait for this one's reports
    return 2;
  }
  return is_root ? write_rows(*grid, reports, flags) : 0;
}

}  // namespace

void register_sweep_command(CLI::App& app, int& status) {
  auto flags = std::make_shared<SweepFlags>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Simulate a grid of scenario variants in parallel (threads; MPI ranks under mpirun); one row per point");
  sweep->add_option("grid", flags->grid_path, "Grid JSON file (format: data/sweeps/README.md)")->required();
  sweep->add_option("--csv", flags->csv_path, "Write the rows as CSV to this file");
  sweep->add_option("--jsonl", flags->jsonl_path, "Write the rows as JSON lines to this file");
  sweep->add_option("--html", flags->html_path,
                    "Also write a self-contained HTML page: each figure against each axis, a line per strategy");
  sweep->add_option("--columns", flags->columns,
                    "Columns to write, globs over the flattened names: \"users,seed,total.latency_s.*\" "
                    "(default: every column in files; axes, seed, success, p95, 429s, retries, passed on stdout)");
  sweep->add_option("--jobs", flags->jobs, "Threads per process (default: the cores, shared among MPI ranks)")
      ->check(CLI::Range(1U, 4096U));
  sweep->callback([flags, &status] { status = run_sweep_command(*flags); });
}

}  // namespace llmsim
