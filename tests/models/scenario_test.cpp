// Tests for the scenario loader's root (scenario.cpp): the document root's fields, loading a
// file, the documented defaults of every part, and the rules that join two parts.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const BadRow kRootRows[] = {
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
};

TEST(ScenarioRules, EachBadRootFieldGivesItsOneProblem) {
  expect_one_problem_each(kRootRows);
}

TEST(ScenarioRules, DocumentMustBeAnObject) {
  EXPECT_EQ(error_of("[1]"), "x.json: must be an object, got [1]");
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
  EXPECT_EQ(c.network.response_overhead_bytes, std::nullopt);  // as the provider's API sends them
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
