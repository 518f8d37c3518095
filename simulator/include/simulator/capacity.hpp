// Capacity search (llmsim capacity): the largest load of one phase that meets every criterion on
// every seed, found by bracketing and bisection on the simulator.
//
// The load is the phase's users for a closed phase ("all_at_once", "ramp") and its arrival rate
// (per second) for an open one ("poisson", "constant_rate"); everything else in the scenario stays
// as written (other phases, their gaps, the ramp's length). A load passes when, on every seed
// 1..N, every criterion holds on the phase's figures. Seed k runs with sweep_point_seed(scenario
// seed, k) at every load (common random numbers), so the pass/fail curve is monotone where the
// model is. The search starts at the phase's own load, doubles (or halves) it until the answer is
// bracketed by a passing and a failing load within [min, max], then bisects until the two are one
// user apart (users) or within 0.5% of each other (rates). The result is a pure function of the
// scenario and the options: `jobs` only says how many seeds (or strategies) run at once.
//
// Beside it, an analytic bound from the rate limits: the per-minute limit (RPM, TPM, ITPM or
// OTPM, in requests of the scenario's size) that admits the fewest, of the first provider, times
// the keys a round-robin or least-loaded key choice spreads over; summed over the routed
// providers when client.routing fails over or spreads across several:
// - steady users (a phase with duration_s or at least 10 requests per user): RPM x (think +
//   service) / 60 users, the long-run admitted rate times the time a user takes per request;
// - a burst (fewer requests per user): (bucket + refill x T) / (requests per user x the success
//   rate asked for), T the time the burst takes (ramp + requests x service + (requests - 1) x think);
// - open arrivals: the admitted rate / the success rate asked for.
//
//   CapacityOptions options{.criteria = parse_criteria("success_rate>=0.99,latency_s.p95<=3")};
//   CapacityResult r = find_capacity(scenario, options);
//   std::cout << to_text(r);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/scenario.hpp"

namespace llmsim {

inline constexpr int kCapacitySchemaVersion = 1;

struct CapacityOptions {
  std::vector<Threshold> criteria;   // at least one; read on the searched phase's figures
  std::optional<std::string> phase;  // the phase to load; needed when there are several
  int seeds = 1;                     // seed values 1..seeds, every one must pass
  std::optional<double> min;         // smallest load tried (default 1 user, or 0.001/s)
  std::optional<double> max;         // largest load tried (default 1,000,000 users, or /s)
  unsigned jobs = 1;                 // seeds simulated at once
};

// One criterion's value at one evaluated load: the worst over the seeds.
struct CriterionValue {
  double worst = 0;  // the seed value furthest on the failing side
  bool passed = false;
};

// One evaluated load.
struct CapacityPoint {
  double load = 0;
  std::vector<CriterionValue> criteria;  // in criteria order
  bool passed = false;                   // every criterion on every seed
};

struct CapacityBound {
  std::string kind;  // "steady", "burst", "open" or "none"
  double load = 0;   // users, or arrivals per second
  std::string formula;  // how it was computed, with the numbers
};

struct CapacityResult {
  std::string scenario;      // the scenario's name
  std::string variant;       // the strategy variant's name, or ""
  std::string phase;         // the searched phase
  bool is_rate = false;      // the load is an arrival rate (per second), else users
  std::vector<std::string> criteria;  // as written
  int seeds = 1;
  std::optional<double> answer;      // the largest passing load; none: even `min` fails
  std::optional<double> above;       // the smallest failing load; none: `max` passes
  std::vector<std::string> failing;  // the criteria that fail at `above`
  CapacityBound bound;
  std::vector<CapacityPoint> points;  // every load evaluated, in the order tried
};

// Parses "CHECK,CHECK,..." (each as a threshold: "success_rate>=0.99"); throws
// std::invalid_argument "--criteria: CHECK: RULE" (with "did you mean" for an unknown metric).
std::vector<Threshold> parse_criteria(std::string_view text);

// Returns the index of the phase to search; throws std::invalid_argument when `name` names none
// or when it is empty and the scenario has several phases.
std::size_t capacity_phase(const Scenario& scenario, const std::optional<std::string>& name);

// Returns the analytic bound for phase `index` (see the header comment); `success` is the
// success rate the criteria ask for (1 when they ask none).
CapacityBound capacity_bound(const Scenario& scenario, std::size_t index, double success);

// Searches the capacity of `scenario`; throws std::invalid_argument for bad options.
CapacityResult find_capacity(const Scenario& scenario, const CapacityOptions& options);

// Searches each scenario of `variants` (name, scenario) as find_capacity does, `jobs` variants at
// once (seeds one after the other); results in the order given.
std::vector<CapacityResult> find_capacities(const std::vector<std::pair<std::string, Scenario>>& variants,
                                            const CapacityOptions& options);

// Renders one result (or a comparison of strategies) as text and as JSON (schema_version 1).
std::string to_text(const CapacityResult& result);
std::string capacity_comparison_text(const std::vector<CapacityResult>& results);
std::string to_json(const std::vector<CapacityResult>& results);

}  // namespace llmsim
