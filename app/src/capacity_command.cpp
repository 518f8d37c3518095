// `llmsim capacity`: flags in, a search (or one per strategy), text and JSON out.
#include "app/capacity_command.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "models/scenario.hpp"
#include "models/sweep_grid.hpp"
#include "simulator/capacity.hpp"
#include "simulator/html_report.hpp"
#include "simulator/sweep_table.hpp"
#include "app/output_file.hpp"

namespace llmsim {

namespace {

struct CapacityFlags {
  std::string scenario_path;
  std::string criteria;
  std::optional<std::string> phase;
  int seeds = 1;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<unsigned> jobs;
  std::string strategies_path;
  std::string json_path;
  std::string html_path;
  bool quiet = false;
};

// Returns the named variants of the grid's first variants axis, each as its first point's
// scenario with the base scenario's seed (the search seeds it). Throws std::invalid_argument.
std::vector<std::pair<std::string, Scenario>> strategy_variants(const std::string& grid_path,
                                                                const std::string& scenario_path,
                                                                std::uint64_t base_seed) {
  const SweepGrid grid = load_sweep_grid(grid_path, sweep_report_columns_reserved());
  std::error_code error;
  if (!std::filesystem::equivalent(grid.base_path, scenario_path, error)) {
    throw std::invalid_argument("--strategies: " + grid_path + ": its base is " + grid.base_path + ", not " +
                                scenario_path);
  }
  const auto axis = std::find_if(grid.axes.begin(), grid.axes.end(), [](const SweepAxis& a) { return a.is_variants; });
  if (axis == grid.axes.end()) {
    throw std::invalid_argument("--strategies: " + grid_path + ": has no axis of named variants");
  }
  const auto a = static_cast<std::size_t>(axis - grid.axes.begin());
  std::vector<std::pair<std::string, Scenario>> variants;
  for (const SweepPoint& point : grid.points) {
    const std::string name = sweep_value_text(point.axis_values[a]);
    const bool seen = std::any_of(variants.begin(), variants.end(), [&name](const auto& v) { return v.first == name; });
    if (seen) continue;
    variants.emplace_back(name, point.scenario);
    variants.back().second.seed = base_seed;
  }
  return variants;
}

int run_capacity(const CapacityFlags& flags) {
  std::vector<CapacityResult> results;
  try {
    const Scenario scenario = load_scenario(flags.scenario_path);
    CapacityOptions options{.criteria = parse_criteria(flags.criteria), .phase = flags.phase, .seeds = flags.seeds,
                            .min = flags.min, .max = flags.max,
                            .jobs = flags.jobs.value_or(std::max(1U, std::thread::hardware_concurrency()))};
    if (flags.strategies_path.empty()) {
      results.push_back(find_capacity(scenario, options));
    } else {
      results = find_capacities(strategy_variants(flags.strategies_path, flags.scenario_path, scenario.seed), options);
    }
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& error) {
    std::cerr << "llmsim capacity: " << error.what() << "\n";
    return 2;
  }
  const std::string text = results.size() == 1 ? to_text(results.front()) : capacity_comparison_text(results);
  if (!flags.quiet) std::cout << text;
  if (!flags.json_path.empty() && !write_output(flags.json_path, to_json(results), "capacity report")) return 2;
  if (!flags.html_path.empty() && !write_output(flags.html_path, capacity_html(results, text), "capacity page")) return 2;
  const bool any_answer = std::any_of(results.begin(), results.end(), [](const CapacityResult& r) { return r.answer.has_value(); });
  return any_answer ? 0 : 1;
}

}  // namespace

void register_capacity_command(CLI::App& app, int& status) {
  auto flags = std::make_shared<CapacityFlags>();
  CLI::App* capacity = app.add_subcommand(
      "capacity", "Find the most users (or arrivals per second) a phase serves within the criteria, by bisection");
  capacity->add_option("scenario", flags->scenario_path, "Scenario JSON file")->required();
  capacity->add_option("--criteria", flags->criteria,
                       "Checks every seed must pass, comma-separated: \"success_rate>=0.99,latency_s.p95<=3\"")
      ->required();
  capacity->add_option("--phase", flags->phase, "The phase to load (needed with several phases)");
  capacity->add_option("--seeds", flags->seeds, "Seeds 1..N, every one must pass (default 1)")->check(CLI::Range(1, 1000));
  capacity->add_option("--min", flags->min, "Smallest load tried (default 1 user, or 0.001/s)")->check(CLI::PositiveNumber);
  capacity->add_option("--max", flags->max, "Largest load tried (default 1000000)")->check(CLI::PositiveNumber);
  capacity->add_option("--jobs", flags->jobs, "Seeds (or strategies) simulated at once (default: the cores)")
      ->check(CLI::Range(1U, 4096U));
  capacity->add_option("--strategies", flags->strategies_path,
                       "A sweep grid whose base is SCENARIO: search each variant of its strategy axis");
  capacity->add_option("--json", flags->json_path, "Also write the result as JSON to this file");
  capacity->add_option("--html", flags->html_path,
                       "Also write a self-contained HTML page: every load tried against each criterion's line");
  capacity->add_flag("--quiet", flags->quiet, "Do not print the text");
  capacity->callback([flags, &status] { status = run_capacity(*flags); });
}

}  // namespace llmsim
