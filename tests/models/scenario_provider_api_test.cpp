// Scenario validation of a provider's "api" (OpenAI's wire format or Anthropic's) and of the
// limits and settings only one API has: every rule, one row each, with the exact error line.
#include "models/scenario.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

// Returns the smallest scenario with `provider` (JSON text) as its provider and `request` as its
// request (by default with the max_tokens an Anthropic provider needs).
std::string with_provider(const char* provider, const char* request = R"({"max_tokens": 64})") {
  scenario_testing::Json document = scenario_testing::Json::parse(scenario_testing::patched("/provider", provider));
  document["request"] = scenario_testing::Json::parse(request);
  return document.dump();
}

TEST(ProviderApi, DefaultsToOpenAiAndReadsAnthropicLimits) {
  const Scenario openai = scenario_testing::parse(with_provider(R"({"limits": {"rpm": 500}})"));
  EXPECT_EQ(openai.providers.at(0).api, ProviderApi::openai);
  const Scenario anthropic = scenario_testing::parse(
      with_provider(R"({"api": "anthropic", "limits": {"rpm": 50, "itpm": 40000, "otpm": 8000}})"));
  const ProviderConfig& provider = anthropic.providers.at(0);
  EXPECT_EQ(provider.api, ProviderApi::anthropic);
  EXPECT_EQ(provider.limits.rpm, 50);
  EXPECT_EQ(provider.limits.itpm, 40'000);
  EXPECT_EQ(provider.limits.otpm, 8'000);
  EXPECT_EQ(provider.limits.tpm, std::nullopt);
  EXPECT_STREQ(api_name(provider.api), "anthropic");
  EXPECT_STREQ(api_name(ProviderApi::openai), "openai");
}

struct Row {
  const char* provider;  // the "provider" object (JSON text)
  const char* expected;  // the whole error text
};

class ProviderApiValidation : public ::testing::TestWithParam<Row> {};

TEST_P(ProviderApiValidation, ReportsPlaceRuleAndValue) {
  EXPECT_EQ(scenario_testing::error_of(with_provider(GetParam().provider)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ProviderApiValidation,
    ::testing::Values(
        Row{R"({"api": "gemini", "limits": {"rpm": 5}})",
            "x.json: /provider/api: must be one of openai, anthropic, got \"gemini\""},
        Row{R"({"api": 1, "limits": {"rpm": 5}})",
            "x.json: /provider/api: must be one of openai, anthropic, got 1"},
        // Anthropic's limits on an OpenAI provider, and OpenAI's on an Anthropic one
        Row{R"({"limits": {"rpm": 5, "itpm": 1000}})",
            "x.json: /provider/limits/itpm: is an Anthropic limit: needs \"api\": \"anthropic\" "
            "(OpenAI has rpm, tpm, rpd, tpd), got 1000"},
        Row{R"({"api": "openai", "limits": {"otpm": 1000}})",
            "x.json: /provider/limits/otpm: is an Anthropic limit: needs \"api\": \"anthropic\" "
            "(OpenAI has rpm, tpm, rpd, tpd), got 1000"},
        Row{R"({"api": "anthropic", "limits": {"rpm": 5, "tpm": 1000}})",
            "x.json: /provider/limits/tpm: not an Anthropic limit (\"api\": \"anthropic\" has rpm, "
            "itpm, otpm), got 1000"},
        Row{R"({"api": "anthropic", "limits": {"tier": 1}})",
            "x.json: /provider/limits/tier: not an Anthropic limit (\"api\": \"anthropic\" has rpm, "
            "itpm, otpm), got 1"},
        Row{R"({"api": "anthropic", "limits": {}})",
            "x.json: /provider/limits: needs at least one of rpm, itpm, otpm, got {}"},
        Row{R"({"api": "anthropic", "limits": {"itpm": 0}})",
            "x.json: /provider/limits/itpm: must be an integer >= 1, got 0"},
        // OpenAI's settings on an Anthropic provider
        Row{R"({"api": "anthropic", "limits": {"rpm": 5}, "send_retry_after_ms": true})",
            "x.json: /provider/send_retry_after_ms: is OpenAI's: an \"api\": \"anthropic\" provider "
            "has no such setting, got true"},
        Row{R"({"api": "anthropic", "limits": {"rpm": 5}, "embedding_dimensions": 8})",
            "x.json: /provider/embedding_dimensions: is OpenAI's: an \"api\": \"anthropic\" provider "
            "has no such setting, got 8"}));

// A run that may send to an Anthropic provider sends a Messages request: a chat with max_tokens.
TEST(ProviderApi, AnAnthropicProviderNeedsAChatRequestWithMaxTokens) {
  const char* const claude = R"({"name": "claude", "api": "anthropic", "limits": {"rpm": 5}})";
  EXPECT_EQ(scenario_testing::error_of(with_provider(claude, "{}")),
            "x.json: /request/max_tokens: required when a provider has \"api\": \"anthropic\" "
            "(provider \"claude\": the Messages API requires it, and the output-token limit counts "
            "it), got nothing");
  EXPECT_EQ(scenario_testing::error_of(
                with_provider(claude, R"({"endpoint": "embeddings", "max_tokens": 8})")),
            "x.json: /request/endpoint: must be \"chat.completions\" when a provider has \"api\": "
            "\"anthropic\" (provider \"claude\": Anthropic's Messages API stands in for it), got "
            "\"embeddings\"");
  // The same provider in a file without a workload (what `llmsim serve` reads) needs no request.
  scenario_testing::Json serve_only = scenario_testing::Json::parse(with_provider(claude, "{}"));
  serve_only.erase("workload");
  EXPECT_NO_THROW(parse_scenario(serve_only.dump(), "x.json", scenario_testing::kLimitsDir,
                                 WorkloadRule::optional));
  // An OpenAI provider beside it changes nothing; an OpenAI provider alone needs neither.
  EXPECT_EQ(scenario_testing::parse(with_provider(R"({"limits": {"rpm": 5}})", R"({"endpoint": "embeddings"})"))
                .request.endpoint,
            Endpoint::embeddings);
}

}  // namespace
}  // namespace llmsim
