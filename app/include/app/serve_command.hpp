// The `llmsim serve` subcommand: starts the mock OpenAI server from a scenario's provider section.
//
// `llmsim serve [--scenario FILE [--provider NAME]] [--host 127.0.0.1] [--port 8080] [--threads N] [--time-scale K]
// [--seed S] [--body-limit-bytes B] [--read-timeout-s T] [--grace-s G] [--created-unix-s U]
// [--admin-token T] [--max-keys N] [--log-requests]` prints `listening on http://HOST:PORT` on
// stdout once it accepts connections (then `admin token: T` when it made up the token; a warning
// on stderr first when HOST is not a loopback address) and serves until SIGINT or SIGTERM, then finishes requests in progress (up to --grace-s) and
// exits 0. Bad flags, a bad scenario or an address it cannot listen on exit 2 with a message.
// --provider picks one of the scenario's providers by name (default: the first); its random streams
// use provider_seed(), so a server per provider draws as the simulator does (llmsim load starts
// one per provider with routing). Without --scenario it serves mockapi::default_provider_config() (see mockapi/server.hpp).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace llmsim {

// Returns the warning printed when `host` is not a loopback address (naming what the network
// can then reach), or nullopt for 127.0.0.1, ::1 and the rest of 127/8.
std::optional<std::string> exposure_warning(const std::string& host);

// Adds `serve` to `app`; when it runs, its exit status (0, or 2 for bad input) goes to `status`.
void register_serve_command(CLI::App& app, int& status);

}  // namespace llmsim
