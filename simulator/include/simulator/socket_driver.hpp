// The real-socket driver: the same client model, driven by wall-clock time and real HTTP.
//
// One thread runs one io_context: the client model's timers live in an EventQueue armed on a
// single steady_timer, and every attempt is a coroutine that writes an HTTP request with
// Boost.Beast over a kept-alive connection and reads the whole response (a streamed one to its
// `data: [DONE]`). Time is the scenario's own: wall time since the start multiplied by the time
// scale, so `--time-scale 10` runs ten times faster and reports figures in scenario seconds
// (the mock server is started with the same scale). Latency counts from the intended send time;
// timers that fire late are counted and make the run "not trustworthy" past 1% of starts.
//
// With routing (client.routing), every provider requests may go to has its own target: without
// targets, one `llmsim serve --provider NAME` per provider is started; each attempt goes to the
// target of the provider the client model chose, with the key it chose.
//
//   LoadOptions options{.time_scale = TimeScale(10)};
//   LoadResult result = run_load(scenario, options);   // starts `llmsim serve` itself
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario.hpp"
#include "models/time_scale.hpp"
#include "simulator/client_model.hpp"

namespace llmsim {

// Where one provider's requests go.
struct LoadTarget {
  std::string provider;         // a provider's name in the scenario
  std::string url;              // base URL ("http://host:port")
};

class TraceRecorder;  // simulator/trace_recorder.hpp

struct LoadOptions {
  std::vector<LoadTarget> targets;  // empty: start the mock server (one per routed provider)
  // The key of the first provider's requests (OPENAI_API_KEY, or ANTHROPIC_API_KEY for an
  // Anthropic provider, with a bare --target); empty: the key the client model chose from the
  // scenario.
  std::string api_key;
  TimeScale time_scale;         // scenario seconds per wall second (default 1)
  bool progress = false;        // live progress on stderr
  std::string server_program;   // the llmsim binary, to start `llmsim serve`
  std::string scenario_path;    // passed to `llmsim serve --scenario`
  // Add the scenario's network round trip (half before sending, half after the response): set
  // when llmsim started the mock server on loopback, which stands in for a remote API.
  bool emulate_rtt = false;
  TraceRecorder* recorder = nullptr;  // writes a row per attempt when set
};

struct LoadResult {
  std::vector<PhaseRun> phases;
  bool incomplete = false;      // stopped by a signal before the scenario's end
  bool trustworthy = true;      // the load generator kept up and the target took connections
  bool refused = false;         // every connection to the target(s) was refused (nothing listening)
  std::vector<std::pair<std::string, std::string>> notes;  // for the report
};

// Runs the scenario over real sockets; throws std::runtime_error when a target cannot be used
// (bad URL, unknown provider, a routed provider without one, server that does not start,
// file-descriptor limit too low, a mock server answering at another time scale than
// options.time_scale: its x-llmsim-time-scale header).
LoadResult run_load(const Scenario& scenario, const LoadOptions& options);

}  // namespace llmsim
