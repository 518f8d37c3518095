// Tests for published rate limits (scenario_limits.cpp): looking a model and tier up in
// data/limits/openai.json, as_of, explicit numbers over published ones, broken or missing files.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const BadRow kPublishedRows[] = {
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
};

TEST(ScenarioRules, EachBadPublishedLookupGivesItsOneProblem) {
  expect_one_problem_each(kPublishedRows);
}

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

}  // namespace
}  // namespace llmsim
