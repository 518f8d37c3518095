// Shared by the scenario loader's test files (scenario_*_test.cpp, one program: scenario_test):
// the smallest valid scenario and a full one, parsing with the repository's published limits, and
// tables of bad documents, each row one change of the smallest scenario and its one error line.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <variant>

#include "models/scenario.hpp"

namespace llmsim::scenario_testing {

using Json = nlohmann::ordered_json;

inline const std::string kSourceDir = LLMSIM_SOURCE_DIR;
inline const std::string kLimitsDir = kSourceDir + "/data/limits";
inline const std::string kLimitsFile = kLimitsDir + "/openai.json";

// The smallest valid scenario; table rows change one place of it.
inline const char* const kMinimal = R"({
  "name": "t",
  "provider": {"limits": {"rpm": 500}},
  "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}
})";

inline Scenario parse(const std::string& text, const std::string& limits_dir = kLimitsDir) {
  return parse_scenario(text, "x.json", limits_dir);
}

// Returns the ScenarioError text for `text` ("" and a test failure when it loads).
inline std::string error_of(const std::string& text, const std::string& limits_dir = kLimitsDir) {
  try {
    parse(text, limits_dir);
  } catch (const ScenarioError& error) {
    return error.what();
  }
  ADD_FAILURE() << "loaded without error: " << text;
  return "";
}

// Returns kMinimal with the value at `pointer` replaced by `value` (JSON text), or removed when
// `value` is null.
inline std::string patched(const char* pointer, const char* value) {
  Json document = Json::parse(kMinimal);
  const Json::json_pointer where(pointer);
  if (value == nullptr) {
    document[where.parent_pointer()].erase(where.back());
  } else {
    document[where] = Json::parse(value);
  }
  return document.dump();
}

// Replaces "{limits}" in `text` by the published-limits file the tests use.
inline std::string with_limits_path(std::string text) {
  const std::string placeholder = "{limits}";
  for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder)) {
    text.replace(at, placeholder.size(), kLimitsFile);
  }
  return text;
}

struct BadRow {
  const char* pointer;   // where kMinimal is changed
  const char* value;     // the JSON put there (nullptr: removed)
  const char* expected;  // the one error line, after "x.json: "
};

// Expects each row's change of kMinimal to fail with exactly its one error line.
inline void expect_one_problem_each(std::span<const BadRow> rows) {
  for (const BadRow& row : rows) {
    SCOPED_TRACE(std::string(row.pointer) + " = " + (row.value ? row.value : "(removed)"));
    EXPECT_EQ(error_of(patched(row.pointer, row.value)),
              "x.json: " + with_limits_path(row.expected));
  }
}

template <typename Family>
inline const Family& family_of(const Distribution& dist) {
  return std::get<Family>(dist.family());
}

// Every part of the format set to a non-default value, read back field by field.
inline const char* const kFull = R"({
  "name": "gaja test", "description": "Four bursts.", "seed": 42,
  "providers": [
    {"name": "primary", "organization": "org-gaja", "models": ["gpt-3.5-turbo", "gpt-3.5-turbo-0125"],
     "limits": {"model": "gpt-3.5-turbo", "tier": 1, "rpm": 500, "quantization_ms": 1000},
     "initial_usage": {"requests_today": 120, "tokens_today": 0},
     "latency": {"time_to_first_token_s": {"dist": "lognormal", "median": 0.6, "sigma": 0.35},
                 "per_token_s": 0.01, "refused_s": {"dist": "uniform", "min": 0.05, "max": 0.1}},
     "tokens": {"completion": {"dist": "gamma", "shape": 2, "scale": 20}},
     "faults": {"server_error": 0.01, "overloaded": 0.02, "timeout": 0.001, "drop_mid_stream": 0.002,
                "quota_exhausted": 0.003, "slow_first_byte": 0.05, "slow_first_byte_s": {"dist": "exponential", "mean": 4}},
     "api_keys": ["k1", "k2"], "send_retry_after_ms": true, "embedding_dimensions": 256},
    {"name": "backup", "models": ["gpt-4o-mini"], "limits": {"tpm": 1e5}}
  ],
  "client": {"connections": 1000, "timeout_s": 30,
             "retry": {"max_retries": 2, "initial_backoff_s": 0.25, "max_backoff_s": 4, "jitter": 0.5,
                       "honor_retry_after": false, "max_retry_after_s": 20, "retry_on": ["429", "5xx"]},
             "cpu": {"cores": 4, "per_request_ms": 1.5, "per_response_ms": 0.5},
             "network": {"rtt_ms": 40, "request_overhead_bytes": 350, "response_overhead_bytes": 500}},
  "request": {"endpoint": "completions", "model": "gpt-4o-mini", "prompt": "Hello, world", "max_tokens": 64, "stream": true},
  "workload": {"phases": [
    {"name": "100 users", "users": 100, "requests_per_user": 1},
    {"name": "ramp", "users": 200, "start": "ramp", "ramp_s": 10, "duration_s": 60,
     "think_time_s": {"dist": "empirical", "points": [[0, 1], [0.5, 2], [1, 5]]}},
    {"name": "1000 users", "users": 1000, "requests_per_user": 1, "gap_before_s": 30},
    {"users": 50, "start": "poisson", "rate_per_s": 2.5, "requests_per_user": 3,
     "think_time_s": {"dist": "empirical", "discrete": true, "points": [[1, 0], [3, 2]]}},
    {"users": 10, "start": "constant_rate", "rate_per_s": 1, "requests_per_user": 1,
     "think_time_s": {"dist": "normal", "mean": 1, "stddev": 0.2}}
  ]},
  "thresholds": ["success_rate >= 0.99", {"phase": "1000 users", "check": "latency_s.p95<=2"}]
})";

}  // namespace llmsim::scenario_testing
