// Reading the workload phases and the thresholds of a scenario (see data/README.md).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "scenario_sections.hpp"

namespace llmsim {

const std::vector<std::string_view>& threshold_metrics() {
  static const std::vector<std::string_view> metrics = {
      // counts, rates and sizes of the run or phase
      "success_rate", "requests", "succeeded", "failed", "retries", "throughput_rps", "duration_s",
      "bytes_received", "success_body_bytes", "client_cpu_utilisation", "cache_hits", "provider_calls",
      // seconds from the intended send to the final response
      "latency_s.avg", "latency_s.min", "latency_s.max", "latency_s.p50", "latency_s.p90",
      "latency_s.p95", "latency_s.p99",
      // seconds from the intended send to the first token of a succeeded request
      "ttft_s.avg", "ttft_s.min", "ttft_s.max", "ttft_s.p50", "ttft_s.p90", "ttft_s.p95", "ttft_s.p99",
      // seconds of that spent waiting in the client
      "queue_s.avg", "queue_s.max", "queue_s.p50", "queue_s.p90", "queue_s.p95", "queue_s.p99",
      // failed requests by category
      "errors.rate_limit_requests", "errors.rate_limit_tokens", "errors.daily_limit",
      "errors.quota", "errors.server_5xx", "errors.timeout", "errors.connection", "errors.other",
      "errors.queue_full", "errors.queue_deadline"};
  return metrics;
}

namespace scenario_detail {

namespace {

const std::vector<std::string_view> kPhaseKeys = {"name",       "users",        "start",
                                                  "ramp_s",     "rate_per_s",   "requests_per_user",
                                                  "duration_s", "think_time_s", "gap_before_s"};
const std::vector<std::string_view> kStarts = {"all_at_once", "ramp", "poisson", "constant_rate"};
const std::vector<std::string_view> kOperators = {"<=", ">=", "==", "<", ">"};  // longest first

// Reads a field that belongs to some start modes only: required with them, refused otherwise.
void read_mode_field(const ObjectReader& phase, std::string_view key, bool is_needed,
                     const std::string& mode, NumberRule rule, double& target) {
  if (!phase.has(key)) {
    if (is_needed)
      phase.problems().add(phase.pointer_of(key), "required with " + mode + ", got nothing");
    return;
  }
  if (!is_needed) {
    phase.problems().add_got(phase.pointer_of(key), "only allowed with " + mode, *phase.get(key));
    return;
  }
  assign(target, phase.number(key, rule));
}

Phase read_phase(Problems& problems, const Json& value, const std::string& pointer,
                 std::size_t index) {
  Phase out;
  out.name = "phase " + std::to_string(index + 1);
  const ObjectReader phase(problems, &value, pointer, kPhaseKeys);
  if (!phase.is_object()) return out;
  assign(out.name, phase.string("name", true));
  if (phase.require("users")) assign(out.users, phase.integer("users", IntRule::int_at_least(1)));
  const auto start = phase.choice("start", kStarts);
  if (start) {
    out.start =
        static_cast<StartMode>(std::find(kStarts.begin(), kStarts.end(), *start) - kStarts.begin());
  }
  if (start || !phase.has("start")) {
    const bool is_rate = out.start == StartMode::poisson || out.start == StartMode::constant_rate;
    read_mode_field(phase, "ramp_s", out.start == StartMode::ramp, "\"start\": \"ramp\"",
                    NumberRule::at_least(0.0), out.ramp_s);
    read_mode_field(phase, "rate_per_s", is_rate, "\"start\": \"poisson\" or \"constant_rate\"",
                    NumberRule::above(0.0), out.rate_per_s);
  }
  assign(out.requests_per_user, phase.integer("requests_per_user", IntRule::int_at_least(1)));
  assign(out.duration_s, phase.number("duration_s", NumberRule::above(0.0)));
  if (!phase.has("requests_per_user") && !phase.has("duration_s")) {
    problems.add(pointer, "needs \"requests_per_user\" or \"duration_s\", got neither");
  }
  read_distribution_field(phase, "think_time_s", out.think_time_s, true);
  assign(out.gap_before_s, phase.number("gap_before_s", NumberRule::at_least(0.0)));
  return out;
}

// Splits "METRIC OP VALUE" (spaces around OP optional) into `out`; returns false when malformed.
bool split_check(std::string_view text, Threshold& out) {
  auto skip_spaces = [&text] {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  };
  skip_spaces();
  const std::size_t metric_end = text.find_first_of(" \t<>=!");
  if (metric_end == 0 || metric_end == std::string_view::npos) return false;
  out.metric = std::string(text.substr(0, metric_end));
  text.remove_prefix(metric_end);
  skip_spaces();
  const auto op =
      std::find_if(kOperators.begin(), kOperators.end(),
                   [&text](std::string_view candidate) { return text.starts_with(candidate); });
  if (op == kOperators.end()) return false;
  out.op = std::string(*op);
  text.remove_prefix(op->size());
  skip_spaces();
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out.value);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size() &&
         std::isfinite(out.value);
}

constexpr const char* kCheckRule =
    "must be \"METRIC OP VALUE\" with OP one of <, <=, >, >=, == and VALUE a number";

// Returns the rule a parsed check's metric breaks ("unknown metric ..."), or nullopt.
std::optional<std::string> metric_problem(const Threshold& check) {
  const auto& metrics = threshold_metrics();
  if (std::find(metrics.begin(), metrics.end(), check.metric) != metrics.end()) return std::nullopt;
  const auto suggestion = closest_match(check.metric, metrics);
  return "unknown metric \"" + check.metric + "\"" +
         (suggestion ? " (did you mean \"" + *suggestion + "\"?)" : " (see data/README.md)");
}

std::optional<Threshold> read_check(Problems& problems, const Json& value,
                                    const std::string& pointer) {
  if (!value.is_string()) {
    problems.add_got(pointer, "must be a string \"METRIC OP VALUE\"", value);
    return std::nullopt;
  }
  Threshold out;
  out.text = value.get<std::string>();
  if (!split_check(out.text, out)) {
    problems.add_got(pointer, kCheckRule, value);
    return std::nullopt;
  }
  if (const auto problem = metric_problem(out)) {
    problems.add_got(pointer, *problem, value);
    return std::nullopt;
  }
  return out;
}

std::optional<Threshold> read_threshold(Problems& problems, const Json& value,
                                        const std::string& pointer,
                                        const std::vector<std::string_view>& phase_names) {
  if (value.is_string()) return read_check(problems, value, pointer);
  if (!value.is_object()) {
    problems.add_got(pointer, "must be a string \"METRIC OP VALUE\" or an object with \"check\"",
                     value);
    return std::nullopt;
  }
  const ObjectReader object(problems, &value, pointer, {"phase", "check"});
  std::optional<Threshold> out;
  if (object.require("check"))
    out = read_check(problems, *object.get("check"), object.pointer_of("check"));
  const auto phase = object.string("phase", true);
  if (phase && std::find(phase_names.begin(), phase_names.end(), *phase) == phase_names.end()) {
    problems.add_got(object.pointer_of("phase"),
                     "must be one of the phase names (" + join(phase_names) + ")",
                     *object.get("phase"));
    return std::nullopt;
  }
  if (out && phase) out->phase = *phase;
  if (object.has("phase") && !phase) return std::nullopt;
  return out;
}

}  // namespace

Workload read_workload(const ObjectReader& root) {
  Workload out;
  if (!root.require("workload")) return out;
  const ObjectReader workload = root.object("workload", {"phases"});
  if (!workload.is_object() || !workload.require("phases")) return out;
  const Json& phases = *workload.get("phases");
  const std::string pointer = workload.pointer_of("phases");
  if (!phases.is_array() || phases.empty()) {
    root.problems().add_got(pointer, "must be a non-empty array of phase objects", phases);
    return out;
  }
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const std::string at = child_pointer(pointer, i);
    out.phases.push_back(read_phase(root.problems(), phases[i], at, i));
    for (std::size_t j = 0; j < i; ++j) {
      if (out.phases[j].name != out.phases[i].name) continue;
      root.problems().add_got(
          child_pointer(at, "name"),
          "must be unique (same as " + child_pointer(child_pointer(pointer, j), "name") + ")",
          Json(out.phases[i].name));
      break;
    }
  }
  return out;
}

std::vector<Threshold> read_thresholds(const ObjectReader& root, const Workload& workload) {
  const Json* list = root.get("thresholds");
  if (list == nullptr) return {};
  if (!list->is_array()) {
    root.problems().add_got("/thresholds", "must be an array of thresholds", *list);
    return {};
  }
  std::vector<std::string_view> phase_names;
  for (const Phase& phase : workload.phases) phase_names.push_back(phase.name);
  std::vector<Threshold> thresholds;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto threshold =
        read_threshold(root.problems(), (*list)[i], child_pointer("/thresholds", i), phase_names);
    if (threshold) thresholds.push_back(*threshold);
  }
  return thresholds;
}

}  // namespace scenario_detail

std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string_view>& candidates) {
  return scenario_detail::closest_match(word, candidates);
}

Threshold parse_threshold_check(std::string_view text) {
  Threshold out;
  out.text = std::string(text);
  if (!scenario_detail::split_check(out.text, out)) {
    throw std::invalid_argument(std::string(scenario_detail::kCheckRule) + ", got \"" + out.text + "\"");
  }
  if (const auto problem = scenario_detail::metric_problem(out)) throw std::invalid_argument(*problem);
  return out;
}

}  // namespace llmsim
