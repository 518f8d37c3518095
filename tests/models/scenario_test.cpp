// Tests for scenario loading: every rule of the format (one table row each, exact error text),
// problems collected in document order, invalid JSON and missing files, published-limits lookup,
// defaults, a full round trip into the struct, and describe_scenario.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <variant>

#include "models/token_model.hpp"

namespace llmsim {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;
using Json = nlohmann::ordered_json;

const std::string kSourceDir = LLMSIM_SOURCE_DIR;
const std::string kLimitsDir = kSourceDir + "/data/limits";
const std::string kLimitsFile = kLimitsDir + "/openai.json";

// The smallest valid scenario; table rows change one place of it.
const char* const kMinimal = R"({
  "name": "t",
  "provider": {"limits": {"rpm": 500}},
  "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}
})";

Scenario parse(const std::string& text, const std::string& limits_dir = kLimitsDir) {
  return parse_scenario(text, "x.json", limits_dir);
}

// Returns the ScenarioError text for `text` ("" and a test failure when it loads).
std::string error_of(const std::string& text, const std::string& limits_dir = kLimitsDir) {
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
std::string patched(const char* pointer, const char* value) {
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
std::string with_limits_path(std::string text) {
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

const BadRow kBadRows[] = {
    // --- document root ---
    // name is required
    {"/name", nullptr, "/name: required, got nothing"},
    // name must not be empty
    {"/name", R"("")", R"(/name: must be a non-empty string, got "")"},
    // description is a string
    {"/description", "5", "/description: must be a string, got 5"},
    // seed is an unsigned integer
    {"/seed", "-1", "/seed: must be an integer >= 0, got -1"},
    // seed is whole
    {"/seed", "1.5", "/seed: must be an integer >= 0, got 1.5"},
    // an unknown key close to a known one gets a suggestion
    {"/nmae", "1", R"(/nmae: unknown key (did you mean "name"?))"},
    // an unknown key far from every known one lists them (and its pointer is escaped)
    {"/a~1b", "1",
     "/a~1b: unknown key (expected one of name, description, seed, provider, providers, "
     "client, request, workload, thresholds)"},
    // provider and providers together
    {"/providers", R"([{"limits": {"rpm": 1}}])",
     R"(needs exactly one of "provider" or "providers", got both)"},
    // neither provider nor providers
    {"/provider", nullptr, R"(needs exactly one of "provider" or "providers", got neither)"},
    // --- provider ---
    // a provider is an object
    {"/provider", "[]", "/provider: must be an object, got []"},
    // provider names are non-empty
    {"/provider/name", R"("")", R"(/provider/name: must be a non-empty string, got "")"},
    // organization is a string
    {"/provider/organization", "7", "/provider/organization: must be a non-empty string, got 7"},
    // models is a non-empty list
    {"/provider/models", "[]", "/provider/models: must be a non-empty array of strings, got []"},
    // model names are non-empty
    {"/provider/models", R"([""])", R"(/provider/models/0: must be a non-empty string, got "")"},
    // model names are unique
    {"/provider/models", R"(["a", "a"])",
     R"(/provider/models/1: must be unique (same as /provider/models/0), got "a")"},
    // limits are required
    {"/provider/limits", nullptr, "/provider/limits: required, got nothing"},
    // limits name at least one limit
    {"/provider/limits", "{}",
     R"(/provider/limits: needs at least one of rpm, tpm, rpd, tpd, or a published "tier", got {})"},
    // limits are whole numbers
    {"/provider/limits/rpm", "2.5", "/provider/limits/rpm: must be an integer >= 1, got 2.5"},
    // limits are at least 1
    {"/provider/limits/tpm", "0", "/provider/limits/tpm: must be an integer >= 1, got 0"},
    // limits are numbers
    {"/provider/limits/rpd", R"("many")",
     R"(/provider/limits/rpd: must be an integer >= 1, got "many")"},
    // quantization window is positive
    {"/provider/limits/quantization_ms", "0",
     "/provider/limits/quantization_ms: must be a number > 0, got 0"},
    // unknown limit key
    {"/provider/limits/rmp", "1", R"(/provider/limits/rmp: unknown key (did you mean "rpm"?))"},
    // published model must exist
    {"/provider/limits", R"({"model": "gpt-5", "tier": 1})",
     R"(/provider/limits/model: must be one of gpt-3.5-turbo, gpt-4o, gpt-4o-mini (published in {limits}), got "gpt-5")"},
    // the provider's first model, looked up by default, must be published
    {"/provider", R"({"models": ["gpt-5"], "limits": {"tier": 1}})",
     R"(/provider/models/0: must be one of gpt-3.5-turbo, gpt-4o, gpt-4o-mini (published in {limits}), got "gpt-5")"},
    // published tier must exist
    {"/provider/limits", R"({"model": "gpt-4o", "tier": 3})",
     "/provider/limits/tier: must be one of 1 (tiers published for gpt-4o in {limits}), got 3"},
    // tiers are at least 1
    {"/provider/limits", R"({"model": "gpt-4o", "tier": 0})",
     "/provider/limits/tier: must be an integer >= 1, got 0"},
    // tiers are numbers or names
    {"/provider/limits", R"({"model": "gpt-4o", "tier": true})",
     "/provider/limits/tier: must be an integer >= 1 or a tier name, got true"},
    // a lookup needs the tier
    {"/provider/limits", R"({"model": "gpt-4o"})",
     "/provider/limits/tier: required to look up published limits, got nothing"},
    // as_of is a month
    {"/provider/limits", R"({"tier": 1, "as_of": "June 2024"})",
     R"(/provider/limits/as_of: must be a month "YYYY-MM", got "June 2024")"},
    // as_of is not before every entry
    {"/provider/limits", R"({"tier": 1, "as_of": "2023-01"})",
     "/provider/limits/as_of: must be on or after the oldest entry for gpt-3.5-turbo tier 1 "
     "(2024-06, "
     "2024-10 in {limits}), got \"2023-01\""},
    // usage counters are >= 0
    {"/provider/initial_usage", R"({"requests_today": -1})",
     "/provider/initial_usage/requests_today: must be an integer >= 0, got -1"},
    // usage needs its daily limit
    {"/provider/initial_usage", R"({"requests_today": 5})",
     R"(/provider/initial_usage/requests_today: needs the daily limit "rpd" in "limits", got 5)"},
    // usage fits under its daily limit
    {"/provider", R"({"limits": {"tpd": 100}, "initial_usage": {"tokens_today": 101}})",
     "/provider/initial_usage/tokens_today: must be <= the daily limit tpd (100), got 101"},
    // latency constants are >= 0
    {"/provider/latency", R"({"time_to_first_token_s": -1})",
     "/provider/latency/time_to_first_token_s: must be a number >= 0, got -1"},
    // unknown latency key
    {"/provider/latency", R"({"ttft_s": 1})",
     "/provider/latency/ttft_s: unknown key (expected one of time_to_first_token_s, per_token_s, "
     "refused_s)"},
    // completion key misspelt
    {"/provider/tokens", R"({"complete": 5})",
     R"(/provider/tokens/complete: unknown key (did you mean "completion"?))"},
    // fault probabilities are in [0, 1]
    {"/provider/faults", R"({"server_error": 1.5})",
     "/provider/faults/server_error: must be a number in [0, 1], got 1.5"},
    // fault probabilities add up to at most 1
    {"/provider/faults", R"({"server_error": 0.6, "overloaded": 0.6})",
     "/provider/faults: probabilities must add up to <= 1, got 1.2"},
    // slow first byte delay is a time
    {"/provider/faults", R"({"slow_first_byte_s": -2})",
     "/provider/faults/slow_first_byte_s: must be a number >= 0, got -2"},
    // api keys are non-empty
    {"/provider/api_keys", R"([""])",
     R"(/provider/api_keys/0: must be a non-empty string, got "")"},
    // api keys are unique
    {"/provider/api_keys", R"(["k", "k"])",
     R"(/provider/api_keys/1: must be unique (same as /provider/api_keys/0), got "k")"},
    // api_keys is an array
    {"/provider/api_keys", R"("k")", R"(/provider/api_keys: must be an array of strings, got "k")"},
    // send_retry_after_ms is a boolean
    {"/provider/send_retry_after_ms", R"("yes")",
     R"(/provider/send_retry_after_ms: must be true or false, got "yes")"},
    // embedding dimensions are >= 1
    {"/provider/embedding_dimensions", "0",
     "/provider/embedding_dimensions: must be an integer >= 1, got 0"},
    // the share of tool-calling choices is a probability
    {"/provider/tool_call_share", "1.5",
     "/provider/tool_call_share: must be a number in [0, 1], got 1.5"},
    // --- client ---
    // the pool has at least one connection
    {"/client/connections", "0", "/client/connections: must be an integer >= 1, got 0"},
    // a misspelt client key
    {"/client/conections", "10",
     R"(/client/conections: unknown key (did you mean "connections"?))"},
    // client is an object
    {"/client", "3", "/client: must be an object, got 3"},
    // the timeout is positive
    {"/client/timeout_s", "0", "/client/timeout_s: must be a number > 0, got 0"},
    // retries are >= 0
    {"/client/retry", R"({"max_retries": -1})",
     "/client/retry/max_retries: must be an integer >= 0, got -1"},
    // the first backoff is positive
    {"/client/retry", R"({"initial_backoff_s": 0})",
     "/client/retry/initial_backoff_s: must be a number > 0, got 0"},
    // the longest backoff is at least the first
    {"/client/retry", R"({"max_backoff_s": 0.1})",
     "/client/retry/max_backoff_s: must be >= initial_backoff_s (0.5), got 0.1"},
    // jitter is a fraction
    {"/client/retry", R"({"jitter": 2})",
     "/client/retry/jitter: must be a number in [0, 1], got 2"},
    // honor_retry_after is a boolean
    {"/client/retry", R"({"honor_retry_after": 1})",
     "/client/retry/honor_retry_after: must be true or false, got 1"},
    // the retry-after cap is positive
    {"/client/retry", R"({"max_retry_after_s": 0})",
     "/client/retry/max_retry_after_s: must be a number > 0, got 0"},
    // retry_on names known failures
    {"/client/retry", R"({"retry_on": ["4xx"]})",
     R"(/client/retry/retry_on/0: must be one of 429, 5xx, timeout, connection, got "4xx")"},
    // retry_on entries are unique
    {"/client/retry", R"({"retry_on": ["429", "429"]})",
     R"(/client/retry/retry_on/1: must be unique (same as /client/retry/retry_on/0), got "429")"},
    // the client has at least one core
    {"/client/cpu", R"({"cores": 0})", "/client/cpu/cores: must be an integer >= 1, got 0"},
    // cpu costs are >= 0
    {"/client/cpu", R"({"per_request_ms": -1})",
     "/client/cpu/per_request_ms: must be a number >= 0, got -1"},
    // the round trip is >= 0
    {"/client/network", R"({"rtt_ms": -1})",
     "/client/network/rtt_ms: must be a number >= 0, got -1"},
    // overheads are whole bytes >= 0
    {"/client/network", R"({"response_overhead_bytes": 1.5})",
     "/client/network/response_overhead_bytes: must be an integer >= 0, got 1.5"},
    // --- request ---
    // the endpoint is a known one
    {"/request/endpoint", R"("chat")",
     R"(/request/endpoint: must be one of chat.completions, completions, embeddings, responses, got "chat")"},
    // the model is served by a provider
    {"/request/model", R"("gpt-4")",
     R"(/request/model: must be a model a provider serves (gpt-3.5-turbo), got "gpt-4")"},
    // prompts have at least one token
    {"/request/prompt_tokens", "0", "/request/prompt_tokens: must be an integer >= 1, got 0"},
    // prompt and prompt_tokens exclude each other
    {"/request", R"({"prompt": "hi", "prompt_tokens": 5})",
     R"(/request: needs at most one of "prompt_tokens" or "prompt", got both)"},
    // the prompt is text
    {"/request/prompt", "5", "/request/prompt: must be a string, got 5"},
    // max_tokens is >= 1
    {"/request/max_tokens", "0", "/request/max_tokens: must be an integer >= 1, got 0"},
    // stream is a boolean
    {"/request/stream", R"("no")", R"(/request/stream: must be true or false, got "no")"},
    // embeddings do not stream
    {"/request", R"({"endpoint": "embeddings", "stream": true})",
     "/request/stream: must be false for the embeddings endpoint, got true"},
    // --- workload ---
    // the workload is required
    {"/workload", nullptr, "/workload: required, got nothing"},
    // phases are required
    {"/workload/phases", nullptr, "/workload/phases: required, got nothing"},
    // phases are a non-empty list
    {"/workload/phases", "[]",
     "/workload/phases: must be a non-empty array of phase objects, got []"},
    // a phase is an object
    {"/workload/phases/0", "5", "/workload/phases/0: must be an object, got 5"},
    // users are required
    {"/workload/phases/0/users", nullptr, "/workload/phases/0/users: required, got nothing"},
    // at least one user
    {"/workload/phases/0/users", "0", "/workload/phases/0/users: must be an integer >= 1, got 0"},
    // whole users
    {"/workload/phases/0/users", "2.5",
     "/workload/phases/0/users: must be an integer >= 1, got 2.5"},
    // phase names are non-empty
    {"/workload/phases/0/name", R"("")",
     R"(/workload/phases/0/name: must be a non-empty string, got "")"},
    // the start mode is a known one
    {"/workload/phases/0/start", R"("rampup")",
     R"(/workload/phases/0/start: must be one of all_at_once, ramp, poisson, constant_rate, got "rampup")"},
    // a ramp needs ramp_s
    {"/workload/phases/0/start", R"("ramp")",
     R"(/workload/phases/0/ramp_s: required with "start": "ramp", got nothing)"},
    // ramp_s only with a ramp
    {"/workload/phases/0/ramp_s", "10",
     R"(/workload/phases/0/ramp_s: only allowed with "start": "ramp", got 10)"},
    // ramp_s is >= 0
    {"/workload/phases/0", R"({"users": 1, "requests_per_user": 1, "start": "ramp", "ramp_s": -1})",
     "/workload/phases/0/ramp_s: must be a number >= 0, got -1"},
    // open-loop arrivals need a rate
    {"/workload/phases/0/start", R"("poisson")",
     R"(/workload/phases/0/rate_per_s: required with "start": "poisson" or "constant_rate", got nothing)"},
    // the rate is positive
    {"/workload/phases/0",
     R"({"users": 1, "requests_per_user": 1, "start": "constant_rate", "rate_per_s": 0})",
     "/workload/phases/0/rate_per_s: must be a number > 0, got 0"},
    // rate_per_s only with open-loop arrivals
    {"/workload/phases/0/rate_per_s", "5",
     R"(/workload/phases/0/rate_per_s: only allowed with "start": "poisson" or "constant_rate", got 5)"},
    // a phase ends after some requests or some time
    {"/workload/phases/0/requests_per_user", nullptr,
     R"(/workload/phases/0: needs "requests_per_user" or "duration_s", got neither)"},
    // requests per user are >= 1
    {"/workload/phases/0/requests_per_user", "0",
     "/workload/phases/0/requests_per_user: must be an integer >= 1, got 0"},
    // the duration is positive
    {"/workload/phases/0/duration_s", "0",
     "/workload/phases/0/duration_s: must be a number > 0, got 0"},
    // the gap is >= 0
    {"/workload/phases/0/gap_before_s", "-1",
     "/workload/phases/0/gap_before_s: must be a number >= 0, got -1"},
    // phase names are unique (the default name counts)
    {"/workload/phases",
     R"([{"users": 1, "requests_per_user": 1}, {"name": "phase 1", "users": 1, "duration_s": 1}])",
     R"(/workload/phases/1/name: must be unique (same as /workload/phases/0/name), got "phase 1")"},
    // an unknown phase key
    {"/workload/phases/0/think_time", "1",
     R"(/workload/phases/0/think_time: unknown key (did you mean "think_time_s"?))"},
    // --- thresholds ---
    // thresholds are a list
    {"/thresholds", R"("x")", R"(/thresholds: must be an array of thresholds, got "x")"},
    // a threshold is "METRIC OP VALUE"
    {"/thresholds", R"(["success_rate is high"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "success_rate is high")"},
    // "=" is not an operator
    {"/thresholds", R"(["failed = 0"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "failed = 0")"},
    // the value is a plain number
    {"/thresholds", R"(["latency_s.p95 <= 2s"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "latency_s.p95 <= 2s")"},
    // a metric close to a known one gets a suggestion
    {"/thresholds", R"(["latency.p95 <= 2"])",
     R"(/thresholds/0: unknown metric "latency.p95" (did you mean "latency_s.p95"?), got "latency.p95 <= 2")"},
    // a metric far from every known one
    {"/thresholds", R"(["banana > 1"])",
     R"(/thresholds/0: unknown metric "banana" (see data/README.md), got "banana > 1")"},
    // a threshold is a string or an object
    {"/thresholds", "[5]",
     R"(/thresholds/0: must be a string "METRIC OP VALUE" or an object with "check", got 5)"},
    // an object threshold needs its check
    {"/thresholds", R"([{"phase": "phase 1"}])", "/thresholds/0/check: required, got nothing"},
    // the check is a string
    {"/thresholds", R"([{"check": 1}])",
     R"(/thresholds/0/check: must be a string "METRIC OP VALUE", got 1)"},
    // the phase names a phase
    {"/thresholds", R"([{"phase": "x", "check": "failed == 0"}])",
     R"(/thresholds/0/phase: must be one of the phase names (phase 1), got "x")"},
    // an unknown threshold key
    {"/thresholds", R"([{"phse": "x", "check": "failed == 0"}])",
     R"(/thresholds/0/phse: unknown key (did you mean "phase"?))"},
};

// Rows that replace "provider" by "providers" (kMinimal has "provider").
struct ProvidersRow {
  const char* providers;
  const char* expected;
};

const ProvidersRow kProvidersRows[] = {
    // providers must not be empty
    {"[]", "/providers: must be a non-empty array of provider objects, got []"},
    // provider names are unique (the default name counts)
    {R"([{"limits": {"rpm": 1}}, {"limits": {"rpm": 1}}])",
     R"(/providers/1/name: must be unique (same as /providers/0/name), got "openai")"},
};

const BadRow kDistRows[] = {
    // a DIST is a number or an object
    {"/think", R"("fast")", R"(/think: must be a number or an object with "dist", got "fast")"},
    // an object needs "dist"
    {"/think", R"({"mean": 1})", "/think/dist: required, got nothing"},
    // an unknown family lists the known ones
    {"/think", R"({"dist": "lognorm"})",
     R"(/think/dist: must be one of constant, uniform, exponential, normal, lognormal, gamma, empirical, got "lognorm")"},
    // parameters are required
    {"/think", R"({"dist": "constant"})", "/think/value: required, got nothing"},
    // times are >= 0 (constant)
    {"/think", R"({"dist": "constant", "value": -1})",
     "/think/value: must be a number >= 0, got -1"},
    // uniform max >= min
    {"/think", R"({"dist": "uniform", "min": 2, "max": 1})",
     "/think/max: must be >= min (2), got 1"},
    // times are >= 0 (uniform)
    {"/think", R"({"dist": "uniform", "min": -1, "max": 1})",
     "/think/min: must be a number >= 0, got -1"},
    // exponential mean > 0
    {"/think", R"({"dist": "exponential", "mean": 0})", "/think/mean: must be a number > 0, got 0"},
    // a family's keys get suggestions
    {"/think", R"({"dist": "exponential", "mean": 1, "meen": 2})",
     R"(/think/meen: unknown key (did you mean "mean"?))"},
    // normal stddev >= 0
    {"/think", R"({"dist": "normal", "mean": 1, "stddev": -1})",
     "/think/stddev: must be a number >= 0, got -1"},
    // times are >= 0 (normal mean)
    {"/think", R"({"dist": "normal", "mean": -1, "stddev": 1})",
     "/think/mean: must be a number >= 0, got -1"},
    // lognormal median > 0
    {"/think", R"({"dist": "lognormal", "median": 0, "sigma": 1})",
     "/think/median: must be a number > 0, got 0"},
    // lognormal sigma >= 0
    {"/think", R"({"dist": "lognormal", "median": 1, "sigma": -0.5})",
     "/think/sigma: must be a number >= 0, got -0.5"},
    // gamma shape > 0
    {"/think", R"({"dist": "gamma", "shape": 0, "scale": 1})",
     "/think/shape: must be a number > 0, got 0"},
    // gamma scale > 0
    {"/think", R"({"dist": "gamma", "shape": 1, "scale": -1})",
     "/think/scale: must be a number > 0, got -1"},
    // empirical points are an array
    {"/think", R"({"dist": "empirical", "points": 5})",
     "/think/points: must be an array of [p, value] pairs, got 5"},
    // empirical points are pairs
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [1]]})",
     "/think/points/1: must be a pair [p, value] of numbers, got [1]"},
    // continuous: at least 2 points
    {"/think", R"({"dist": "empirical", "points": [[0, 1]]})",
     "/think/points: needs at least 2 points, got [[0,1]]"},
    // continuous: first p is 0
    {"/think", R"({"dist": "empirical", "points": [[0.1, 1], [1, 2]]})",
     "/think/points/0/0: must be 0 (the first cumulative probability), got 0.1"},
    // continuous: last p is 1
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [0.9, 2]]})",
     "/think/points/1/0: must be 1 (the last cumulative probability), got 0.9"},
    // continuous: p strictly increasing
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [0, 1.5], [1, 2]]})",
     "/think/points/1/0: must be > the previous probability (0), got 0"},
    // continuous: values non-decreasing
    {"/think", R"({"dist": "empirical", "points": [[0, 2], [1, 1]]})",
     "/think/points/1/1: must be >= the previous value (2), got 1"},
    // times are >= 0 (empirical values)
    {"/think", R"({"dist": "empirical", "points": [[0, 0], [1, -1]]})",
     "/think/points/1/1: must be a number >= 0, got -1"},
    // discrete: weights > 0
    {"/think", R"({"dist": "empirical", "discrete": true, "points": [[0, 5]]})",
     "/think/points/0/0: must be a weight > 0, got 0"},
    // discrete: at least 1 point
    {"/think", R"({"dist": "empirical", "discrete": true, "points": []})",
     "/think/points: needs at least 1 point, got []"},
    // discrete is a boolean
    {"/think", R"({"dist": "empirical", "discrete": 1, "points": [[0, 1], [1, 2]]})",
     "/think/discrete: must be true or false, got 1"},
};

TEST(ScenarioRules, EachBadDocumentGivesItsOneProblem) {
  for (const BadRow& row : kBadRows) {
    SCOPED_TRACE(std::string(row.pointer) + " = " + (row.value ? row.value : "(removed)"));
    EXPECT_EQ(error_of(patched(row.pointer, row.value)),
              "x.json: " + with_limits_path(row.expected));
  }
}

TEST(ScenarioRules, ProvidersListRules) {
  for (const ProvidersRow& row : kProvidersRows) {
    SCOPED_TRACE(row.providers);
    Json document = Json::parse(kMinimal);
    document.erase("provider");
    document["providers"] = Json::parse(row.providers);
    EXPECT_EQ(error_of(document.dump()), std::string("x.json: ") + row.expected);
  }
}

// DIST rules are checked through a phase's think_time_s (a time: values must be >= 0).
TEST(ScenarioRules, EachBadDistributionGivesItsOneProblem) {
  const std::string prefix = "/workload/phases/0/think_time_s";
  for (const BadRow& row : kDistRows) {
    SCOPED_TRACE(row.value);
    std::string expected = row.expected;
    expected.replace(0, std::string("/think").size(), prefix);
    EXPECT_EQ(error_of(patched(prefix.c_str(), row.value)), "x.json: " + expected);
  }
}

TEST(ScenarioRules, DocumentMustBeAnObject) {
  EXPECT_EQ(error_of("[1]"), "x.json: must be an object, got [1]");
}

TEST(ScenarioRules, LongValuesAreCutInMessages) {
  const std::string long_text = "\"" + std::string(100, 'a') + "\"";
  EXPECT_EQ(error_of(patched("/name", "5")), "x.json: /name: must be a non-empty string, got 5");
  EXPECT_EQ(error_of(patched("/provider/limits/rpm", long_text.c_str())),
            "x.json: /provider/limits/rpm: must be an integer >= 1, got \"" + std::string(56, 'a') +
                "...");
}

TEST(ScenarioRules, DuplicateKeysAreProblems) {
  const std::string text =
      R"({"name": "a", "name": "b", "provider": {"limits": {"rpm": 1, "rpm": 2}},
    "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})";
  EXPECT_EQ(error_of(text),
            "x.json: /name: duplicate key (each key may appear once in an object)\n"
            "x.json: /provider/limits/rpm: duplicate key (each key may appear once in an object)");
}

// Problems come out in the order of the document, not the order the loader reads the parts in
// (it reads providers before the workload and thresholds last).
TEST(ScenarioErrors, AllProblemsInDocumentOrder) {
  const std::string text = R"({
    "thresholds": ["banana > 1"],
    "workload": {"phases": [{"users": 0, "requests_per_user": 1}, {"user": 1}]},
    "name": "",
    "provider": {"limits": {"rpm": 2.5}, "faults": {"timeout": 2}},
    "client": {"conections": 1}
  })";
  const char* const expected =
      "x.json: /thresholds/0: unknown metric \"banana\" (see data/README.md), got \"banana > 1\"\n"
      "x.json: /workload/phases/0/users: must be an integer >= 1, got 0\n"
      "x.json: /workload/phases/1/users: required, got nothing\n"
      "x.json: /workload/phases/1: needs \"requests_per_user\" or \"duration_s\", got neither\n"
      "x.json: /workload/phases/1/user: unknown key (did you mean \"users\"?)\n"
      "x.json: /name: must be a non-empty string, got \"\"\n"
      "x.json: /provider/limits/rpm: must be an integer >= 1, got 2.5\n"
      "x.json: /provider/faults/timeout: must be a number in [0, 1], got 2\n"
      "x.json: /client/conections: unknown key (did you mean \"connections\"?)";
  EXPECT_EQ(error_of(text), expected);
  try {
    parse(text);
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.file(), "x.json");
    ASSERT_EQ(error.problems().size(), 9U);
    EXPECT_EQ(error.problems()[1].pointer, "/workload/phases/0/users");
    EXPECT_EQ(error.problems()[1].message, "must be an integer >= 1, got 0");
  }
}

TEST(ScenarioErrors, InvalidJsonGivesLineAndColumn) {
  const std::string text = "{\n  \"name\": \"t\",\n  \"seed\": ,\n}";
  EXPECT_EQ(error_of(text),
            "x.json:3:11: invalid JSON: syntax error while parsing value - unexpected ','; "
            "expected '[', '{', or a literal");
  try {
    parse(text);
  } catch (const ScenarioError& error) {
    ASSERT_EQ(error.problems().size(), 1U);
    EXPECT_EQ(error.problems()[0].line, 3);
    EXPECT_EQ(error.problems()[0].column, 11);
  }
}

// A number beyond a double's range stopped the parser with out_of_range.406, which escaped main
// (exit 134); it is a problem at its place like any other.
TEST(ScenarioErrors, NumberTooLargeForADoubleIsAProblemAtItsPlace) {
  EXPECT_EQ(error_of(R"({"seed":1e999})"),
            "x.json: /seed: number out of range (must fit in a double), got 1e999");
  EXPECT_EQ(error_of(R"({"name": "t", "workload": {"phases": [{"users": 1}, {"users": -1E+400}]}})"),
            "x.json: /workload/phases/1/users: number out of range (must fit in a double), got -1E+400");
}

TEST(ScenarioErrors, JsonTextProblemFindsSyntaxAndRangeProblems) {
  EXPECT_EQ(json_text_problem(R"({"a": [1, 2.5, {"b": true}]})"), std::nullopt);
  // Root, object member, array element; a key with '/' escaped as RFC 6901 says.
  const auto root = json_text_problem("1e999");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->pointer, "");
  EXPECT_EQ(root->message, "number out of range (must fit in a double), got 1e999");
  EXPECT_EQ(json_text_problem(R"({"a/b": {"c": [0, 1, 9e999]}})")->pointer, "/a~1b/c/2");
  // A syntax error keeps its line and column.
  const auto syntax = json_text_problem("{\n  \"a\": ]\n}");
  ASSERT_TRUE(syntax);
  EXPECT_EQ(syntax->line, 2);
  EXPECT_EQ(syntax->column, 8);
  EXPECT_THAT(syntax->message, HasSubstr("invalid JSON: syntax error while parsing value"));
}

TEST(ScenarioErrors, EmptyTextIsInvalidJsonAtTheStart) {
  EXPECT_THAT(error_of(""),
              HasSubstr("x.json:1:1: invalid JSON: syntax error while parsing value"));
}

TEST(ScenarioErrors, MissingFileSaysWhy) {
  EXPECT_THAT([] { load_scenario("/nonexistent/llmsim/x.json"); },
              ThrowsMessage<ScenarioError>(
                  Eq("/nonexistent/llmsim/x.json: cannot read: No such file or directory")));
}

TEST(ScenarioErrors, BrokenFileInTestDataIsReportedWithItsName) {
  const std::string path = kSourceDir + "/tests/models/data/invalid.json";
  EXPECT_THAT([&path] { load_scenario(path, kLimitsDir); },
              ThrowsMessage<ScenarioError>(HasSubstr(path + ":4:3: invalid JSON: ")));
}

// --- published limits ---------------------------------------------------------------------------

Scenario with_limits(const char* limits, const char* models = R"(["gpt-3.5-turbo"])",
                     const std::string& limits_dir = kLimitsDir) {
  Json document = Json::parse(kMinimal);
  document["provider"]["limits"] = Json::parse(limits);
  document["provider"]["models"] = Json::parse(models);
  return parse(document.dump(), limits_dir);
}

TEST(ScenarioLimits, LooksUpModelAndTier) {
  const ProviderConfig provider =
      with_limits(R"({"model": "gpt-4o-mini", "tier": 1})").providers.at(0);
  EXPECT_EQ(provider.limits.rpm, 500);
  EXPECT_EQ(provider.limits.tpm, 200000);
  EXPECT_EQ(provider.limits.rpd, 10000);
  EXPECT_EQ(provider.limits.tpd, std::nullopt);
  EXPECT_EQ(provider.limits_source,
            "gpt-4o-mini tier 1, " + kLimitsFile + ", as of 2025-01 (2025, model page)");
}

TEST(ScenarioLimits, NewestEntryIsTheDefaultAndAsOfPicksAnOlderOne) {
  const RateLimits newest =
      with_limits(R"({"model": "gpt-3.5-turbo", "tier": 1})").providers[0].limits;
  EXPECT_EQ(newest.tpm, 200000);
  const ProviderConfig older =
      with_limits(R"({"model": "gpt-3.5-turbo", "tier": "1", "as_of": "2024-09"})").providers[0];
  EXPECT_EQ(older.limits.rpm, 3500);
  EXPECT_EQ(older.limits.tpm, 60000);
  EXPECT_EQ(older.limits_source,
            "gpt-3.5-turbo tier 1, " + kLimitsFile + ", as of 2024-06 (mid 2024)");
}

TEST(ScenarioLimits, ModelDefaultsToTheProvidersFirstModel) {
  const RateLimits limits =
      with_limits(R"({"tier": 1})", R"(["gpt-4o", "gpt-4o-2024-05-13"])").providers[0].limits;
  EXPECT_EQ(limits.rpm, 500);
  EXPECT_EQ(limits.tpm, 30000);
  EXPECT_EQ(limits.rpd, std::nullopt);
}

TEST(ScenarioLimits, ExplicitNumbersOverrideThePublishedOnes) {
  const ProviderConfig provider =
      with_limits(R"({"model": "gpt-3.5-turbo", "tier": 1, "rpm": 500, "tpd": 900000})")
          .providers[0];
  EXPECT_EQ(provider.limits.rpm, 500);
  EXPECT_EQ(provider.limits.tpm, 200000);
  EXPECT_EQ(provider.limits.rpd, 10000);
  EXPECT_EQ(provider.limits.tpd, 900000);
  EXPECT_THAT(*provider.limits_source,
              HasSubstr("(late 2024 to 2025, model page); rpm, tpd set by the scenario"));
}

TEST(ScenarioLimits, ExplicitNumbersAloneHaveNoSource) {
  const ProviderConfig provider = with_limits(R"({"rpm": 3, "quantization_ms": 250})").providers[0];
  EXPECT_EQ(provider.limits.rpm, 3);
  EXPECT_EQ(provider.limits.quantization_window, from_millis(250));
  EXPECT_EQ(provider.limits_source, std::nullopt);
}

TEST(ScenarioLimits, DefaultDirectoryIsBesideTheScenarios) {
  Json document = Json::parse(kMinimal);
  document["provider"]["limits"] = Json::parse(R"({"tier": 1})");
  const Scenario scenario = parse_scenario(document.dump(), kSourceDir + "/data/scenarios/x.json");
  EXPECT_EQ(scenario.providers[0].limits.tpm, 200000);
  EXPECT_THAT(*scenario.providers[0].limits_source, HasSubstr(", " + kLimitsFile + ", "));
}

TEST(ScenarioLimits, MissingFileIsReported) {
  EXPECT_THAT([] { with_limits(R"({"tier": 1})", R"(["gpt-4o"])", "/nonexistent/limits"); },
              ThrowsMessage<ScenarioError>(Eq("x.json: /provider/limits: cannot read the published "
                                              "limits (tried /nonexistent/limits/openai.json)")));
}

TEST(ScenarioLimits, BrokenFileIsReportedWithItsPlaces) {
  const std::string dir = kSourceDir + "/tests/models/data/broken_limits";
  EXPECT_THAT([&dir] { with_limits(R"({"tier": 1})", R"(["gpt-4o"])", dir); },
              ThrowsMessage<ScenarioError>(Eq(
                  "x.json: /provider/limits: published limits " + dir +
                  "/openai.json: "
                  "/models/gpt-4o/tiers/1/0/as_of: must be a month \"YYYY-MM\", got \"2024-13\"\n"
                  "x.json: /provider/limits: published limits " +
                  dir +
                  "/openai.json: "
                  "/models/gpt-4o/tiers/1/1/rpm: must be an integer >= 1, got 0")));
}

TEST(ScenarioLimits, NumberTooLargeInThePublishedLimitsIsReportedWithItsPlace) {
  const std::string dir = LLMSIM_BINARY_DIR "/tests/scenario_test_huge_limits";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/openai.json", std::ios::binary)
      << R"({"models": {"gpt-4o": {"tiers": {"1": [{"as_of": "2025-01", "rpm": 1e999}]}}}})";
  EXPECT_THAT([&dir] { with_limits(R"({"tier": 1})", R"(["gpt-4o"])", dir); },
              ThrowsMessage<ScenarioError>(Eq(
                  "x.json: /provider/limits: published limits " + dir +
                  "/openai.json: /models/gpt-4o/tiers/1/0/rpm: number out of range (must fit in a "
                  "double), got 1e999")));
}

// --- valid documents -----------------------------------------------------------------------------

template <typename Family>
const Family& family_of(const Distribution& dist) {
  return std::get<Family>(dist.family());
}

TEST(ScenarioDefaults, AbsentFieldsTakeTheDocumentedDefaults) {
  const Scenario s = parse(kMinimal);
  EXPECT_EQ(s.path, "x.json");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1U);
  ASSERT_EQ(s.providers.size(), 1U);
  const ProviderConfig& p = s.providers[0];
  EXPECT_EQ(p.name, "openai");
  EXPECT_EQ(p.organization, "org-llmsim");
  EXPECT_THAT(p.models, ElementsAre("gpt-3.5-turbo"));
  EXPECT_EQ(p.limits.rpm, 500);
  EXPECT_EQ(p.limits.tpm, std::nullopt);
  EXPECT_EQ(p.limits.quantization_window, std::nullopt);
  EXPECT_EQ(p.initial_usage.requests_today, 0);
  EXPECT_EQ(family_of<Distribution::Constant>(p.latency.time_to_first_token_s).value, 0.0);
  EXPECT_EQ(family_of<Distribution::Constant>(p.tokens.completion_tokens).value, 16.0);
  EXPECT_EQ(p.faults.server_error, 0.0);
  EXPECT_EQ(family_of<Distribution::Constant>(p.faults.slow_first_byte_s).value, 10.0);
  EXPECT_TRUE(p.api_keys.empty());
  EXPECT_FALSE(p.send_retry_after_ms);
  EXPECT_EQ(p.embedding_dimensions, 1536);
  const ClientConfig& c = s.client;
  EXPECT_EQ(c.connections, 100);
  EXPECT_EQ(c.timeout_s, std::nullopt);
  EXPECT_EQ(c.retry.max_retries, 0);
  EXPECT_EQ(c.retry.initial_backoff_s, 0.5);
  EXPECT_EQ(c.retry.max_backoff_s, 8.0);
  EXPECT_EQ(c.retry.jitter, 0.25);
  EXPECT_TRUE(c.retry.honor_retry_after);
  EXPECT_EQ(c.retry.max_retry_after_s, 60.0);
  EXPECT_TRUE(c.retry.retry_on_429 && c.retry.retry_on_5xx && c.retry.retry_on_timeout &&
              c.retry.retry_on_connection_error);
  EXPECT_FALSE(c.cpu.enabled);
  EXPECT_EQ(c.network.rtt_ms, 0.0);
  EXPECT_EQ(c.network.request_overhead_bytes, 300);
  EXPECT_EQ(c.network.response_overhead_bytes, 400);
  EXPECT_EQ(s.request.endpoint, Endpoint::chat_completions);
  EXPECT_EQ(s.request.model, "gpt-3.5-turbo");
  EXPECT_EQ(s.request.prompt_tokens, 20);
  EXPECT_EQ(s.request.prompt, std::nullopt);
  EXPECT_EQ(s.request.max_tokens, std::nullopt);
  EXPECT_FALSE(s.request.stream);
  ASSERT_EQ(s.workload.phases.size(), 1U);
  const Phase& phase = s.workload.phases[0];
  EXPECT_EQ(phase.name, "phase 1");
  EXPECT_EQ(phase.start, StartMode::all_at_once);
  EXPECT_EQ(phase.requests_per_user, 1);
  EXPECT_EQ(phase.duration_s, std::nullopt);
  EXPECT_EQ(family_of<Distribution::Constant>(phase.think_time_s).value, 0.0);
  EXPECT_EQ(phase.gap_before_s, 0.0);
  EXPECT_TRUE(s.thresholds.empty());
}

TEST(ScenarioDefaults, RequestModelIsTheFirstProvidersFirstModel) {
  Json document = Json::parse(kMinimal);
  document["provider"]["models"] = {"m1", "m2"};
  EXPECT_EQ(parse(document.dump()).request.model, "m1");
}

TEST(ScenarioDefaults, AnEmptyCpuObjectTurnsTheCpuModelOn) {
  const Scenario s = parse(patched("/client/cpu", "{}"));
  EXPECT_TRUE(s.client.cpu.enabled);
  EXPECT_EQ(s.client.cpu.cores, 1);
  EXPECT_EQ(s.client.cpu.per_request_ms, 0.0);
}

// Every part of the format set to a non-default value, read back field by field.
const char* const kFull = R"({
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

TEST(ScenarioRoundTrip, TopLevelAndProviders) {
  const Scenario s = parse(kFull);
  EXPECT_EQ(s.name, "gaja test");
  EXPECT_EQ(s.description, "Four bursts.");
  EXPECT_EQ(s.seed, 42U);
  ASSERT_EQ(s.providers.size(), 2U);
  const ProviderConfig& p = s.providers[0];
  EXPECT_EQ(p.name, "primary");
  EXPECT_EQ(p.organization, "org-gaja");
  EXPECT_THAT(p.models, ElementsAre("gpt-3.5-turbo", "gpt-3.5-turbo-0125"));
  EXPECT_EQ(p.limits.rpm, 500);
  EXPECT_EQ(p.limits.tpm, 200000);
  EXPECT_EQ(p.limits.rpd, 10000);
  EXPECT_EQ(p.limits.quantization_window, from_seconds(1.0));
  EXPECT_EQ(p.initial_usage.requests_today, 120);
  const auto& ttft = family_of<Distribution::LogNormal>(p.latency.time_to_first_token_s);
  EXPECT_EQ(ttft.median, 0.6);
  EXPECT_EQ(ttft.sigma, 0.35);
  EXPECT_EQ(family_of<Distribution::Constant>(p.latency.per_token_s).value, 0.01);
  EXPECT_EQ(family_of<Distribution::Uniform>(p.latency.refused_s).max, 0.1);
  EXPECT_EQ(family_of<Distribution::Gamma>(p.tokens.completion_tokens).scale, 20.0);
  EXPECT_EQ(p.faults.server_error, 0.01);
  EXPECT_EQ(p.faults.overloaded, 0.02);
  EXPECT_EQ(p.faults.timeout, 0.001);
  EXPECT_EQ(p.faults.drop_mid_stream, 0.002);
  EXPECT_EQ(p.faults.quota_exhausted, 0.003);
  EXPECT_EQ(p.faults.slow_first_byte, 0.05);
  EXPECT_EQ(family_of<Distribution::Exponential>(p.faults.slow_first_byte_s).mean, 4.0);
  EXPECT_THAT(p.api_keys, ElementsAre("k1", "k2"));
  EXPECT_TRUE(p.send_retry_after_ms);
  EXPECT_EQ(p.embedding_dimensions, 256);
  EXPECT_EQ(s.providers[1].name, "backup");
  EXPECT_EQ(s.providers[1].limits.tpm, 100000);  // 1e5 is a whole number
}

TEST(ScenarioRoundTrip, ClientAndRequest) {
  const Scenario s = parse(kFull);
  const ClientConfig& c = s.client;
  EXPECT_EQ(c.connections, 1000);
  EXPECT_EQ(c.timeout_s, 30.0);
  EXPECT_EQ(c.retry.max_retries, 2);
  EXPECT_EQ(c.retry.initial_backoff_s, 0.25);
  EXPECT_EQ(c.retry.max_backoff_s, 4.0);
  EXPECT_EQ(c.retry.jitter, 0.5);
  EXPECT_FALSE(c.retry.honor_retry_after);
  EXPECT_EQ(c.retry.max_retry_after_s, 20.0);
  EXPECT_TRUE(c.retry.retry_on_429);
  EXPECT_TRUE(c.retry.retry_on_5xx);
  EXPECT_FALSE(c.retry.retry_on_timeout);
  EXPECT_FALSE(c.retry.retry_on_connection_error);
  EXPECT_TRUE(c.cpu.enabled);
  EXPECT_EQ(c.cpu.cores, 4);
  EXPECT_EQ(c.cpu.per_request_ms, 1.5);
  EXPECT_EQ(c.cpu.per_response_ms, 0.5);
  EXPECT_EQ(c.network.rtt_ms, 40.0);
  EXPECT_EQ(c.network.request_overhead_bytes, 350);
  EXPECT_EQ(c.network.response_overhead_bytes, 500);
  EXPECT_EQ(s.request.endpoint, Endpoint::completions);
  EXPECT_EQ(s.request.model, "gpt-4o-mini");  // served by the second provider
  EXPECT_EQ(s.request.prompt, "Hello, world");
  EXPECT_EQ(s.request.prompt_tokens, estimate_chat_tokens({"Hello, world"}));
  EXPECT_EQ(s.request.prompt_tokens, 9);  // ceil(12 / 4) + 3 framing + 3 reply priming
  EXPECT_EQ(s.request.max_tokens, 64);
  EXPECT_TRUE(s.request.stream);
}

TEST(ScenarioRoundTrip, WorkloadAndThresholds) {
  const Scenario s = parse(kFull);
  const auto& phases = s.workload.phases;
  ASSERT_EQ(phases.size(), 5U);
  EXPECT_EQ(phases[0].name, "100 users");
  EXPECT_EQ(phases[1].start, StartMode::ramp);
  EXPECT_EQ(phases[1].ramp_s, 10.0);
  EXPECT_EQ(phases[1].requests_per_user, std::nullopt);
  EXPECT_EQ(phases[1].duration_s, 60.0);
  const auto& empirical = family_of<Distribution::Empirical>(phases[1].think_time_s);
  EXPECT_FALSE(empirical.discrete);
  EXPECT_THAT(empirical.points,
              ElementsAre(std::pair{0.0, 1.0}, std::pair{0.5, 2.0}, std::pair{1.0, 5.0}));
  EXPECT_EQ(phases[2].gap_before_s, 30.0);
  EXPECT_EQ(phases[3].name, "phase 4");
  EXPECT_EQ(phases[3].start, StartMode::poisson);
  EXPECT_EQ(phases[3].rate_per_s, 2.5);
  EXPECT_EQ(phases[3].requests_per_user, 3);
  EXPECT_TRUE(family_of<Distribution::Empirical>(phases[3].think_time_s).discrete);
  EXPECT_EQ(phases[4].start, StartMode::constant_rate);
  EXPECT_EQ(family_of<Distribution::Normal>(phases[4].think_time_s).stddev, 0.2);
  ASSERT_EQ(s.thresholds.size(), 2U);
  EXPECT_EQ(s.thresholds[0].metric, "success_rate");
  EXPECT_EQ(s.thresholds[0].op, ">=");
  EXPECT_EQ(s.thresholds[0].value, 0.99);
  EXPECT_EQ(s.thresholds[0].phase, std::nullopt);
  EXPECT_EQ(s.thresholds[0].text, "success_rate >= 0.99");
  EXPECT_EQ(s.thresholds[1].metric, "latency_s.p95");
  EXPECT_EQ(s.thresholds[1].op, "<=");
  EXPECT_EQ(s.thresholds[1].value, 2.0);
  EXPECT_EQ(s.thresholds[1].phase, "1000 users");
  EXPECT_EQ(s.thresholds[1].text, "latency_s.p95<=2");
}

TEST(ScenarioRoundTrip, SeedTakesAnyUnsigned64BitValue) {
  EXPECT_EQ(parse(patched("/seed", "18446744073709551615")).seed, 18446744073709551615ULL);
  EXPECT_EQ(parse(patched("/seed", "0")).seed, 0U);
}

TEST(ScenarioRoundTrip, LoadsAFileFromDisk) {
  const Scenario s = load_scenario(kSourceDir + "/tests/models/data/minimal.json", kLimitsDir);
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.path, kSourceDir + "/tests/models/data/minimal.json");
  EXPECT_EQ(s.providers.at(0).limits.rpm, 500);
}

TEST(ScenarioMetrics, ListsEveryThresholdMetric) {
  const auto& metrics = threshold_metrics();
  EXPECT_EQ(metrics.size(), 41U);
  EXPECT_EQ(metrics.front(), "success_rate");
  EXPECT_EQ(metrics.back(), "errors.queue_deadline");
}

// --- describe_scenario ---------------------------------------------------------------------------

TEST(ScenarioDescribe, MinimalScenarioInFull) {
  EXPECT_EQ(describe_scenario(parse(kMinimal)),
            "scenario \"t\" (x.json)\n"
            "seed: 1\n"
            "provider \"openai\" (organization org-llmsim), models gpt-3.5-turbo\n"
            "  limits: 500 RPM (source: set in the scenario)\n"
            "  latency: first token constant(0) s, per further token constant(0) s, refusals "
            "constant(0) s\n"
            "  completion tokens: constant(16)\n"
            "  faults: none\n"
            "  api keys: any key accepted; retry-after-ms not sent; embeddings of 1536 dimensions\n"
            "client: 100 connections, timeout none (waits forever)\n"
            "  retry: none\n"
            "  cpu: not modelled\n"
            "  network: rtt 0 ms, overhead 300 bytes per request, 400 bytes per response\n"
            "request: chat.completions, model gpt-3.5-turbo, 20 prompt tokens, max_tokens none, "
            "not streamed\n"
            "workload: 1 phase\n"
            "  phase 1: 1 user, all at once, 1 request each, gap 0 s\n"
            "thresholds: none\n"
            "warnings:\n"
            "  provider \"openai\": latency left at 0 (time_to_first_token_s, per_token_s): every "
            "request is answered at once, so latency checks pass and pools never fill; set "
            "provider.latency (data/README.md, PROVIDER)\n");
}

TEST(ScenarioDescribe, WarnsWhenABurstStartsWithAFullBucket) {
  // 1,000 users, two requests 5 s apart, service 1 s: steady users would get 500 x 6 / 60 = 50.
  const std::string text = describe_scenario(parse(R"({
    "name": "t",
    "provider": {"limits": {"rpm": 500}, "latency": {"time_to_first_token_s": 1}},
    "workload": {"phases": [{"name": "burst", "users": 1000, "start": "ramp", "ramp_s": 10,
                             "requests_per_user": 2, "think_time_s": 5},
                            {"name": "steady", "users": 1000, "duration_s": 600, "think_time_s": 5}]}
  })"));
  EXPECT_THAT(text, HasSubstr("warnings:\n  phase \"burst\": 1000 users x 2 requests start together with a full "
                              "bucket (500 RPM): the result holds for this burst only; users working steadily are "
                              "bounded at RPM x (think + service) / 60 = 500 x (5 + 1) / 60 = 50 users "
                              "(data/README.md, \"Burst users and steady users\")\n"));
  // The steady phase and a latency that is set: no warning.
  EXPECT_THAT(text, Not(HasSubstr("phase \"steady\":")));
  EXPECT_THAT(text, Not(HasSubstr("latency left at 0")));
}

TEST(ScenarioDescribe, FullScenarioHasTheKeyLines) {
  const std::string text = describe_scenario(parse(kFull));
  EXPECT_THAT(text, HasSubstr("scenario \"gaja test\" (x.json)\n  Four bursts.\nseed: 42\n"));
  EXPECT_THAT(
      text, HasSubstr("  limits: 500 RPM, 200000 TPM, 10000 RPD (source: gpt-3.5-turbo tier 1, " +
                      kLimitsFile +
                      ", as of 2024-10 (late 2024 to 2025, model page); rpm set by the scenario)\n"
                      "  limits also enforced over 1000 ms windows\n"
                      "  already used today: 120 requests, 0 tokens\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "  faults: server_error 0.01, overloaded 0.02, timeout 0.001, drop_mid_stream 0.002, "
          "quota_exhausted 0.003, slow_first_byte 0.05 (delay exponential(mean=4) s)\n"));
  EXPECT_THAT(text,
              HasSubstr("  api keys: 2 keys; retry-after-ms sent; embeddings of 256 dimensions\n"));
  EXPECT_THAT(text, HasSubstr("provider \"backup\" (organization org-llmsim), models gpt-4o-mini\n"
                              "  limits: 100000 TPM (source: set in the scenario)\n"));
  EXPECT_THAT(
      text,
      HasSubstr("client: 1000 connections, timeout 30 s\n"
                "  retry: up to 2 retries on 429, 5xx, backoff 0.25 s doubling to 4 s, jitter 0.5, "
                "retry-after ignored\n"
                "  cpu: 4 cores, 1.5 ms per request, 0.5 ms per response\n"
                "  network: rtt 40 ms, overhead 350 bytes per request, 500 bytes per response\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "request: completions, model gpt-4o-mini, 9 prompt tokens (estimated from the prompt), "
          "max_tokens 64, streamed\n"));
  EXPECT_THAT(
      text,
      HasSubstr("workload: 5 phases\n"
                "  phase 1 \"100 users\": 100 users, all at once, 1 request each, gap 0 s\n"));
  EXPECT_THAT(
      text,
      HasSubstr("  phase 2 \"ramp\": 200 users, ramp over 10 s, for 60 s, think time empirical("));
  EXPECT_THAT(
      text,
      HasSubstr("  phase 3 \"1000 users\": 1000 users, all at once, 1 request each, gap 30 s\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "  phase 4: 50 users, Poisson arrivals at 2.5/s, 3 requests each, think time discrete("));
  EXPECT_THAT(text, HasSubstr("  phase 5: 10 users, arrivals at a constant 1/s, 1 request each, "
                              "think time normal(mean=1, stddev=0.2) s, gap 0 s\n"));
  EXPECT_THAT(text, HasSubstr("thresholds:\n"
                              "  success_rate >= 0.99 (whole run)\n"
                              "  latency_s.p95 <= 2 (phase \"1000 users\")\n"));
  EXPECT_EQ(describe_scenario(parse(kFull)), text);  // deterministic
}

}  // namespace
}  // namespace llmsim

namespace llmsim {
namespace {

TEST(ScenarioRules, HangingFaultsNeedAClientTimeout) {
  const std::string text = R"({"name": "h", "provider": {"limits": {"rpm": 10}, "faults": {"timeout": 0.1}},
    "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})";
  EXPECT_THAT([&] { parse_scenario(text, "h.json"); },
              ::testing::ThrowsMessage<ScenarioError>(::testing::HasSubstr(
                  "h.json: /client/timeout_s: required when a provider's faults.timeout is above 0")));
  const std::string with_timeout = R"({"name": "h", "provider": {"limits": {"rpm": 10}, "faults": {"timeout": 0.1}},
    "client": {"timeout_s": 5}, "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})";
  EXPECT_EQ(parse_scenario(with_timeout, "h.json").client.timeout_s, 5.0);
}

}  // namespace
}  // namespace llmsim

namespace llmsim {
namespace {

// request.endpoint "responses" loads as Endpoint::responses, streamed or not, and is described.
TEST(ScenarioRequest, ResponsesEndpointLoads) {
  Json document = Json::parse(kMinimal);
  document["request"] = Json{{"endpoint", "responses"}, {"max_tokens", 32}, {"stream", true}};
  const Scenario s = parse(document.dump());
  EXPECT_EQ(s.request.endpoint, Endpoint::responses);
  EXPECT_TRUE(s.request.stream);
  EXPECT_THAT(describe_scenario(s), ::testing::HasSubstr("request: responses, model"));
  document["request"]["max_tokens"] = 15;
  EXPECT_THAT(error_of(document.dump()),
              ::testing::HasSubstr("x.json: /request/max_tokens: must be >= 16 for the responses "
                                   "endpoint (sent as max_output_tokens), got 15"));
}

}  // namespace
}  // namespace llmsim
