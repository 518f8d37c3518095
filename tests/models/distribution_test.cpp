// Tests for the portable distributions: pinned first draws, statistics against theory, mean(),
// describe(), and one parameterised check over every family that sample means match mean().
//
// Statistical tolerances: with n draws, a sample mean has standard error sd/sqrt(n), a sample
// variance (mu4 - sd^4)/n under the square root, a sample standard deviation about sd/sqrt(2n), and
// the fraction of draws at or below a p-quantile sqrt(p(1-p)/n). Checks allow five standard errors
// (a fluke has probability ~6e-7; the seeds are fixed, so a failure means the code changed).
#include "models/distribution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

namespace llmsim {
namespace {

constexpr int kSamples = 100'000;
constexpr double kStandardErrors = 5.0;

// Returns kSamples draws of `dist` from a fixed stream named after the test.
std::vector<double> draw_many(const Distribution& dist, std::uint64_t id) {
  RandomStream rng(2024, "distribution-test", id);
  std::vector<double> draws(kSamples);
  for (double& draw : draws) {
    draw = dist.sample(rng);
  }
  return draws;
}

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) {
    sum += v;
  }
  return sum / static_cast<double>(values.size());
}

// Returns the sample variance (n - 1 denominator).
double variance_of(const std::vector<double>& values) {
  const double mean = mean_of(values);
  double sum = 0.0;
  for (double v : values) {
    sum += (v - mean) * (v - mean);
  }
  return sum / static_cast<double>(values.size() - 1);
}

// Returns the fraction of values <= x.
double fraction_at_or_below(const std::vector<double>& values, double x) {
  const auto count = std::count_if(values.begin(), values.end(), [x](double v) { return v <= x; });
  return static_cast<double>(count) / static_cast<double>(values.size());
}

// ---- Known answers: computed once from this implementation with RandomStream(7, "known-answer").
// A change here changes every scenario's draws and golden report, so it must be on purpose.

struct KnownAnswer {
  const char* name;
  Distribution dist;
  std::array<double, 3> first_draws;
};

TEST(DistributionTest, FirstDrawsOfEveryFamilyArePinned) {
  const std::vector<KnownAnswer> table = {
      // constant consumes nothing and always returns its value
      {"constant", Distribution::constant(1.5), {1.5, 1.5, 1.5}},
      // uniform: min + (max - min) * U
      {"uniform", Distribution::uniform(2, 4),
       {2.4480887959474718, 3.1230485340238321, 2.8129025052841854}},
      // exponential: inverse CDF
      {"exponential", Distribution::exponential(0.5),
       {0.74795552076363381, 0.28855014377533406, 0.45014563844243149}},
      // normal: Box-Muller
      {"normal", Distribution::normal(10, 2),
       {6.7958965086773269, 12.310362092592742, 11.515574193678587}},
      // lognormal: exp of a normal
      {"lognormal", Distribution::lognormal(0.6, 0.35),
       {0.34247941175616803, 0.89896402898614192, 0.78223494696460649}},
      // gamma, shape >= 1: Marsaglia-Tsang
      {"gamma shape 3", Distribution::gamma(3, 0.5),
       {0.40639668802707263, 1.3340916708630965, 3.5806837419604323}},
      // gamma, shape < 1: Marsaglia-Tsang with the U^(1/shape) boost
      {"gamma shape 0.5", Distribution::gamma(0.5, 2),
       {0.25250594731808629, 3.6682016589891711, 2.8994950932516166}},
      // empirical: piecewise-linear inverse CDF
      {"empirical", Distribution::empirical({{0, 1}, {0.5, 2}, {1, 10}}),
       {1.448088795947472, 2.9843882721906585, 1.8129025052841852}},
      // discrete: weights 1:3
      {"discrete", Distribution::empirical({{1, 16}, {3, 256}}, true), {16, 256, 256}},
  };
  for (const KnownAnswer& row : table) {
    RandomStream rng(7, "known-answer");
    for (double expected : row.first_draws) {
      EXPECT_DOUBLE_EQ(row.dist.sample(rng), expected) << row.name;
    }
  }
}

TEST(DistributionTest, FirstDrawsOfVariateFunctionsArePinned) {
  RandomStream normal_rng(7, "known-answer");
  EXPECT_DOUBLE_EQ(standard_normal(normal_rng), -1.6020517456613363);
  EXPECT_DOUBLE_EQ(standard_normal(normal_rng), 1.1551810462963712);
  RandomStream exponential_rng(7, "known-answer");
  EXPECT_DOUBLE_EQ(exponential_variate(exponential_rng, 2.0), 2.9918220830545352);
  EXPECT_DOUBLE_EQ(exponential_variate(exponential_rng, 2.0), 1.1542005751013362);
  RandomStream small_shape_rng(7, "known-answer");
  EXPECT_DOUBLE_EQ(standard_gamma(small_shape_rng, 0.5), 0.12625297365904314);
  EXPECT_DOUBLE_EQ(standard_gamma(small_shape_rng, 0.5), 1.8341008294945855);
  RandomStream large_shape_rng(7, "known-answer");
  EXPECT_DOUBLE_EQ(standard_gamma(large_shape_rng, 3.0), 0.81279337605414526);
  EXPECT_DOUBLE_EQ(standard_gamma(large_shape_rng, 3.0), 2.6681833417261931);
}

TEST(DistributionTest, VariatesConsumeTheDocumentedNumberOfUniforms) {
  RandomStream used(9, "consume");
  RandomStream reference(9, "consume");
  standard_normal(used);  // two uniforms
  reference.next_u64();
  reference.next_u64();
  EXPECT_EQ(used.next_u64(), reference.next_u64());
  exponential_variate(used, 1.0);  // one uniform
  reference.next_u64();
  EXPECT_EQ(used.next_u64(), reference.next_u64());
  Distribution::constant(3).sample(used);  // none
  EXPECT_EQ(used.next_u64(), reference.next_u64());
}

TEST(DistributionTest, ExponentialVariateMatchesTheInverseCdf) {
  RandomStream rng(13, "inverse");
  RandomStream copy(13, "inverse");
  EXPECT_DOUBLE_EQ(exponential_variate(rng, 3.0), -3.0 * std::log(copy.uniform_open01()));
}

// ---- Statistics against theory.

TEST(DistributionTest, LogNormalRecoversMedianAndSigma) {
  const auto draws = draw_many(Distribution::lognormal(0.6, 0.35), 1);
  std::vector<double> logs;
  for (double d : draws) {
    logs.push_back(std::log(d));
  }
  // The sample median of the logs has standard error sqrt(pi/2) * sigma / sqrt(n) = 0.0014, i.e.
  // 0.14% on the median; the standard deviation of the logs has relative standard error
  // 1/sqrt(2n) = 0.22%. 1% is therefore at least 4.5 standard errors for both.
  std::vector<double> sorted = draws;
  std::nth_element(sorted.begin(), sorted.begin() + kSamples / 2, sorted.end());
  EXPECT_NEAR(sorted[kSamples / 2], 0.6, 0.01 * 0.6);
  EXPECT_NEAR(std::sqrt(variance_of(logs)), 0.35, 0.01 * 0.35);
}

TEST(DistributionTest, ExponentialMeanMatches) {
  const auto draws = draw_many(Distribution::exponential(2.0), 2);
  // Exponential: standard deviation equals the mean.
  EXPECT_NEAR(mean_of(draws), 2.0, kStandardErrors * 2.0 / std::sqrt(kSamples));
}

TEST(DistributionTest, GammaMeanAndVarianceMatchForSmallAndLargeShape) {
  struct Row {
    double shape;
    double scale;
  };
  // shape 0.5 exercises the U^(1/shape) boost; shape 3 the plain Marsaglia-Tsang loop
  for (const Row& row : {Row{0.5, 2.0}, Row{3.0, 0.5}}) {
    const auto draws = draw_many(Distribution::gamma(row.shape, row.scale), 3);
    const double mean = row.shape * row.scale;
    const double variance = row.shape * row.scale * row.scale;
    // Gamma's excess kurtosis is 6/shape, so Var(s^2) = variance^2 * (2 + 6/shape) / n.
    const double variance_error = variance * std::sqrt((2.0 + 6.0 / row.shape) / kSamples);
    EXPECT_NEAR(mean_of(draws), mean, kStandardErrors * std::sqrt(variance / kSamples))
        << "shape " << row.shape;
    EXPECT_NEAR(variance_of(draws), variance, kStandardErrors * variance_error)
        << "shape " << row.shape;
  }
}

TEST(DistributionTest, NormalMeanAndStddevMatch) {
  const auto draws = draw_many(Distribution::normal(10.0, 2.0), 4);
  EXPECT_NEAR(mean_of(draws), 10.0, kStandardErrors * 2.0 / std::sqrt(kSamples));
  EXPECT_NEAR(std::sqrt(variance_of(draws)), 2.0, kStandardErrors * 2.0 / std::sqrt(2.0 * kSamples));
}

TEST(DistributionTest, EmpiricalQuantilesMatchItsPoints) {
  const std::vector<std::pair<double, double>> points = {
      {0.0, 1.0}, {0.25, 2.0}, {0.5, 4.0}, {0.9, 8.0}, {1.0, 20.0}};
  const auto draws = draw_many(Distribution::empirical(points), 5);
  for (const auto& [p, value] : points) {
    const double standard_error = std::sqrt(p * (1.0 - p) / kSamples);
    EXPECT_NEAR(fraction_at_or_below(draws, value), p, kStandardErrors * standard_error)
        << "quantile " << p;
  }
  // Within a segment the CDF is linear: halfway between the 0.5 and 0.9 points is the 0.7 quantile.
  EXPECT_NEAR(fraction_at_or_below(draws, 6.0), 0.7,
              kStandardErrors * std::sqrt(0.7 * 0.3 / kSamples));
}

TEST(DistributionTest, DiscreteFrequenciesMatchNormalisedWeights) {
  const auto draws = draw_many(Distribution::empirical({{1, 10}, {2, 20}, {7, 30}}, true), 6);
  const std::vector<std::pair<double, double>> expected = {{10.0, 0.1}, {20.0, 0.2}, {30.0, 0.7}};
  for (const auto& [value, p] : expected) {
    const auto hits = std::count(draws.begin(), draws.end(), value);
    EXPECT_NEAR(static_cast<double>(hits) / kSamples, p,
                kStandardErrors * std::sqrt(p * (1.0 - p) / kSamples))
        << "value " << value;
  }
}

// ---- mean() and describe().

TEST(DistributionTest, MeanIsAnalytic) {
  struct Row {
    Distribution dist;
    double mean;
  };
  const std::vector<Row> table = {
      {Distribution::constant(1.5), 1.5},                               // the value
      {Distribution::uniform(2, 4), 3.0},                               // midpoint
      {Distribution::exponential(0.5), 0.5},                            // its parameter
      {Distribution::normal(10, 2), 10.0},                              // its parameter
      {Distribution::lognormal(0.6, 0.35), 0.6 * std::exp(0.06125)},    // median * e^(sigma^2/2)
      {Distribution::gamma(3, 0.5), 1.5},                               // shape * scale
      {Distribution::empirical({{0, 1}, {0.5, 2}, {1, 10}}), 3.75},     // 0.5*1.5 + 0.5*6
      {Distribution::empirical({{1, 16}, {3, 256}}, true), 196.0},      // (16 + 3*256) / 4
      {Distribution(), 0.0},                                            // default: constant 0
  };
  for (const Row& row : table) {
    EXPECT_DOUBLE_EQ(row.dist.mean(), row.mean) << row.dist.describe();
  }
}

TEST(DistributionTest, DescribeNamesFamilyAndShortestNumbers) {
  struct Row {
    Distribution dist;
    std::string text;
  };
  const std::vector<Row> table = {
      {Distribution::lognormal(0.6, 0.35), "lognormal(median=0.6, sigma=0.35)"},
      {Distribution::constant(2), "constant(2)"},  // whole numbers without ".0"
      {Distribution::uniform(-1.5, 1e20), "uniform(min=-1.5, max=1e+20)"},
      {Distribution::exponential(0.1), "exponential(mean=0.1)"},  // shortest round trip
      {Distribution::normal(10, 2.25), "normal(mean=10, stddev=2.25)"},
      {Distribution::gamma(0.5, 3), "gamma(shape=0.5, scale=3)"},
      {Distribution::empirical({{0, 1}, {1, 4.5}}), "empirical([(0, 1), (1, 4.5)])"},
      {Distribution::empirical({{1, 16}, {3, 256}}, true), "discrete([(1, 16), (3, 256)])"},
      {Distribution::empirical({}), "empirical([])"},
  };
  for (const Row& row : table) {
    EXPECT_EQ(row.dist.describe(), row.text);
  }
}

// ---- One parameterised test over every family: the sample mean matches mean().

struct FamilyCase {
  const char* name;
  Distribution dist;
};

// Prints a case by name in test output instead of its bytes.
void PrintTo(const FamilyCase& family_case, std::ostream* out) {
  *out << family_case.dist.describe();
}

class EveryFamilyTest : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(EveryFamilyTest, SampleMeanMatchesMean) {
  const auto draws = draw_many(GetParam().dist, 7);
  // Standard error from the sample's own spread; the second term, n * 2^-52 relative, absorbs
  // summation rounding, which is all that is left for the zero-spread constant.
  const double standard_error = std::sqrt(variance_of(draws) / kSamples);
  const double rounding = kSamples * 0x1.0p-52 * std::abs(GetParam().dist.mean());
  EXPECT_NEAR(mean_of(draws), GetParam().dist.mean(), kStandardErrors * standard_error + rounding);
}

INSTANTIATE_TEST_SUITE_P(
    AllFamilies, EveryFamilyTest,
    ::testing::Values(FamilyCase{"constant", Distribution::constant(0.1)},
                      FamilyCase{"uniform", Distribution::uniform(-3, 5)},
                      FamilyCase{"exponential", Distribution::exponential(1.7)},
                      FamilyCase{"normal", Distribution::normal(-4, 0.5)},
                      FamilyCase{"lognormal", Distribution::lognormal(0.6, 0.35)},
                      FamilyCase{"lognormal_wide", Distribution::lognormal(2.0, 1.0)},
                      FamilyCase{"gamma_small_shape", Distribution::gamma(0.3, 4)},
                      FamilyCase{"gamma_large_shape", Distribution::gamma(9, 0.1)},
                      FamilyCase{"empirical", Distribution::empirical({{0, 0}, {0.8, 1}, {1, 50}})},
                      FamilyCase{"discrete",
                                 Distribution::empirical({{0.5, 1}, {0.25, 2}, {0.25, 100}}, true)}),
    [](const ::testing::TestParamInfo<FamilyCase>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace llmsim
