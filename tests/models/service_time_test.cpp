// Service-time moments: closed forms per family, token counts against the simulator's own draws,
// and a scenario's connection-holding time.
#include "models/service_time.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "models/random.hpp"
#include "models/token_model.hpp"

namespace llmsim {
namespace {

struct MomentRow {
  const char* what;
  Distribution dist;
  double mean;
  double second;
};

class ClampedMoments : public ::testing::TestWithParam<MomentRow> {};

TEST_P(ClampedMoments, MatchTheClosedForm) {
  const MomentRow& row = GetParam();
  const Moments m = clamped_moments(row.dist);
  EXPECT_NEAR(m.mean, row.mean, 1e-12 * std::max(1.0, row.mean));
  EXPECT_NEAR(m.second, row.second, 1e-12 * std::max(1.0, row.second));
}

INSTANTIATE_TEST_SUITE_P(
    Families, ClampedMoments,
    ::testing::Values(
        MomentRow{"constant", Distribution::constant(0.5), 0.5, 0.25},
        // U(0, 1): 1/2 and 1/3.
        MomentRow{"uniform", Distribution::uniform(0, 1), 0.5, 1.0 / 3},
        // Exponential: m and 2 m^2.
        MomentRow{"exponential", Distribution::exponential(2), 2, 8},
        // A standard normal clamped at 0: E = phi(0) = 1/sqrt(2 pi), E[X^2] = 1/2.
        MomentRow{"normal_clamped", Distribution::normal(0, 1), 1 / std::sqrt(2 * std::numbers::pi), 0.5},
        // A normal far above 0 is not clamped: mu and mu^2 + s^2.
        MomentRow{"normal_positive", Distribution::normal(100, 2), 100, 10004},
        // Lognormal: m e^(s^2/2), m^2 e^(2 s^2).
        MomentRow{"lognormal", Distribution::lognormal(1, 0.5), std::exp(0.125), std::exp(0.5)},
        // Gamma: k t, k (k + 1) t^2.
        MomentRow{"gamma", Distribution::gamma(2, 3), 6, 54},
        // A piecewise-linear inverse CDF from 1 to 3 is U(1, 3): 2 and 13/3.
        MomentRow{"empirical", Distribution::empirical({{0, 1}, {1, 3}}), 2, 13.0 / 3},
        // Discrete: 0 a quarter of the time, 2 otherwise.
        MomentRow{"discrete", Distribution::empirical({{1, 0}, {3, 2}}, true), 1.5, 3}),
    [](const auto& row) { return std::string(row.param.what); });

struct TokenRow {
  const char* what;
  Distribution dist;
  std::optional<std::int64_t> max_tokens;
};

class TokenMoments : public ::testing::TestWithParam<TokenRow> {};

// The sums must agree with draw_completion_tokens itself, within 5 standard errors of a
// 200,000-draw sample mean (one such test fails by chance about once in 1.7 million).
TEST_P(TokenMoments, AgreeWithTheSimulatorsDraws) {
  const TokenRow& row = GetParam();
  const Moments exact = completion_token_moments(row.dist, row.max_tokens);
  constexpr int kDraws = 200000;
  RandomStream rng(11, "token-moments-test");
  double sum = 0, sum2 = 0, sum4 = 0;
  for (int i = 0; i < kDraws; ++i) {
    const auto k = static_cast<double>(draw_completion_tokens(row.dist, rng, row.max_tokens));
    sum += k;
    sum2 += k * k;
    sum4 += k * k * k * k;
  }
  const double mean = sum / kDraws, second = sum2 / kDraws;
  const double se_mean = std::sqrt(std::max(0.0, second - mean * mean) / kDraws);
  const double se_second = std::sqrt(std::max(0.0, sum4 / kDraws - second * second) / kDraws);
  EXPECT_NEAR(exact.mean, mean, 5 * se_mean + 1e-9);
  EXPECT_NEAR(exact.second, second, 5 * se_second + 1e-9);
}

INSTANTIATE_TEST_SUITE_P(
    Families, TokenMoments,
    ::testing::Values(
        TokenRow{"lognormal", Distribution::lognormal(60, 0.6), std::nullopt},
        TokenRow{"lognormal_capped", Distribution::lognormal(60, 0.6), 80},
        TokenRow{"gamma", Distribution::gamma(2, 20), std::nullopt},
        // Mostly below 1: clamped up to 1.
        TokenRow{"exponential_small", Distribution::exponential(0.8), std::nullopt},
        TokenRow{"normal", Distribution::normal(10, 6), std::nullopt},
        TokenRow{"uniform", Distribution::uniform(3, 9), std::nullopt},
        // Flat segments are atoms: half the draws are exactly 5.
        TokenRow{"empirical_atom", Distribution::empirical({{0, 5}, {0.5, 5}, {1, 20}}), 12},
        TokenRow{"discrete", Distribution::empirical({{1, 0.2}, {1, 7.5}, {2, 40}}, true), 30}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(TokenMoments, ConstantsAreRoundedClampedAndCapped) {
  EXPECT_DOUBLE_EQ(completion_token_moments(Distribution::constant(30), std::nullopt).second, 900);
  EXPECT_DOUBLE_EQ(completion_token_moments(Distribution::constant(0.3), std::nullopt).mean, 1);
  EXPECT_DOUBLE_EQ(completion_token_moments(Distribution::constant(30), 10).mean, 10);
}

TEST(TokenMoments, WideRangesAreSummedInBins) {
  // An exponential of mean 1e9 tokens needs bins; rounding hardly matters at that size.
  const Moments m = completion_token_moments(Distribution::exponential(1e9), std::nullopt);
  EXPECT_NEAR(m.mean, 1e9, 1e-3 * 1e9);
  EXPECT_NEAR(m.second, 2e18, 1e-3 * 2e18);
}

Scenario scenario_with(const Distribution& first_token, const Distribution& per_token,
                       const Distribution& tokens, double rtt_ms) {
  Scenario s;
  ProviderConfig provider;
  provider.latency.time_to_first_token_s = first_token;
  provider.latency.per_token_s = per_token;
  provider.tokens.completion_tokens = tokens;
  s.providers.push_back(provider);
  s.client.network.rtt_ms = rtt_ms;
  return s;
}

TEST(ServiceTime, ExponentialFirstTokenAloneIsExponential) {
  const Scenario s = scenario_with(Distribution::exponential(1.0), Distribution::constant(0),
                                   Distribution::constant(16), 0);
  const Moments m = service_time_moments(s);
  EXPECT_DOUBLE_EQ(m.mean, 1.0);
  EXPECT_NEAR(m.scv(), 1.0, 1e-12);
  EXPECT_TRUE(is_exponential_service(s));
}

TEST(ServiceTime, RoundTripAndTokensAddUp) {
  // S = 0.1 + T + 0.01 x 30, T ~ Exp(1): mean 1.4, variance 1 (the constants add none).
  const Scenario s = scenario_with(Distribution::exponential(1.0), Distribution::constant(0.01),
                                   Distribution::constant(31), 100);
  const Moments m = service_time_moments(s);
  EXPECT_NEAR(m.mean, 1.4, 1e-12);
  EXPECT_NEAR(m.variance(), 1.0, 1e-12);
  EXPECT_FALSE(is_exponential_service(s));
}

TEST(ServiceTime, PerTokenTimeAndTokenCountMultiply) {
  // T = 0.5 s constant, P ~ U(0, 0.02), K - 1 ~ {9, 19} equally: E[P (K-1)] = 0.01 x 14 = 0.14;
  // E[(P (K-1))^2] = E[P^2] E[(K-1)^2] = (0.0004 / 3) x (81 + 361) / 2.
  const Scenario s = scenario_with(Distribution::constant(0.5), Distribution::uniform(0, 0.02),
                                   Distribution::empirical({{1, 10}, {1, 20}}, true), 0);
  const Moments m = service_time_moments(s);
  const double tail_second = 0.0004 / 3 * 221;
  EXPECT_NEAR(m.mean, 0.64, 1e-12);
  EXPECT_NEAR(m.second, 0.25 + 2 * 0.5 * 0.14 + tail_second, 1e-12);
}

}  // namespace
}  // namespace llmsim
