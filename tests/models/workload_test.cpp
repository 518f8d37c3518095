#include "models/workload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/distribution.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"

namespace llmsim {
namespace {

using ::testing::ElementsAreArray;

constexpr std::uint64_t kSeed = 7;

// Returns every offset the plan yields, checking that it stays exhausted afterwards.
std::vector<Duration> all_offsets(const Phase& phase, std::uint64_t seed, std::uint64_t index) {
  ArrivalPlan plan(phase, seed, index);
  std::vector<Duration> offsets;
  while (auto offset = plan.next()) offsets.push_back(*offset);
  EXPECT_EQ(plan.yielded(), phase.users);
  EXPECT_EQ(plan.next(), std::nullopt);
  EXPECT_EQ(plan.yielded(), phase.users);
  return offsets;
}

// Returns the gaps between consecutive offsets, the first measured from the phase start, in s.
std::vector<double> gaps_s(const std::vector<Duration>& offsets) {
  std::vector<double> gaps;
  Duration previous{0};
  for (Duration offset : offsets) {
    gaps.push_back(to_seconds(offset - previous));
    previous = offset;
  }
  return gaps;
}

Phase open_phase(int users, StartMode start, double ramp_s, double rate_per_s) {
  return Phase{.name = "p", .users = users, .start = start, .ramp_s = ramp_s,
               .rate_per_s = rate_per_s};
}

// --- Deterministic start modes ------------------------------------------------------------------

struct PlanRow {
  const char* what;
  Phase phase;
  std::vector<std::int64_t> offsets_ns;
};

class ArrivalPlanTest : public ::testing::TestWithParam<PlanRow> {};

TEST_P(ArrivalPlanTest, YieldsTheOffsets) {
  const PlanRow& row = GetParam();
  std::vector<Duration> expected;
  for (std::int64_t ns : row.offsets_ns) expected.push_back(Duration{ns});
  EXPECT_THAT(all_offsets(row.phase, kSeed, 0), ElementsAreArray(expected));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ArrivalPlanTest,
    ::testing::Values(
        // All at once: every user at the phase start.
        PlanRow{"all_at_once", open_phase(4, StartMode::all_at_once, 0, 0), {0, 0, 0, 0}},
        // No users: nothing.
        PlanRow{"no_users", open_phase(0, StartMode::all_at_once, 0, 0), {}},
        // Ramp: i * ramp / users, the last one a step before the ramp's end.
        PlanRow{"ramp", open_phase(4, StartMode::ramp, 10, 0),
                {0, 2'500'000'000, 5'000'000'000, 7'500'000'000}},
        // Ramp steps of 1/3 s round to the nearest nanosecond.
        PlanRow{"ramp_thirds", open_phase(3, StartMode::ramp, 1, 0), {0, 333'333'333, 666'666'667}},
        // A zero ramp is all at once.
        PlanRow{"ramp_zero", open_phase(3, StartMode::ramp, 0, 0), {0, 0, 0}},
        // Constant rate: i / rate.
        PlanRow{"constant_rate", open_phase(5, StartMode::constant_rate, 0, 2),
                {0, 500'000'000, 1'000'000'000, 1'500'000'000, 2'000'000'000}},
        PlanRow{"constant_rate_thirds", open_phase(4, StartMode::constant_rate, 0, 3),
                {0, 333'333'333, 666'666'667, 1'000'000'000}}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(IsOpenLoop, OnlyRateModes) {
  EXPECT_FALSE(is_open_loop(open_phase(1, StartMode::all_at_once, 0, 0)));
  EXPECT_FALSE(is_open_loop(open_phase(1, StartMode::ramp, 1, 0)));
  EXPECT_TRUE(is_open_loop(open_phase(1, StartMode::poisson, 0, 1)));
  EXPECT_TRUE(is_open_loop(open_phase(1, StartMode::constant_rate, 0, 1)));
}

// --- Poisson arrivals ---------------------------------------------------------------------------

constexpr int kArrivals = 20000;
constexpr double kRate = 4.0;  // per second: mean gap 0.25 s

TEST(PoissonPlan, MeanGapIsOneOverRate) {
  const std::vector<Duration> offsets =
      all_offsets(open_phase(kArrivals, StartMode::poisson, 0, kRate), kSeed, 0);
  ASSERT_EQ(offsets.size(), static_cast<std::size_t>(kArrivals));
  // The gaps are exponential: sd = mean, so the sample mean is within 4 * mean / sqrt(n).
  const double mean_gap = to_seconds(offsets.back()) / kArrivals;
  EXPECT_NEAR(mean_gap, 1.0 / kRate, 4.0 * (1.0 / kRate) / std::sqrt(kArrivals));
  // Exponential shape: P(gap > mean) = 1/e, within 4 binomial standard deviations.
  int above_mean = 0;
  for (double gap : gaps_s(offsets)) above_mean += gap > 1.0 / kRate ? 1 : 0;
  const double p = std::exp(-1.0);
  EXPECT_NEAR(above_mean, kArrivals * p, 4.0 * std::sqrt(kArrivals * p * (1.0 - p)));
}

TEST(PoissonPlan, OffsetsAreNonDecreasingAndStartAfterZero) {
  const std::vector<Duration> offsets =
      all_offsets(open_phase(kArrivals, StartMode::poisson, 0, kRate), kSeed, 0);
  ASSERT_FALSE(offsets.empty());
  // The first arrival is one exponential gap after the phase start.
  EXPECT_GT(offsets.front(), Duration{0});
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    ASSERT_GE(offsets[i], offsets[i - 1]) << i;
  }
}

TEST(PoissonPlan, IsDeterministicPerSeedAndPhaseIndex) {
  const Phase phase = open_phase(1000, StartMode::poisson, 0, kRate);
  const std::vector<Duration> first = all_offsets(phase, kSeed, 3);
  EXPECT_EQ(all_offsets(phase, kSeed, 3), first);
  EXPECT_NE(all_offsets(phase, kSeed, 4), first);
  EXPECT_NE(all_offsets(phase, kSeed + 1, 3), first);
}

TEST(PoissonPlan, PhasesAreIndependent) {
  const Phase phase = open_phase(kArrivals, StartMode::poisson, 0, kRate);
  const std::vector<double> a = gaps_s(all_offsets(phase, kSeed, 0));
  const std::vector<double> b = gaps_s(all_offsets(phase, kSeed, 1));
  // Pearson correlation of paired gaps: about N(0, 1/n) when independent.
  double mean_a = 0, mean_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    mean_a += a[i] / kArrivals;
    mean_b += b[i] / kArrivals;
  }
  double cov = 0, var_a = 0, var_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - mean_a) * (b[i] - mean_b);
    var_a += (a[i] - mean_a) * (a[i] - mean_a);
    var_b += (b[i] - mean_b) * (b[i] - mean_b);
  }
  EXPECT_NEAR(cov / std::sqrt(var_a * var_b), 0.0, 4.0 / std::sqrt(kArrivals));
}

// --- Think times --------------------------------------------------------------------------------

Phase thinking_phase(Distribution think) {
  Phase phase = open_phase(1, StartMode::all_at_once, 0, 0);
  phase.think_time_s = think;
  return phase;
}

TEST(ThinkTime, IsDeterministicPerUserAndRequest) {
  const Phase phase = thinking_phase(Distribution::exponential(2.0));
  const Duration t = draw_think_time(phase, kSeed, 5, 1);
  EXPECT_EQ(draw_think_time(phase, kSeed, 5, 1), t);
  EXPECT_NE(draw_think_time(phase, kSeed, 6, 1), t);      // another user
  EXPECT_NE(draw_think_time(phase, kSeed, 5, 2), t);      // another request of the user
  EXPECT_NE(draw_think_time(phase, kSeed + 1, 5, 1), t);  // another seed
}

TEST(ThinkTime, ConstantIsExact) {
  EXPECT_EQ(draw_think_time(thinking_phase(Distribution::constant(2.5)), kSeed, 0, 1),
            from_millis(2500));
}

TEST(ThinkTime, IsNeverNegative) {
  // Entirely negative: every draw is clamped to zero.
  const Phase negative = thinking_phase(Distribution::normal(-1.0, 0.1));
  // Straddling zero: about half the draws are clamped, the rest are positive.
  const Phase straddling = thinking_phase(Distribution::normal(0.0, 1.0));
  int zero = 0;
  constexpr int kDraws = 2000;
  for (std::uint64_t user = 0; user < kDraws; ++user) {
    EXPECT_EQ(draw_think_time(negative, kSeed, user, 1), Duration{0});
    const Duration t = draw_think_time(straddling, kSeed, user, 1);
    ASSERT_GE(t, Duration{0});
    zero += t == Duration{0} ? 1 : 0;
  }
  EXPECT_NEAR(zero, kDraws / 2.0, 4.0 * std::sqrt(kDraws * 0.25));
}

TEST(ThinkTime, MeanMatchesTheDistribution) {
  const Phase phase = thinking_phase(Distribution::exponential(2.0));
  constexpr int kDraws = 10000;
  double sum = 0;
  for (std::uint64_t user = 0; user < kDraws; ++user) {
    sum += to_seconds(draw_think_time(phase, kSeed, user, 1));
  }
  // Exponential: sd = mean = 2 s.
  EXPECT_NEAR(sum / kDraws, 2.0, 4.0 * 2.0 / std::sqrt(kDraws));
}

}  // namespace
}  // namespace llmsim
