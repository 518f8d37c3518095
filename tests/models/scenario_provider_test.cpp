// Tests for reading PROVIDER objects (scenario_provider.cpp): every rule, one table row each with
// the exact error line, the providers list, and a full provider read back.
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

const BadRow kProviderRows[] = {
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
};

TEST(ScenarioRules, EachBadProviderGivesItsOneProblem) {
  expect_one_problem_each(kProviderRows);
}

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

TEST(ScenarioRules, ProvidersListRules) {
  for (const ProvidersRow& row : kProvidersRows) {
    SCOPED_TRACE(row.providers);
    Json document = Json::parse(kMinimal);
    document.erase("provider");
    document["providers"] = Json::parse(row.providers);
    EXPECT_EQ(error_of(document.dump()), std::string("x.json: ") + row.expected);
  }
}

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

}  // namespace
}  // namespace llmsim
