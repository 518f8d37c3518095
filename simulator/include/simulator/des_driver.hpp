// The discrete-event driver: the client model in virtual time against the in-memory provider.
//
// One event loop of a few lines (ns-3 style): pop the earliest (time, sequence) event, set the
// clock, dispatch. Client timers go to the client model; a sent attempt reaches the provider
// model after half the round trip, which decides at that instant (so the rate limiter sees
// arrivals in time order), and its response reaches the client after the decided time plus the
// other half. A run is a pure function of the scenario and seed.
//
//   SimulationResult result = simulate(scenario);
//   for (const PhaseRun& p : result.phases) ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "simulator/client_model.hpp"

namespace llmsim {

class TraceRecorder;  // simulator/trace_recorder.hpp

struct SimulationResult {
  std::vector<PhaseRun> phases;
  // Rate-limiter levels of every key at the end of the run.
  std::map<std::string, std::vector<LimiterLevel>> limiter_levels;
  std::uint64_t events = 0;  // events processed
  TimePoint end{};           // virtual time of the last event
};

// Runs the scenario to completion in virtual time; writes a row per attempt to `recorder` when
// one is given.
SimulationResult simulate(const Scenario& scenario, TraceRecorder* recorder = nullptr);

}  // namespace llmsim
