// A scenario: one study, as loaded and validated from a JSON file (data/scenarios/*.json).
//
// Every field, its unit and its default is documented in data/README.md; this header is the
// loader, and models/scenario_config.hpp the in-memory form it fills. Loading collects every
// problem in the file and throws ScenarioError listing each as `FILE: /json/pointer: rule, got
// VALUE`. Nothing a user wrote wrongly is defaulted.
//
//   Scenario s = load_scenario("data/scenarios/gaja-2025-06-10.json");
//   for (const Phase& p : s.workload.phases) ...
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario_config.hpp"

namespace llmsim {

// One problem found while loading: where, which rule, what value.
struct ScenarioProblem {
  std::string pointer;  // JSON pointer, "" for the whole document
  std::string message;  // "must be >= 1, got 0"
  int line = 0;         // invalid JSON only: where the parser stopped (1-based), else 0
  int column = 0;
};

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, std::vector<ScenarioProblem> problems);
  const std::vector<ScenarioProblem>& problems() const { return problems_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<ScenarioProblem> problems_;
};

// Returns why `text` is not a JSON document the tool can read, or nullopt when it is one: invalid
// JSON (line, column and the parser's reason) or a number too large for a double ("/seed: number
// out of range (must fit in a double), got 1e999"). Every reader of a JSON file asks it first, so
// a bad file is an error line and exit 2, never an exception escaping main.
std::optional<ScenarioProblem> json_text_problem(const std::string& text);

// Whether a scenario must have a "workload": every command that runs one needs it; `llmsim serve`
// reads only the providers, so a file with just a provider section is enough there.
enum class WorkloadRule { required, optional };

// Loads and validates a scenario file; throws ScenarioError listing every problem, each line
// `FILE: /pointer: rule, got VALUE`. `limits_dir` is where "limits": {"model", "tier"} is looked up.
// With WorkloadRule::optional an absent "workload" is no problem (a present one is still checked).
Scenario load_scenario(const std::string& path, const std::string& limits_dir = "",
                       WorkloadRule workload_rule = WorkloadRule::required);

// Parses and validates scenario JSON text; `file` names it in errors.
Scenario parse_scenario(const std::string& json_text, const std::string& file,
                        const std::string& limits_dir = "",
                        WorkloadRule workload_rule = WorkloadRule::required);

// Returns a human description of what the scenario describes (llmsim check).
std::string describe_scenario(const Scenario& scenario);

// Returns the metric names a threshold may check ("success_rate", "latency_s.p95", ...), in the
// order data/README.md lists them.
const std::vector<std::string_view>& threshold_metrics();

// Parses one "METRIC OP VALUE" check as a scenario's thresholds are written ("success_rate>=0.99",
// "latency_s.p95 <= 3"); throws std::invalid_argument with the rule it breaks, as the scenario
// loader says it: `must be "METRIC OP VALUE" with OP one of ...` or `unknown metric "x" (did you
// mean "y"?)`.
Threshold parse_threshold_check(std::string_view text);

// Returns the candidate closest to `word` for a "did you mean" (within 2 edits, or one per 3
// letters), or nullopt; the scenario loader's own rule, for the command line's names.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace llmsim
