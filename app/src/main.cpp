// llmsim: parse arguments, call a library function, print. Each subcommand registers itself and
// writes its exit status (0 ok, 1 a threshold failed, 2 bad input) into `status`.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "app/cli_checks.hpp"
#include "app/serve_command.hpp"
#include "app/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"llmsim: simulate and mock rate-limited LLM APIs (OpenAI-compatible)", "llmsim"};
  app.set_version_flag("--version", llmsim::version_string());
  app.require_subcommand(1);
  int status = 0;
  llmsim::register_simulator_commands(app, status);
  llmsim::register_serve_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 returns 0 for --help/--version and non-zero for bad flags; bad input exits 2. An
    // unknown command or flag is named with the closest known one.
    if (error.get_exit_code() != 0) {
      const std::string unknown = llmsim::cli::unknown_argument_message(app, {argv + 1, argv + argc});
      if (!unknown.empty()) {
        std::cerr << unknown << "\n";
        return 2;
      }
    }
    return app.exit(error) == 0 ? 0 : 2;
  }
  return status;
}
