// Subcommand wiring: flags in, a library call, text out.
#include "simulator/commands.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"

namespace llmsim {

std::string version_string() { return "llmsim " LLMSIM_VERSION; }

namespace {

// Loads a scenario or prints its problems; returns nullopt on bad input.
std::optional<Scenario> load_or_report(const std::string& path, int& status) {
  try {
    return load_scenario(path);
  } catch (const ScenarioError& error) {
    std::cerr << error.what() << "\n";
    status = 2;
    return std::nullopt;
  }
}

void register_check(CLI::App& app, int& status) {
  auto path = std::make_shared<std::string>();
  CLI::App* check = app.add_subcommand("check", "Validate a scenario file and print what it describes");
  check->add_option("scenario", *path, "Scenario JSON file")->required();
  check->callback([path, &status] {
    if (auto scenario = load_or_report(*path, status)) {
      std::cout << describe_scenario(*scenario);
      status = 0;
    }
  });
}

// Writes `text` to `path`; returns false (and says why) when it cannot.
bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << path << ": cannot write report\n";
    return false;
  }
  return true;
}

struct OutputOptions {
  std::string json_path;
  std::string csv_path;
  bool quiet = false;
};

void add_output_options(CLI::App* command, OutputOptions& options) {
  command->add_option("--json", options.json_path, "Also write the report as JSON to this file");
  command->add_option("--csv", options.csv_path, "Also write the report as CSV to this file");
  command->add_flag("--quiet", options.quiet, "Do not print the human report");
}

// Prints and writes a report; returns the exit status: 0, 1 when a threshold failed, 2 on I/O.
int emit_report(const Report& report, const OutputOptions& options) {
  if (!options.quiet) std::cout << to_text(report);
  if (!options.json_path.empty() && !write_file(options.json_path, to_json(report))) return 2;
  if (!options.csv_path.empty() && !write_file(options.csv_path, to_csv(report))) return 2;
  return report.is_passing() ? 0 : 1;
}

struct RunOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  OutputOptions output;
};

void register_run(CLI::App& app, int& status) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario in virtual time and print its report");
  run->add_option("scenario", options->scenario_path, "Scenario JSON file")->required();
  run->add_option("--seed", options->seed, "Override the scenario's seed");
  add_output_options(run, options->output);
  run->callback([options, &status] {
    auto scenario = load_or_report(options->scenario_path, status);
    if (!scenario) return;
    if (options->seed) scenario->seed = *options->seed;
    const SimulationResult result = simulate(*scenario);
    const Report report = build_report(*scenario, result.phases, result.limiter_levels, "simulated");
    status = emit_report(report, options->output);
  });
}

}  // namespace

void register_simulator_commands(CLI::App& app, int& status) {
  register_check(app, status);
  register_run(app, status);
}

}  // namespace llmsim
