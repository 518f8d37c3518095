// Capacity search: bracketing and bisection of one phase's load (see simulator/capacity.hpp).
#include "simulator/capacity.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "models/sweep_grid.hpp"
#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"

namespace llmsim {

namespace {

// Default search range: users, and arrivals per second.
constexpr double kMinUsers = 1;
constexpr double kMaxUsers = 1'000'000;
constexpr double kMinRate = 0.001;
constexpr double kMaxRate = 1'000'000;
// Bisection stops when a rate's passing and failing loads are within this share of each other.
constexpr double kRateResolution = 0.005;

std::string trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const std::size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

bool holds(double actual, const std::string& op, double value) {
  if (std::isnan(actual)) return false;
  if (op == "<") return actual < value;
  if (op == "<=") return actual <= value;
  if (op == ">") return actual > value;
  if (op == ">=") return actual >= value;
  return actual == value;
}

bool is_open(const Phase& phase) {
  return phase.start == StartMode::poisson || phase.start == StartMode::constant_rate;
}

// Runs `task(0..count-1)` on up to `jobs` threads; rethrows the first exception after all stop.
void parallel_for(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr error;
  const auto work = [&] {
    for (std::size_t k = next++; k < count; k = next++) {
      try {
        task(k);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const unsigned threads = std::max(1U, std::min<unsigned>(jobs, static_cast<unsigned>(count)));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }
  if (error) std::rethrow_exception(error);
}

// What one search needs besides the load.
struct SearchContext {
  const Scenario& scenario;
  std::size_t phase = 0;
  bool is_rate = false;
  const std::vector<Threshold>& criteria;
  int seeds = 1;
  unsigned jobs = 1;
};

// Returns whether value `a` is worse than `b` for a check with operator `op`.
bool is_worse(double a, double b, const std::string& op) {
  if (std::isnan(a)) return true;
  if (op == "<" || op == "<=") return a > b;
  if (op == ">" || op == ">=") return a < b;
  return false;  // "==": the first failing seed's value is kept
}

// Simulates the scenario at `load` on every seed and reads the criteria on the phase.
CapacityPoint evaluate(const SearchContext& context, double load) {
  std::vector<std::vector<double>> values(static_cast<std::size_t>(context.seeds));
  parallel_for(values.size(), context.jobs, [&](std::size_t k) {
    Scenario scenario = context.scenario;
    Phase& phase = scenario.workload.phases[context.phase];
    if (context.is_rate) {
      phase.rate_per_s = load;
    } else {
      phase.users = static_cast<int>(load);
    }
    scenario.seed = sweep_point_seed(context.scenario.seed, k + 1);
    const SimulationResult run = simulate(scenario);
    const Report report = build_report(scenario, run.phases, run.limiter_levels, "simulated");
    for (const Threshold& criterion : context.criteria) {
      values[k].push_back(metric_value(report.phases[context.phase], criterion.metric).value_or(std::nan("")));
    }
  });
  CapacityPoint point{.load = load, .passed = true};
  for (std::size_t c = 0; c < context.criteria.size(); ++c) {
    const Threshold& criterion = context.criteria[c];
    CriterionValue value{.worst = values.front()[c], .passed = true};
    for (const auto& seed_values : values) {
      const bool seed_passes = holds(seed_values[c], criterion.op, criterion.value);
      if (!seed_passes && value.passed) value.worst = seed_values[c];
      if (is_worse(seed_values[c], value.worst, criterion.op)) value.worst = seed_values[c];
      value.passed = value.passed && seed_passes;
    }
    point.passed = point.passed && value.passed;
    point.criteria.push_back(value);
  }
  return point;
}

// Returns whether the passing and failing loads are as close as the search resolves.
bool is_resolved(bool is_rate, double passing, double failing) {
  if (is_rate) return failing - passing <= kRateResolution * passing;
  return failing - passing <= 1;
}

// Returns the next load after `load` when bracketing up (2x) or down (x/2), within [min, max].
double bracket_step(bool is_rate, double load, bool up, double min, double max) {
  double next = up ? load * 2 : load / 2;
  if (!is_rate) next = up ? std::ceil(next) : std::floor(next);
  return std::clamp(next, min, max);
}

// Brackets and bisects; fills result.answer, result.above and result.points.
void search(const SearchContext& context, double start, double min, double max, CapacityResult& result) {
  const auto try_load = [&](double load) {
    result.points.push_back(evaluate(context, load));
    return result.points.back().passed;
  };
  std::optional<double> passing;
  std::optional<double> failing;
  double load = std::clamp(start, min, max);
  const bool up = try_load(load);
  (up ? passing : failing) = load;
  while (up ? !failing : !passing) {
    if (load == (up ? max : min)) break;
    load = bracket_step(context.is_rate, load, up, min, max);
    (try_load(load) ? passing : failing) = load;
  }
  while (passing && failing && !is_resolved(context.is_rate, *passing, *failing)) {
    const double mid = context.is_rate ? (*passing + *failing) / 2 : std::floor((*passing + *failing) / 2);
    (try_load(mid) ? passing : failing) = mid;
  }
  result.answer = passing;
  result.above = failing;
  if (!failing) return;
  for (const CapacityPoint& point : result.points) {
    if (point.load != *failing) continue;
    for (std::size_t c = 0; c < point.criteria.size(); ++c) {
      if (!point.criteria[c].passed) result.failing.push_back(context.criteria[c].text);
    }
  }
}

// Returns the success rate the criteria ask for: the largest "success_rate >= X" (1 without one).
double asked_success(const std::vector<Threshold>& criteria) {
  double success = 0;
  for (const Threshold& c : criteria) {
    if (c.metric == "success_rate" && (c.op == ">=" || c.op == ">")) success = std::max(success, c.value);
  }
  return success > 0 ? success : 1.0;
}

}  // namespace

std::vector<Threshold> parse_criteria(std::string_view text) {
  std::vector<Threshold> criteria;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string check = trim(text.substr(begin, end - begin));
    try {
      criteria.push_back(parse_threshold_check(check));
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument("--criteria: \"" + check + "\": " + error.what());
    }
    begin = end + 1;
  }
  return criteria;
}

std::size_t capacity_phase(const Scenario& scenario, const std::optional<std::string>& name) {
  const auto& phases = scenario.workload.phases;
  std::string names;
  for (const Phase& phase : phases) names += (names.empty() ? "\"" : ", \"") + phase.name + "\"";
  if (!name) {
    if (phases.size() == 1) return 0;
    throw std::invalid_argument("--phase: the scenario has " + std::to_string(phases.size()) +
                                " phases, name the one to load: " + names);
  }
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (phases[i].name == *name) return i;
  }
  throw std::invalid_argument("--phase: must be one of the phase names (" + names + "), got \"" + *name + "\"");
}

CapacityResult find_capacity(const Scenario& scenario, const CapacityOptions& options) {
  if (options.criteria.empty()) throw std::invalid_argument("--criteria: needs at least one check");
  if (options.seeds < 1) throw std::invalid_argument("--seeds: must be >= 1, got " + std::to_string(options.seeds));
  const std::size_t index = capacity_phase(scenario, options.phase);
  const Phase& phase = scenario.workload.phases[index];
  CapacityResult result{.scenario = scenario.name, .phase = phase.name, .is_rate = is_open(phase),
                        .seeds = options.seeds};
  for (const Threshold& c : options.criteria) result.criteria.push_back(c.text);
  double min = options.min.value_or(result.is_rate ? kMinRate : kMinUsers);
  double max = options.max.value_or(result.is_rate ? kMaxRate : kMaxUsers);
  if (!result.is_rate) {
    min = std::max(1.0, std::ceil(min));
    max = std::min(static_cast<double>(std::numeric_limits<int>::max()), std::floor(max));
  }
  if (!(min > 0) || !(max >= min)) {
    throw std::invalid_argument("--min, --max: must be 0 < min <= max, got " + std::to_string(min) + " and " +
                                std::to_string(max));
  }
  result.bound = capacity_bound(scenario, index, asked_success(options.criteria));
  const double start = result.is_rate ? phase.rate_per_s : static_cast<double>(phase.users);
  const SearchContext context{scenario, index, result.is_rate, options.criteria, options.seeds, options.jobs};
  search(context, start, min, max, result);
  return result;
}

std::vector<CapacityResult> find_capacities(const std::vector<std::pair<std::string, Scenario>>& variants,
                                            const CapacityOptions& options) {
  std::vector<CapacityResult> results(variants.size());
  CapacityOptions one = options;
  one.jobs = 1;  // the variants run at once, each one's seeds in turn
  parallel_for(variants.size(), options.jobs, [&](std::size_t k) {
    results[k] = find_capacity(variants[k].second, one);
    results[k].variant = variants[k].first;
  });
  return results;
}

}  // namespace llmsim
