// Placeholder until the server lands.
#include "mockapi/serve_command.hpp"

namespace llmsim {
void register_serve_command(CLI::App& app, int& status) {
  app.add_subcommand("serve", "Start the mock OpenAI-compatible server (not built yet)")
      ->callback([&status] { status = 2; });
}
}  // namespace llmsim
