// The trace recorder: the simulator's rows say what the provider decided, in the same columns a
// real run fills; and a simulated trace of known parameters is recovered by calibrate().
#include "simulator/trace_recorder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "models/calibration.hpp"
#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {
namespace {

TEST(TraceRecorder, ReadsHeadersAndErrorBodyOfAResponse) {
  const std::map<std::string, std::string, std::less<>> headers = {
      {"x-ratelimit-limit-requests", "500"}, {"x-ratelimit-remaining-requests", "0"},
      {"x-ratelimit-reset-requests", "120ms"}, {"x-ratelimit-limit-tokens", "bad"}};
  const auto lookup = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  };
  const ResponseFacts facts = facts_of_reading(
      TimePoint{} + from_seconds(2),
      wire::read_response(429, wire::read_headers(lookup),
                          R"({"error": {"message": "m", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})"));
  EXPECT_EQ(facts.first_byte, TimePoint{} + from_seconds(2));
  EXPECT_EQ(facts.headers.limit_requests, 500);
  EXPECT_EQ(facts.headers.remaining_requests, 0);
  EXPECT_EQ(facts.headers.reset_requests, from_millis(120));
  EXPECT_FALSE(facts.headers.limit_tokens);  // not a number: left out
  EXPECT_EQ(facts.error_type, "requests");
  EXPECT_EQ(facts.error_code, "rate_limit_exceeded");
  // A 2xx body is not read for errors.
  EXPECT_EQ(facts_of_reading(TimePoint{}, wire::read_response(200, wire::read_headers(lookup),
                                                               R"({"error": {"type": "x"}})"))
                .error_type,
            "");
}

std::vector<TraceRow> simulated_trace(const std::string& scenario_json) {
  const Scenario scenario = parse_scenario(scenario_json, "test.json");
  std::ostringstream out;
  TraceRecorder recorder(out);
  simulate(scenario, &recorder);
  return parse_trace(out.str(), "trace.csv");
}

TEST(TraceRecorder, SimulatedRowsFollowTheDecisions) {
  // Constant latencies: 100 ms round trip, TTFT 0.5 s, 10 ms a token after the first, 11 tokens;
  // 2 RPM so the third of three users is refused and retried when retry-after says.
  const auto rows = simulated_trace(R"({"name": "t", "provider": {"limits": {"rpm": 2},
      "latency": {"time_to_first_token_s": 0.5, "per_token_s": 0.01, "refused_s": 0.08},
      "tokens": {"completion": 11}},
    "client": {"retry": {"max_retries": 1}, "network": {"rtt_ms": 100}},
    "workload": {"phases": [{"name": "three", "users": 3, "requests_per_user": 1}]}})");
  ASSERT_EQ(rows.size(), 4U);
  int ok = 0;
  const TraceRow* refused = nullptr;
  const TraceRow* retry = nullptr;
  for (const TraceRow& row : rows) {
    EXPECT_EQ(row.phase, "three");
    EXPECT_EQ(row.limit_requests, 2);
    if (row.status == 200) {
      ++ok;
      EXPECT_EQ(row.error, "");
      EXPECT_EQ(row.completion_tokens, 11);
      EXPECT_NEAR(*row.first_byte_s - row.sent_s, 0.6, 1e-9);  // half RTT + TTFT + half RTT
      EXPECT_NEAR(row.end_s - row.sent_s, 0.7, 1e-9);           // + 10 tokens x 10 ms
      EXPECT_FALSE(row.retry_after_s);
      if (row.attempt == 1) retry = &row;
    } else {
      refused = &row;
    }
  }
  EXPECT_EQ(ok, 3);
  ASSERT_NE(refused, nullptr);
  ASSERT_NE(retry, nullptr);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->error, "rate_limit_requests");
  EXPECT_EQ(refused->error_type, "requests");
  EXPECT_EQ(refused->error_code, "rate_limit_exceeded");
  EXPECT_EQ(refused->remaining_requests, 0);
  EXPECT_NEAR(refused->end_s - refused->sent_s, 0.18, 1e-9);
  EXPECT_NEAR(*refused->first_byte_s, refused->end_s, 1e-9);
  ASSERT_TRUE(refused->retry_after_s);
  // The retry was meant to go when retry-after said, and went then (no pool wait).
  EXPECT_EQ(retry->request_id, refused->request_id);
  EXPECT_NEAR(retry->intended_s, refused->end_s + *refused->retry_after_s, 1e-9);
  EXPECT_NEAR(retry->sent_s, retry->intended_s, 1e-9);
}

TEST(TraceRecorder, AnthropicRowsCarryTheApiAndTheInputOutputHeaders) {
  // 2 RPM, so the third of three users is refused with Anthropic's 429.
  const auto rows = simulated_trace(R"({"name": "t", "provider": {"name": "claude", "api": "anthropic",
      "models": ["claude-sonnet-4-5"], "limits": {"rpm": 2, "itpm": 30000, "otpm": 8000},
      "latency": {"time_to_first_token_s": 0.5, "per_token_s": 0.01, "refused_s": 0.08},
      "tokens": {"completion": 11}},
    "request": {"max_tokens": 64},
    "workload": {"phases": [{"name": "three", "users": 3, "requests_per_user": 1}]}})");
  ASSERT_EQ(rows.size(), 3U);
  int refused = 0;
  for (const TraceRow& row : rows) {
    EXPECT_EQ(row.api, "anthropic");
    EXPECT_EQ(row.provider, "claude");
    EXPECT_EQ(row.limit_requests, 2);
    EXPECT_EQ(row.limit_input_tokens, 30000);
    EXPECT_EQ(row.limit_output_tokens, 8000);
    EXPECT_TRUE(row.remaining_input_tokens);
    EXPECT_TRUE(row.reset_output_tokens_s);
    if (row.status == 429) {
      ++refused;
      EXPECT_EQ(row.error, "rate_limit_requests");
      EXPECT_EQ(row.error_type, "rate_limit_error");
      EXPECT_EQ(row.error_code, "requests");  // the limit its message names
    }
  }
  EXPECT_EQ(refused, 1);
}

TEST(TraceRecorder, TimeoutsAreRowsWithoutAResponse) {
  const auto rows = simulated_trace(R"({"name": "t", "provider": {"limits": {"rpm": 60},
      "faults": {"timeout": 1}},
    "client": {"timeout_s": 2},
    "workload": {"phases": [{"name": "hang", "users": 2, "requests_per_user": 1}]}})");
  ASSERT_EQ(rows.size(), 2U);
  for (const TraceRow& row : rows) {
    EXPECT_EQ(row.error, "timeout");
    EXPECT_EQ(row.status, 0);
    EXPECT_FALSE(row.first_byte_s);
    EXPECT_NEAR(row.end_s - row.sent_s, 2.0, 1e-9);
  }
}

// Known parameters of the simulated provider.
constexpr double kTtftMedian = 0.6, kTtftSigma = 0.35;
constexpr double kPerTokenMedian = 0.015, kPerTokenSigma = 0.25;
constexpr double kRefusedMedian = 0.08, kRefusedSigma = 0.2;
constexpr double kServerError = 0.03, kOverloaded = 0.02, kTimeout = 0.01, kDrop = 0.02;
constexpr double kRpm = 600;
// Within 4 standard errors: a correct fit misses with probability below 1e-4 per parameter.
constexpr double kStandardErrors = 4.0;

const std::string kTruth = R"({"name": "truth", "seed": 5,
  "provider": {"limits": {"rpm": 600},
    "latency": {"time_to_first_token_s": {"dist": "lognormal", "median": 0.6, "sigma": 0.35},
                "per_token_s": {"dist": "lognormal", "median": 0.015, "sigma": 0.25},
                "refused_s": {"dist": "lognormal", "median": 0.08, "sigma": 0.2}},
    "tokens": {"completion": {"dist": "gamma", "shape": 3, "scale": 20}},
    "faults": {"server_error": 0.03, "overloaded": 0.02, "timeout": 0.01, "drop_mid_stream": 0.02}},
  "client": {"connections": 2000, "timeout_s": 30},
  "request": {"prompt_tokens": 50, "stream": true},
  "workload": {"phases": [{"name": "poisson", "users": 5400, "start": "poisson", "rate_per_s": 15,
                           "requests_per_user": 1}]}})";

void expect_lognormal(const std::optional<LogNormalFit>& fit, double median, double sigma, const char* what) {
  ASSERT_TRUE(fit) << what;
  const double n = static_cast<double>(fit->samples);
  EXPECT_NEAR(std::log(fit->median.value), std::log(median), kStandardErrors * sigma / std::sqrt(n)) << what;
  EXPECT_NEAR(fit->sigma.value, sigma, kStandardErrors * sigma / std::sqrt(2 * n)) << what;
}

void expect_rate(const Estimate& rate, double truth, std::size_t n, const char* what) {
  EXPECT_NEAR(rate.value, truth, kStandardErrors * std::sqrt(truth * (1 - truth) / static_cast<double>(n))) << what;
}

TEST(TraceRecorder, CalibrateRecoversTheSimulatedProvider) {
  std::vector<TraceRow> rows = simulated_trace(kTruth);
  // 5,400 arrivals at 900 a minute against 600 RPM: about a third refused.
  ASSERT_EQ(rows.size(), 5400U);
  const CalibrationResult fit = calibrate(rows);
  EXPECT_GT(fit.refused, 1000U);
  EXPECT_TRUE(fit.is_streamed);
  expect_lognormal(fit.time_to_first_token_s, kTtftMedian, kTtftSigma, "ttft");
  expect_lognormal(fit.per_token_s, kPerTokenMedian, kPerTokenSigma, "per_token");
  expect_lognormal(fit.refused_s, kRefusedMedian, kRefusedSigma, "refused");
  expect_rate(fit.server_error, kServerError, fit.admitted, "server_error");
  expect_rate(fit.overloaded, kOverloaded, fit.admitted, "overloaded");
  expect_rate(fit.timeout, kTimeout, fit.admitted, "timeout");
  expect_rate(fit.drop_mid_stream, kDrop, fit.admitted, "drop_mid_stream");
  EXPECT_EQ(fit.quota_exhausted.value, 0.0);
  ASSERT_TRUE(fit.completion_tokens);
  const GammaFit& tokens = *fit.completion_tokens;
  EXPECT_NEAR(tokens.shape.value, 3.0, kStandardErrors * (tokens.shape.high - tokens.shape.value) / 1.96);
  ASSERT_TRUE(fit.rpm);
  EXPECT_EQ(fit.rpm->per_minute.value, kRpm);  // x-ratelimit-limit-requests
  // The simulator draws from the fitted family: the KS test does not reject it at 0.1%.
  EXPECT_LT(fit.ks_distance, fit.ks_critical * 1.949 / 1.358);

  // Without the headers, the rate between the first and last 429: the bucket is empty at both
  // ends up to the refill during the longest gap between arrivals (under 1 s at 15/s: < 10
  // requests of ~2,400), so within 1%.
  for (TraceRow& row : rows) row.limit_requests.reset();
  const CalibrationResult without = calibrate(rows);
  ASSERT_TRUE(without.rpm);
  EXPECT_THAT(without.rpm->source, ::testing::HasSubstr("between the first and last 429"));
  EXPECT_NEAR(without.rpm->per_minute.value, kRpm, 0.01 * kRpm);
}

TEST(TraceRecorder, SameSeedSameTrace) {
  const Scenario scenario = parse_scenario(kTruth, "truth.json");
  std::ostringstream a, b;
  TraceRecorder first(a), second(b);
  simulate(scenario, &first);
  simulate(scenario, &second);
  EXPECT_EQ(a.str(), b.str());
}

}  // namespace
}  // namespace llmsim
