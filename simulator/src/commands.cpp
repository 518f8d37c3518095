// Subcommand wiring: flags in, a library call, text out.
#include "simulator/commands.hpp"

#include <iostream>
#include <memory>

#include "models/scenario.hpp"

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

}  // namespace

void register_simulator_commands(CLI::App& app, int& status) {
  register_check(app, status);
}

}  // namespace llmsim
