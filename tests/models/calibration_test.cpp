// Calibration: parameters drawn with the project's own distributions are recovered within
// tolerances derived from the sample size, the intervals cover the truth about 95% of the time,
// the KS distance tells a right model from a wrong one, and the output loads as a provider.
#include "models/calibration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "models/distribution.hpp"
#include "models/random.hpp"
#include "models/scenario.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;

// The truth the synthetic traces are drawn from.
constexpr double kTtftMedian = 0.6, kTtftSigma = 0.35;
constexpr double kPerTokenMedian = 0.015, kPerTokenSigma = 0.25;
constexpr double kRefusedMedian = 0.08, kRefusedSigma = 0.2;
constexpr double kTokenShape = 3, kTokenScale = 20;
constexpr double kServerError = 0.04, kTimeout = 0.02;
// Estimates must lie within this many standard errors of the truth: the chance that a correct
// fit misses is below 1e-4 per parameter, while a wrong decomposition misses by far more.
constexpr double kStandardErrors = 4.0;

struct SyntheticTrace {
  std::vector<TraceRow> rows;
  std::size_t successes = 0;
  std::size_t refusals = 0;
};

// Draws `admitted` admitted attempts and `refused` 429s, one per second, streamed (first byte =
// TTFT) or not (first byte just before the end).
SyntheticTrace synthetic_trace(std::uint64_t seed, std::size_t admitted, std::size_t refused, bool streamed) {
  const Distribution ttft = Distribution::lognormal(kTtftMedian, kTtftSigma);
  const Distribution per_token = Distribution::lognormal(kPerTokenMedian, kPerTokenSigma);
  const Distribution refusal = Distribution::lognormal(kRefusedMedian, kRefusedSigma);
  const Distribution tokens = Distribution::gamma(kTokenShape, kTokenScale);
  SyntheticTrace trace;
  for (std::size_t i = 0; i < admitted + refused; ++i) {
    RandomStream rng(seed, "synthetic", i);
    TraceRow row;
    row.request_id = i;
    row.sent_s = row.intended_s = static_cast<double>(i);
    row.prompt_tokens = 20;
    if (i >= admitted) {
      row.status = 429;
      row.error = "rate_limit_requests";
      row.error_type = "requests";
      row.error_code = "rate_limit_exceeded";
      row.end_s = row.sent_s + refusal.sample(rng);
      row.first_byte_s = row.end_s;
      ++trace.refusals;
    } else if (const double u = rng.uniform01(); u < kServerError) {
      row.status = 500;
      row.error = "server_5xx";
      row.end_s = row.sent_s + refusal.sample(rng);
      row.first_byte_s = row.end_s;
    } else if (u < kServerError + kTimeout) {
      row.error = "timeout";
      row.end_s = row.sent_s + 30;
    } else {
      row.status = 200;
      row.completion_tokens = std::max<std::int64_t>(1, std::llround(tokens.sample(rng)));
      const double first = ttft.sample(rng);
      row.end_s = row.sent_s + first + per_token.sample(rng) * static_cast<double>(row.completion_tokens - 1);
      // A plain reply's body trails its headers by a little (50 us here), which is not streaming.
      row.first_byte_s = streamed ? row.sent_s + first : row.end_s - 50e-6;
      ++trace.successes;
    }
    trace.rows.push_back(row);
  }
  return trace;
}

// Checks a lognormal fit against the truth within kStandardErrors of its Fisher information.
void expect_lognormal(const std::optional<LogNormalFit>& fit, double median, double sigma, const char* what) {
  ASSERT_TRUE(fit) << what;
  const double n = static_cast<double>(fit->samples);
  EXPECT_NEAR(std::log(fit->median.value), std::log(median), kStandardErrors * sigma / std::sqrt(n)) << what;
  EXPECT_NEAR(fit->sigma.value, sigma, kStandardErrors * sigma / std::sqrt(2 * n)) << what;
  EXPECT_LT(fit->median.low, fit->median.value) << what;
  EXPECT_GT(fit->median.high, fit->median.value) << what;
}

void expect_rate(const Estimate& rate, double truth, std::size_t n, const char* what) {
  EXPECT_NEAR(rate.value, truth, kStandardErrors * std::sqrt(truth * (1 - truth) / static_cast<double>(n))) << what;
  EXPECT_LE(rate.low, rate.value) << what;
  EXPECT_GE(rate.high, rate.value) << what;
}

TEST(Calibration, RecoversAStreamedTraceWithinItsStandardErrors) {
  const SyntheticTrace trace = synthetic_trace(11, 3000, 400, /*streamed=*/true);
  const CalibrationResult fit = calibrate(trace.rows);
  EXPECT_EQ(fit.attempts, 3400U);
  EXPECT_EQ(fit.refused, 400U);
  EXPECT_EQ(fit.admitted, 3000U);
  EXPECT_EQ(fit.succeeded, trace.successes);
  EXPECT_TRUE(fit.is_streamed);
  expect_lognormal(fit.time_to_first_token_s, kTtftMedian, kTtftSigma, "ttft");
  expect_lognormal(fit.per_token_s, kPerTokenMedian, kPerTokenSigma, "per_token");
  // 500s share refused_s with the 429s.
  expect_lognormal(fit.refused_s, kRefusedMedian, kRefusedSigma, "refused");
  expect_rate(fit.server_error, kServerError, fit.admitted, "server_error");
  expect_rate(fit.timeout, kTimeout, fit.admitted, "timeout");
  EXPECT_EQ(fit.overloaded.value, 0.0);
  EXPECT_EQ(fit.overloaded.low, 0.0);
  EXPECT_GT(fit.overloaded.high, 0.0);  // Wilson: none seen is not "never"
  ASSERT_TRUE(fit.completion_tokens);
  // Rounding to whole tokens moves the gamma a little; 4 standard errors of the shape still hold.
  const GammaFit& tokens = *fit.completion_tokens;
  EXPECT_NEAR(tokens.shape.value, kTokenShape, kStandardErrors * (tokens.shape.high - tokens.shape.value) / 1.96);
  EXPECT_NEAR(tokens.shape.value * tokens.scale.value, kTokenShape * kTokenScale, 2.0);
  // Least squares: the intercept is the mean TTFT, the slope the mean per-token time.
  const double mean_ttft = kTtftMedian * std::exp(kTtftSigma * kTtftSigma / 2);
  const double mean_per_token = kPerTokenMedian * std::exp(kPerTokenSigma * kPerTokenSigma / 2);
  EXPECT_NEAR(fit.intercept_s.value, mean_ttft, kStandardErrors * (fit.intercept_s.high - fit.intercept_s.value) / 1.96);
  EXPECT_NEAR(fit.slope_s.value, mean_per_token, kStandardErrors * (fit.slope_s.high - fit.slope_s.value) / 1.96);
  // Right model: below the KS critical value at the 0.1% level (c = 1.949 vs 1.358 at 5%).
  EXPECT_LT(fit.ks_distance, fit.ks_critical * 1.949 / 1.358);
}

TEST(Calibration, WithoutFirstBytesTtftComesFromTheRegression) {
  const CalibrationResult fit = calibrate(synthetic_trace(12, 3000, 0, /*streamed=*/false).rows);
  EXPECT_FALSE(fit.is_streamed);
  EXPECT_FALSE(fit.per_token_s);
  ASSERT_TRUE(fit.per_token_constant_s);
  const double mean_per_token = kPerTokenMedian * std::exp(kPerTokenSigma * kPerTokenSigma / 2);
  EXPECT_NEAR(fit.per_token_constant_s->value, mean_per_token,
              kStandardErrors * (fit.slope_s.high - fit.slope_s.value) / 1.96);
  // The residual intercepts carry the per-token noise too, so the median is looser: 10%.
  ASSERT_TRUE(fit.time_to_first_token_s);
  EXPECT_NEAR(fit.time_to_first_token_s->median.value, kTtftMedian, 0.1 * kTtftMedian);
}

TEST(Calibration, IntervalsCoverTheTruthAboutNinetyFivePercentOfTheTime) {
  // 200 independent traces: the count of intervals that cover the truth is Binomial(200, 0.95),
  // mean 190, sd 3.1; [180, 198] is +-3 sd.
  int ttft_covered = 0, sigma_covered = 0, error_covered = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const CalibrationResult fit = calibrate(synthetic_trace(1000 + seed, 300, 0, true).rows);
    const auto& ttft = *fit.time_to_first_token_s;
    ttft_covered += ttft.median.low <= kTtftMedian && kTtftMedian <= ttft.median.high;
    sigma_covered += ttft.sigma.low <= kTtftSigma && kTtftSigma <= ttft.sigma.high;
    error_covered += fit.server_error.low <= kServerError && kServerError <= fit.server_error.high;
  }
  EXPECT_GE(ttft_covered, 180);
  EXPECT_LE(ttft_covered, 198);
  EXPECT_GE(sigma_covered, 180);
  EXPECT_LE(sigma_covered, 198);
  EXPECT_GE(error_covered, 180);
  EXPECT_LE(error_covered, 200);  // Wilson is a little conservative at small counts
}

TEST(Calibration, KsDistanceRejectsAWrongModel) {
  // Half the successes ten times slower than the rest: no single lognormal fits that.
  SyntheticTrace trace = synthetic_trace(13, 2000, 0, true);
  for (std::size_t i = 0; i < trace.rows.size(); i += 2) {
    TraceRow& row = trace.rows[i];
    if (row.status != 200) continue;
    const double first = *row.first_byte_s - row.sent_s;
    row.first_byte_s = row.sent_s + 10 * first;
    row.end_s += 9 * first;
  }
  const CalibrationResult fit = calibrate(trace.rows);
  EXPECT_GT(fit.ks_distance, 3 * fit.ks_critical);
  EXPECT_THAT(calibration_text(fit), HasSubstr("rejected"));
}

TEST(Calibration, LimitsComeFromHeadersElseFromTheSustainedRate) {
  SyntheticTrace trace = synthetic_trace(14, 300, 0, true);
  // One admitted attempt a second, no 429: a lower bound of 60 per minute.
  CalibrationResult fit = calibrate(trace.rows);
  ASSERT_TRUE(fit.rpm);
  EXPECT_EQ(fit.rpm->per_minute.value, 60.0);
  EXPECT_THAT(fit.rpm->source, HasSubstr("lower bound"));
  EXPECT_FALSE(fit.tpm);
  // 429s at 10 s and 130 s around 121 admitted: 60.5 per minute.
  trace.rows[10].status = trace.rows[130].status = 429;
  trace.rows[10].error_type = trace.rows[130].error_type = "requests";
  fit = calibrate(trace.rows);
  EXPECT_NEAR(fit.rpm->per_minute.value, 119.0 * 60 / 120, 1e-9);  // 11..129 admitted
  EXPECT_NEAR(fit.rpm->per_minute.high - fit.rpm->per_minute.value, 0.5, 1e-9);
  // Headers win.
  trace.rows[0].limit_requests = 500;
  trace.rows[1].limit_requests = 500;
  trace.rows[2].limit_tokens = 40000;
  fit = calibrate(trace.rows);
  EXPECT_EQ(fit.rpm->per_minute.value, 500.0);
  EXPECT_EQ(fit.rpm->source, "x-ratelimit-limit-requests");
  EXPECT_EQ(fit.tpm->per_minute.value, 40000.0);
}

TEST(Calibration, ProviderJsonLoadsAsAScenarioProvider) {
  const CalibrationResult fit = calibrate(synthetic_trace(15, 500, 50, true).rows);
  const std::string provider = provider_json(fit);
  // faults.timeout > 0 needs a client timeout.
  const Scenario scenario = parse_scenario(
      R"({"name": "fitted", "provider": )" + provider +
          R"(, "client": {"timeout_s": 60}, "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})",
      "fitted.json");
  const ProviderConfig& p = scenario.providers.front();
  const auto* ttft = std::get_if<Distribution::LogNormal>(&p.latency.time_to_first_token_s.family());
  ASSERT_NE(ttft, nullptr);
  EXPECT_DOUBLE_EQ(ttft->median, fit.time_to_first_token_s->median.value);
  EXPECT_DOUBLE_EQ(p.faults.server_error, fit.server_error.value);
  // 500 admitted at one a second, then 50 refusals with nothing admitted between them: the
  // refusals give no rate, so the busiest minute does.
  EXPECT_EQ(fit.rpm->per_minute.value, 60.0);
  EXPECT_EQ(p.limits.rpm, 60);
  EXPECT_NE(std::get_if<Distribution::Gamma>(&p.tokens.completion_tokens.family()), nullptr);
}

// The synthetic trace as recorded against Anthropic: its api column and headers.
std::vector<TraceRow> anthropic_rows(std::uint64_t seed, std::size_t admitted, std::size_t refused) {
  std::vector<TraceRow> rows = synthetic_trace(seed, admitted, refused, true).rows;
  for (TraceRow& row : rows) {
    row.api = "anthropic";
    if (row.status == 429) {
      row.error = "rate_limit_tokens";
      row.error_type = "rate_limit_error";
      row.error_code = "";
    }
  }
  return rows;
}

TEST(Calibration, AnthropicLimitsComeFromItsHeaders) {
  std::vector<TraceRow> rows = anthropic_rows(17, 300, 0);
  rows[0].limit_requests = rows[1].limit_requests = 50;
  rows[0].limit_input_tokens = rows[1].limit_input_tokens = 30000;
  rows[0].limit_output_tokens = rows[1].limit_output_tokens = 8000;
  rows[0].limit_tokens = 38000;  // the combined tokens-* header is no limit of its own
  const CalibrationResult fit = calibrate(rows);
  EXPECT_EQ(fit.api, "anthropic");
  ASSERT_TRUE(fit.rpm && fit.itpm && fit.otpm);
  EXPECT_FALSE(fit.tpm);
  EXPECT_EQ(fit.rpm->per_minute.value, 50.0);
  EXPECT_EQ(fit.rpm->source, "anthropic-ratelimit-requests-limit");
  EXPECT_EQ(fit.itpm->per_minute.value, 30000.0);
  EXPECT_EQ(fit.itpm->source, "anthropic-ratelimit-input-tokens-limit");
  EXPECT_EQ(fit.otpm->per_minute.value, 8000.0);
  EXPECT_EQ(fit.otpm->source, "anthropic-ratelimit-output-tokens-limit");
  EXPECT_THAT(calibration_text(fit), HasSubstr("itpm"));
  // The section says its API and has only Anthropic's limits; the loader takes it back.
  const std::string provider = provider_json(fit);
  EXPECT_THAT(provider, HasSubstr(R"("api": "anthropic")"));
  EXPECT_THAT(provider, ::testing::Not(HasSubstr("\"tpm\"")));
  const Scenario scenario = parse_scenario(
      R"({"name": "fitted", "provider": )" + provider +
          R"(, "client": {"timeout_s": 60}, "request": {"max_tokens": 64}, "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})",
      "fitted.json");
  const ProviderConfig& p = scenario.providers.front();
  EXPECT_EQ(p.api, ProviderApi::anthropic);
  EXPECT_EQ(p.limits.rpm, 50);
  EXPECT_EQ(p.limits.itpm, 30000);
  EXPECT_EQ(p.limits.otpm, 8000);
}

TEST(Calibration, AnthropicTokenLimitsElseComeFromTokens429s) {
  std::vector<TraceRow> rows = anthropic_rows(18, 300, 0);
  // Token 429s at 10 s and 130 s around 119 admitted of 20 prompt tokens each.
  for (std::size_t i : {10, 130}) {
    rows[i].status = 429;
    rows[i].error = "rate_limit_tokens";
    rows[i].error_type = "rate_limit_error";
  }
  const CalibrationResult fit = calibrate(rows);
  ASSERT_TRUE(fit.itpm);
  EXPECT_NEAR(fit.itpm->per_minute.value, 119.0 * 20 * 60 / 120, 1e-9);
  EXPECT_THAT(fit.itpm->source, HasSubstr("tokens 429"));
  ASSERT_TRUE(fit.otpm);
  // With the code the reading gives them, the 429s count for the limit they name only.
  for (std::size_t i : {10, 130}) rows[i].error_code = "input_tokens";
  const CalibrationResult coded = calibrate(rows);
  ASSERT_TRUE(coded.itpm);
  EXPECT_NEAR(coded.itpm->per_minute.value, 119.0 * 20 * 60 / 120, 1e-9);
  EXPECT_THAT(coded.itpm->source, HasSubstr("input-tokens 429"));
  EXPECT_FALSE(coded.otpm);  // no header and none of its 429s: nothing to fit it from
  // Requests 429s are none: the busiest minute bounds rpm.
  EXPECT_THAT(fit.rpm->source, HasSubstr("lower bound"));
}

TEST(Calibration, AnthropicOverloadedAndBillingErrors) {
  std::vector<TraceRow> rows = anthropic_rows(19, 200, 0);
  rows[3].status = 529;
  rows[3].error = "server_5xx";
  rows[3].error_type = "overloaded_error";
  rows[4].status = 402;
  rows[4].error = "quota";
  rows[4].error_type = "billing_error";
  const CalibrationResult fit = calibrate(rows);
  EXPECT_DOUBLE_EQ(fit.overloaded.value, 1.0 / static_cast<double>(fit.admitted));
  EXPECT_DOUBLE_EQ(fit.quota_exhausted.value, 1.0 / static_cast<double>(fit.admitted));
}

TEST(Calibration, ATraceOfBothApisIsRefused) {
  std::vector<TraceRow> rows = synthetic_trace(20, 100, 0, true).rows;
  rows[50].api = "anthropic";
  try {
    calibrate(rows);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("both APIs"));
  }
  rows[50].api = "gemini";
  EXPECT_THROW(calibrate(rows), std::invalid_argument);
}

TEST(Calibration, TooFewSuccessesIsAnError) {
  std::vector<TraceRow> rows = synthetic_trace(16, 0, 5, true).rows;
  EXPECT_THROW(calibrate(rows), std::invalid_argument);
}

}  // namespace
}  // namespace llmsim
