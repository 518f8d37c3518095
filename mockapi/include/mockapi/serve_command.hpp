// The `llmsim serve` subcommand: starts the mock OpenAI server from a scenario's provider section.
#pragma once

#include <CLI/CLI.hpp>

namespace llmsim {

// Adds `serve` to `app`; when it runs, its exit status (0, or 2 for bad input) goes to `status`.
void register_serve_command(CLI::App& app, int& status);

}  // namespace llmsim
