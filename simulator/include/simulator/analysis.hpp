// Queueing theory beside the simulator (llmsim analyze): per phase, the analytic answers for the
// cases theory covers next to the simulated figures, or the assumption a phase breaks.
//
// For every phase:
// - rate limits: the offered rate, the long-run rate the token buckets admit and the requests
//   they admit over the phase (a fluid bound: per-minute buckets carry their level over from the
//   previous phase and its gap, daily buckets start at what initial_usage leaves);
// - an open pool (Poisson arrivals, c connections): M/M/c (Erlang C) when the service time is
//   exponential, else M/G/c (Allen-Cunneen with the service time's Cs^2), see service_time.hpp;
// - a closed pool (N users with think time, c connections): M/M/c//N solved as a Markov chain;
// - Little's law on the simulated run: the time-average number in flight against
//   throughput x mean latency.
// A model whose assumptions a phase breaks (arrivals not Poisson, limits that bind, faults, an
// unstable queue ...) reports which assumption instead of a number. Figures are in seconds,
// requests and requests per second (per minute for rates against limits).
//
//   const SimulationResult run = simulate(scenario);
//   Analysis a = analyze(scenario, run);
//   std::cout << to_text(a);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {

inline constexpr int kAnalysisSchemaVersion = 1;

// One figure: what theory says and what the simulated run measured (none: theory only).
struct AnalysisFigure {
  std::string name;   // "mean_wait_s", "wait_probability", ...
  double analytic = 0;
  std::optional<double> simulated;

  // Returns (simulated - analytic) / analytic, or nullopt without a simulated value or when the
  // analytic value is 0.
  std::optional<double> relative_difference() const;
};

// One model applied to one phase.
struct ModelAnalysis {
  std::string model;       // "rate_limits", "mmc", "mgc", "closed_ctmc", "littles_law"
  std::string title;       // "M/M/c (Erlang C)"
  std::string parameters;  // "lambda = 6.8/s, E[S] = 1 s, c = 8, rho = 0.85", or ""
  std::vector<std::string> notes;      // assumptions made where the phase is close enough
  std::optional<std::string> outside;  // the assumption the phase breaks (then no figures)
  std::vector<AnalysisFigure> figures;
};

struct PhaseAnalysis {
  std::string name;
  std::vector<ModelAnalysis> models;
};

struct Analysis {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<PhaseAnalysis> phases;
};

// Analyses every phase of a simulated run of `scenario`.
Analysis analyze(const Scenario& scenario, const SimulationResult& run);

// Renders the analysis as text: per phase, one block per model with analytic, simulated and the
// relative difference.
std::string to_text(const Analysis& analysis);

// Formats a figure for the text: 4 significant digits ("6.8", "0.5726"), whole numbers from
// 10,000 up in full ("20000").
std::string format_figure(double value);

// Renders the analysis as JSON (schema_version 1, stable key order).
std::string to_json(const Analysis& analysis);

}  // namespace llmsim
