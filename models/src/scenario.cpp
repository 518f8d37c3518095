// Loading and validating a scenario file: the document root and the error type.
//
// The parts of the format are read in scenario_provider.cpp, scenario_client.cpp,
// scenario_workload.cpp and scenario_distribution.cpp; scenario_reader.cpp holds the field
// readers and scenario_document.cpp the JSON parsing. data/README.md documents the format.
#include "models/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "scenario_sections.hpp"

namespace llmsim {

namespace {

// Returns one problem as a line: "FILE: /pointer: message", "FILE: message" for the whole
// document, or "FILE:LINE:COLUMN: message" for invalid JSON.
std::string problem_line(const std::string& file, const ScenarioProblem& problem) {
  if (problem.line > 0) {
    return file + ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
           problem.message;
  }
  if (problem.pointer.empty()) return file + ": " + problem.message;
  return file + ": " + problem.pointer + ": " + problem.message;
}

std::string problem_text(const std::string& file, const std::vector<ScenarioProblem>& problems) {
  std::string text;
  for (const ScenarioProblem& problem : problems) {
    if (!text.empty()) text += "\n";
    text += problem_line(file, problem);
  }
  return text;
}

}  // namespace

const char* api_name(ProviderApi api) {
  return api == ProviderApi::anthropic ? "anthropic" : "openai";
}

ScenarioError::ScenarioError(std::string file, std::vector<ScenarioProblem> problems)
    : std::runtime_error(problem_text(file, problems)),
      file_(std::move(file)),
      problems_(std::move(problems)) {}

Scenario load_scenario(const std::string& path, const std::string& limits_dir,
                       WorkloadRule workload_rule) {
  std::string text;
  std::string error;
  if (!scenario_detail::read_text_file(path, text, error)) {
    throw ScenarioError(path, {ScenarioProblem{"", "cannot read: " + error}});
  }
  return parse_scenario(text, path, limits_dir, workload_rule);
}

namespace {

// A run that may send to an Anthropic provider sends it a Messages request: the request must be
// a chat (the Messages API is Anthropic's only generating endpoint) with max_tokens (required
// there, and what its output-token limit counts).
void check_anthropic_request(const scenario_detail::ObjectReader& root, const Scenario& scenario) {
  const auto anthropic = std::find_if(scenario.providers.begin(), scenario.providers.end(),
                                      [](const ProviderConfig& p) { return p.api == ProviderApi::anthropic; });
  if (anthropic == scenario.providers.end()) return;
  const std::string because = " when a provider has \"api\": \"anthropic\" (provider \"" + anthropic->name + "\"";
  scenario_detail::Problems& problems = root.problems();
  if (scenario.request.endpoint != Endpoint::chat_completions) {
    problems.add("/request/endpoint",
                 "must be \"chat.completions\"" + because +
                     ": Anthropic's Messages API stands in for it), got \"" +
                     std::string(endpoint_name(scenario.request.endpoint)) + "\"");
  }
  if (!scenario.request.max_tokens) {
    problems.add("/request/max_tokens",
                 "required" + because + ": the Messages API requires it, and the output-token limit counts it), got nothing");
  }
}

}  // namespace

Scenario parse_scenario(const std::string& json_text, const std::string& file,
                        const std::string& limits_dir, WorkloadRule workload_rule) {
  using namespace scenario_detail;
  Json document;
  Problems problems;
  parse_document(json_text, file, document, problems);
  const ObjectReader root(problems, &document, "",
                          {"name", "description", "seed", "provider", "providers", "client",
                           "request", "workload", "thresholds"});
  Scenario scenario;
  scenario.path = file;
  if (root.is_object()) {
    if (root.require("name")) assign(scenario.name, root.string("name", true));
    assign(scenario.description, root.string("description"));
    if (const Json* seed = root.get("seed")) {
      // Any 64-bit unsigned seed; read_integer covers the rest (negative, fractional, not a
      // number).
      if (seed->is_number_unsigned()) {
        scenario.seed = seed->get<std::uint64_t>();
      } else {
        assign(scenario.seed, read_integer(problems, *seed, "/seed", IntRule::at_least(0)));
      }
    }
    PublishedLimits published(default_limits_dirs(file, limits_dir));
    scenario.providers = read_providers(root, published);
    for (ProviderConfig& provider : scenario.providers) {
      // A fixtures path is written relative to the scenario file, like data/limits.
      if (!provider.fixtures.empty() && std::filesystem::path(provider.fixtures).is_relative()) {
        provider.fixtures =
            (std::filesystem::path(file).parent_path() / provider.fixtures).string();
      }
    }
    scenario.client = read_client(root);
    scenario.request = read_request(root, scenario.providers);
    if (workload_rule == WorkloadRule::required || root.has("workload")) {
      scenario.workload = read_workload(root);
    }
    scenario.thresholds = read_thresholds(root, scenario.workload);
    if (workload_rule == WorkloadRule::required || root.has("workload")) {
      check_anthropic_request(root, scenario);
    }
    // A request that hangs only ends when the client gives up on it.
    for (const ProviderConfig& provider : scenario.providers) {
      if (provider.faults.timeout > 0 && !scenario.client.timeout_s) {
        problems.add("/client/timeout_s",
                     "required when a provider's faults.timeout is above 0 (hung requests never end "
                     "otherwise), got nothing");
        break;
      }
    }
  }
  if (!problems.empty()) {
    sort_by_document(problems.list(), document);
    throw ScenarioError(file, std::move(problems.list()));
  }
  return scenario;
}

}  // namespace llmsim
