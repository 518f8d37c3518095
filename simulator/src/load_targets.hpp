// What `llmsim load` drives: the target of every routed provider (given with --target, or mock
// servers it starts itself), and the open-file limit its connections need. Internal to
// socket_driver.cpp, apart so that the driver's file holds the driver.
//
//   std::deque<ServerProcess> servers = start_servers(scenario, options);  // when no --target
//   std::vector<Target> targets = routed_targets(scenario, options.targets);
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "simulator/server_process.hpp"
#include "simulator/socket_driver.hpp"

namespace llmsim {

struct Target {
  std::string host;
  std::string port;
  std::string base_path;  // "" or "/prefix" before /v1/...
};

// Parses "http://host[:port][/path]"; throws for anything else (https is not supported).
Target parse_target(const std::string& url);

// Raises the open-file limit so that every connection can have its descriptor; throws, saying
// what to change, when the hard limit is too low.
void ensure_file_limit(int connections);

// Returns the target of every routed provider, in the scenario's order; throws when a target
// names no provider of the scenario, names one twice, or a routed provider has none.
std::vector<Target> routed_targets(const Scenario& scenario, const std::vector<LoadTarget>& targets);

// Starts one mock server per routed provider (`--provider NAME` when the scenario has several)
// and points `options.targets` at them.
std::deque<ServerProcess> start_servers(const Scenario& scenario, LoadOptions& options);

}  // namespace llmsim
