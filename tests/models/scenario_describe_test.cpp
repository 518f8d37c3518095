// Tests for describe_scenario (scenario_describe.cpp): a minimal scenario in full, the burst
// warning, and the key lines of a full scenario.
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
using ::testing::HasSubstr;
using ::testing::Not;

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
            "  network: rtt 0 ms, overhead 300 bytes per request, responses as the provider's API sends them\n"
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
