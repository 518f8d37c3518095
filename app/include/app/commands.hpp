// The simulator's subcommands of `llmsim`: check, run, load, compare and sweep.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace llmsim {

// Returns "llmsim X.Y.Z".
std::string version_string();

// Adds the simulator's subcommands to `app`; each writes its exit status into `status`
// (0 ok, 1 a threshold failed, 2 bad input).
void register_simulator_commands(CLI::App& app, int& status);

// Adds `llmsim calibrate TRACE.csv [-o provider.json]` (simulator/src/calibrate_command.cpp).
void register_calibrate_command(CLI::App& app, int& status);

}  // namespace llmsim
