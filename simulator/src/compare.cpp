// llmsim compare. See compare.hpp.
#include "simulator/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "models/scenario.hpp"
#include "simulator/report.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::json;

// The figures compared, as "field" or "group.field" paths into a phase object.
const std::vector<std::string>& compared_metrics() {
  static const std::vector<std::string> metrics = [] {
    std::vector<std::string> m = {"requests", "succeeded", "success_rate", "throughput_rps",
                                  "duration_s", "retries", "bytes_received", "success_body_bytes",
                                  "cache_hits", "provider_calls"};
    for (const char* stat : {"avg", "min", "max", "p50", "p90", "p95", "p99"}) {
      m.push_back(std::string("latency_s.") + stat);
    }
    for (const char* stat : {"avg", "min", "max", "p50", "p90", "p95", "p99"}) {
      m.push_back(std::string("ttft_s.") + stat);
    }
    for (const char* stat : {"avg", "p95"}) m.push_back(std::string("queue_s.") + stat);
    for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
      m.push_back(std::string("errors.") + category_name(static_cast<ErrorCategory>(i)));
    }
    return m;
  }();
  return metrics;
}

// Returns "routes.NAME.attempts" and "routes.NAME.succeeded" for every route of a phase (none
// without routing).
std::vector<std::string> route_metrics(const Json& phase) {
  std::vector<std::string> metrics;
  if (!phase.contains("routes")) return metrics;
  for (const Json& route : phase["routes"]) {
    for (const char* field : {"attempts", "succeeded"}) {
      metrics.push_back("routes." + route.at("name").get<std::string>() + "." + field);
    }
  }
  return metrics;
}

// Returns a route's figure ("routes.NAME.FIELD"), 0 when the phase has no such route.
double route_figure(const Json& phase, const std::string& metric) {
  const std::size_t dot = metric.rfind('.');
  const std::string name = metric.substr(7, dot - 7);  // after "routes."
  if (!phase.contains("routes")) return 0.0;
  for (const Json& route : phase["routes"]) {
    if (route.at("name") == name) return route.at(metric.substr(dot + 1)).get<double>();
  }
  return 0.0;
}

// Returns "classes.CLASS.METRIC" for every priority class of a phase and compared metric (none
// without client.priority).
std::vector<std::string> class_metrics(const Json& phase) {
  std::vector<std::string> metrics;
  if (!phase.contains("classes") || !phase["classes"].is_object()) return metrics;
  for (const auto& [name, _] : phase["classes"].items()) {
    for (const std::string& metric : compared_metrics()) metrics.push_back("classes." + name + "." + metric);
  }
  return metrics;
}

// Returns whether `metric` is "classes.CLASS.METRIC" with a compared METRIC.
bool is_class_metric(const std::string& metric) {
  const std::size_t dot = metric.find('.', 8);
  if (!metric.starts_with("classes.") || dot == std::string::npos || dot == 8) return false;
  const auto& known = compared_metrics();
  return std::find(known.begin(), known.end(), metric.substr(dot + 1)) != known.end();
}

// Returns a figure of a phase object; one the report lacks (written before the field was added to
// schema_version 1) counts as 0.
double figure(const Json& phase, const std::string& metric) {
  if (metric.starts_with("routes.")) return route_figure(phase, metric);
  if (metric.starts_with("classes.")) {
    const std::size_t dot = metric.find('.', 8);
    const std::string name = metric.substr(8, dot - 8);
    if (!phase.contains("classes") || !phase["classes"].contains(name)) return 0.0;
    return figure(phase["classes"][name], metric.substr(dot + 1));
  }
  const std::size_t dot = metric.find('.');
  const Json* value = &phase;
  for (const std::string& key : dot == std::string::npos
                                    ? std::vector<std::string>{metric}
                                    : std::vector<std::string>{metric.substr(0, dot), metric.substr(dot + 1)}) {
    if (!value->is_object() || !value->contains(key)) return 0.0;
    value = &(*value)[key];
  }
  return value->is_number() ? value->get<double>() : 0.0;
}

std::vector<std::pair<std::string, const Json*>> phases_of(const Json& report) {
  std::vector<std::pair<std::string, const Json*>> phases;
  for (const Json& phase : report.at("phases")) phases.emplace_back(phase.at("name").get<std::string>(), &phase);
  phases.emplace_back("total", &report.at("total"));
  return phases;
}

// Returns "the reports have different phases: only in A: "x"; only in B: "y"" (or the order).
std::string phase_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const auto only = [](const std::vector<std::string>& mine, const std::vector<std::string>& theirs) {
    std::string text;
    for (const std::string& name : mine) {
      if (std::find(theirs.begin(), theirs.end(), name) == theirs.end()) text += (text.empty() ? "\"" : ", \"") + name + "\"";
    }
    return text;
  };
  const std::string only_a = only(a, b);
  const std::string only_b = only(b, a);
  std::string text = "the reports have different phases:";
  if (!only_a.empty()) text += " only in A: " + only_a + ";";
  if (!only_b.empty()) text += " only in B: " + only_b + ";";
  if (only_a.empty() && only_b.empty()) text += " the same names in another order;";
  text.pop_back();
  return text;
}

// Returns whether a metric is in seconds (latency_s.*, queue_s.*, duration_s).
bool is_seconds(const std::string& metric) {
  return metric.find("latency_s.") != std::string::npos || metric.find("queue_s.") != std::string::npos ||
         metric.ends_with("duration_s");
}

}  // namespace

std::string format_compared_value(const std::string& metric, double value) {
  char text[64];
  const double magnitude = std::abs(value);
  // Seconds under one read better in ms, under a millisecond in us.
  if (is_seconds(metric) && magnitude > 0 && magnitude < 1e-3) {
    std::snprintf(text, sizeof text, "%.4g us", value * 1e6);
  } else if (is_seconds(metric) && magnitude > 0 && magnitude < 1) {
    std::snprintf(text, sizeof text, "%.4g ms", value * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.6g", value);
  }
  return text;
}

Json read_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (auto problem = json_text_problem(text)) throw ScenarioError(path, {std::move(*problem)});
  Json report = Json::parse(text);
  if (!report.is_object()) throw std::runtime_error(path + ": not a JSON report");
  if (report.value("schema_version", 0) != kReportSchemaVersion) {
    throw std::runtime_error(path + ": /schema_version: must be " + std::to_string(kReportSchemaVersion) +
                             ", got " + (report.contains("schema_version") ? report["schema_version"].dump() : "nothing"));
  }
  if (!report.contains("phases") || !report["phases"].is_array() || !report.contains("total")) {
    throw std::runtime_error(path + ": /phases: required, got nothing");
  }
  return report;
}

Tolerance parse_tolerance(const std::string& text) {
  const std::size_t eq = text.find('=');
  const std::string metric = text.substr(0, eq);
  const auto& known = compared_metrics();
  // Route figures ("routes.NAME.attempts" / ".succeeded") are named by the scenario's providers.
  const bool is_route = metric.starts_with("routes.") && metric.size() > 7 &&
                        (metric.ends_with(".attempts") || metric.ends_with(".succeeded")) &&
                        metric.rfind('.') > 7;
  if (eq == std::string::npos ||
      (!is_route && !is_class_metric(metric) &&
       std::find(known.begin(), known.end(), metric) == known.end())) {
    const std::vector<std::string_view> names(known.begin(), known.end());
    const auto suggestion = closest_name(metric, names);
    throw std::invalid_argument("--tolerance: must be METRIC=RELATIVE with a compared metric, got \"" + text + "\"" +
                                (suggestion ? " (did you mean \"" + *suggestion + "\"?)" : ""));
  }
  char* end = nullptr;
  const std::string number = text.substr(eq + 1);
  const double relative = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0' || !(relative >= 0)) {
    throw std::invalid_argument("--tolerance: RELATIVE must be a number >= 0, got \"" + number + "\"");
  }
  return Tolerance{metric, relative};
}

std::vector<ComparisonRow> compare_reports(const Json& a, const Json& b, const std::vector<Tolerance>& tolerances) {
  const auto phases_a = phases_of(a);
  const auto phases_b = phases_of(b);
  std::vector<std::string> names_a, names_b;
  for (const auto& [name, _] : phases_a) names_a.push_back(name);
  for (const auto& [name, _] : phases_b) names_b.push_back(name);
  if (names_a != names_b) throw std::runtime_error(phase_difference(names_a, names_b));
  std::vector<ComparisonRow> rows;
  for (std::size_t i = 0; i < phases_a.size(); ++i) {
    std::vector<std::string> metrics = compared_metrics();
    for (std::string& metric : route_metrics(*phases_a[i].second)) metrics.push_back(std::move(metric));
    for (std::string& metric : class_metrics(*phases_a[i].second)) metrics.push_back(std::move(metric));
    for (const std::string& metric : metrics) {
      ComparisonRow row{.phase = phases_a[i].first, .metric = metric,
                        .a = figure(*phases_a[i].second, metric), .b = figure(*phases_b[i].second, metric)};
      row.relative = row.a != 0 ? (row.b - row.a) / std::abs(row.a) : row.b - row.a;
      for (const Tolerance& t : tolerances) {
        if (t.metric == metric) row.tolerance = t.relative;
      }
      row.passed = !row.tolerance || std::abs(row.relative) <= *row.tolerance;
      rows.push_back(row);
    }
  }
  return rows;
}

std::string comparison_text(const std::vector<ComparisonRow>& rows, const std::string& a_name,
                            const std::string& b_name) {
  std::ostringstream out;
  out << "A: " << a_name << "\nB: " << b_name << "\n";
  std::string phase;
  char line[256];
  for (const ComparisonRow& row : rows) {
    if (row.phase != phase) {
      phase = row.phase;
      out << "\n### " << phase << "\n";
      std::snprintf(line, sizeof line, "%-28s %14s %14s %9s\n", "metric", "A", "B", "diff");
      out << line;
    }
    std::snprintf(line, sizeof line, "%-28s %14s %14s %+8.1f%%", row.metric.c_str(),
                  format_compared_value(row.metric, row.a).c_str(), format_compared_value(row.metric, row.b).c_str(),
                  100.0 * row.relative);
    out << line;
    if (row.tolerance) {
      std::snprintf(line, sizeof line, "  %s (tolerance %.1f%%)", row.passed ? "PASS" : "FAIL",
                    100.0 * *row.tolerance);
      out << line;
    }
    out << "\n";
  }
  return out.str() + "\n" + comparison_summary(rows) + "\n";
}

std::string comparison_summary(const std::vector<ComparisonRow>& rows) {
  std::size_t toleranced = 0;
  std::string outside;
  std::size_t failed = 0;
  for (const ComparisonRow& row : rows) {
    if (row.tolerance) ++toleranced;
    if (row.passed) continue;
    ++failed;
    outside += (outside.empty() ? "" : ", ") + row.phase + " " + row.metric;
  }
  std::string text = std::to_string(rows.size()) + " figures compared, " + std::to_string(toleranced) +
                     " with a tolerance, " + std::to_string(failed) + " outside";
  return failed == 0 ? text : text + ": " + outside;
}

}  // namespace llmsim
