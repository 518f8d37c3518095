#include "models/time_scale.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace llmsim {
namespace {

using std::chrono::nanoseconds;
using testing::HasSubstr;
using testing::ThrowsMessage;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

TEST(TimeScaleTest, RoundsUpToAWholeNanosecondBothWays) {
  struct Row {
    double scale;
    std::int64_t model_ns;
    std::int64_t wall_ns;  // to_wall(model_ns)
  };
  const std::vector<Row> to_wall = {
      {10, 1'000'000'000, 100'000'000},  // the header's example: 1 s takes 100 ms
      {10, 10, 1},                       // exact
      {10, 11, 2},                       // 1.1 ns rounds up, not to the nearest
      {10, 15, 2},                       // 1.5 ns
      {3, 1, 1},                         // a third of a nanosecond is still one
      {3, 4, 2},                         // 1.33 ns
      {0.25, 1, 4},                      // a slow scale stretches time
      {2, -5, -2},                       // up is toward the later time: -2.5 ns to -2 ns
      {7, 0, 0},                         // nothing takes nothing
  };
  for (const Row& row : to_wall) {
    EXPECT_EQ(TimeScale(row.scale).to_wall(Duration{row.model_ns}), nanoseconds{row.wall_ns})
        << "scale " << row.scale << ", " << row.model_ns << " ns of model time";
  }
  const std::vector<Row> to_model = {
      {10, 1'000'000'000, 100'000'000},  // 100 ms of wall time are 1 s
      {0.25, 2, 8},                      // 8 ns of wall time are 2 ns
      {0.25, 3, 10},                     // 2.5 ns rounds up
      {0.3, 1, 3},                       // 0.9 ns rounds up
      {0.5, 0, -1},                      // -0.5 ns up to 0: the later time
  };
  for (const Row& row : to_model) {
    // Rows read model_ns as the result and wall_ns as the input here.
    EXPECT_EQ(TimeScale(row.scale).to_model(nanoseconds{row.wall_ns}), Duration{row.model_ns})
        << "scale " << row.scale << ", " << row.wall_ns << " ns of wall time";
  }
}

// A timer armed at to_wall(t) must find the model clock at t or later: no wait ends early.
TEST(TimeScaleTest, AWaitNeverEndsBeforeItsModelTime) {
  const std::vector<double> scales = {1.0 / 3, 0.1, 0.7, 1, 3, 7, 12.5, 1000};
  for (const double k : scales) {
    const TimeScale scale(k);
    for (std::int64_t ns = 0; ns < 2000; ++ns) {
      ASSERT_GE(scale.to_model(scale.to_wall(Duration{ns})), Duration{ns}) << "scale " << k << ", " << ns << " ns";
    }
    for (const std::int64_t ns : {999'999'999LL, 1'000'000'001LL, 123'456'789'123LL}) {
      EXPECT_GE(scale.to_model(scale.to_wall(Duration{ns})), Duration{ns}) << "scale " << k << ", " << ns << " ns";
      // And the wall time is not stretched: at most one nanosecond more than model / K.
      const double exact = static_cast<double>(ns) / k;
      EXPECT_LE(static_cast<double>(scale.to_wall(Duration{ns}).count()), exact + 1.0) << "scale " << k;
    }
  }
}

TEST(TimeScaleTest, ScaleOneIsTheIdentityForEveryCount) {
  const TimeScale one;
  EXPECT_EQ(one, TimeScale(1));
  EXPECT_EQ(one.model_per_wall(), 1.0);
  const std::vector<std::int64_t> counts = {
      0, 1, -1, 1'000'000'000,
      (std::int64_t{1} << 53) + 1,  // beyond a double's integers: 104 days and a nanosecond
      kMax, kMin, kMax - 1,
  };
  for (const std::int64_t ns : counts) {
    EXPECT_EQ(one.to_wall(Duration{ns}).count(), ns);
    EXPECT_EQ(one.to_model(nanoseconds{ns}).count(), ns);
  }
}

TEST(TimeScaleTest, LargeValuesStayExactAndSaturateAtTheEnds) {
  constexpr std::int64_t kDay = 86'400'000'000'000;
  // A month of model time at scale 1000 takes 43 min 12 s, and back.
  const TimeScale fast(1000);
  EXPECT_EQ(fast.to_wall(Duration{30 * kDay}), std::chrono::seconds(2592));
  EXPECT_EQ(fast.to_model(std::chrono::seconds(2592)), Duration{30 * kDay});
  // Odd counts above 2^53 keep their last nanosecond (a double would lose it).
  const TimeScale two(2);
  EXPECT_EQ(two.to_wall(Duration{(std::int64_t{1} << 53) + 3}).count(), (std::int64_t{1} << 52) + 2);
  EXPECT_EQ(two.to_model(nanoseconds{(std::int64_t{1} << 53) + 1}).count(), (std::int64_t{1} << 54) + 2);
  // Past Duration's range: its ends, not an overflow.
  EXPECT_EQ(two.to_model(nanoseconds{kMax}).count(), kMax);
  EXPECT_EQ(two.to_model(nanoseconds{kMin}).count(), kMin);
  EXPECT_EQ(TimeScale(0.5).to_wall(Duration::max()).count(), kMax);
  EXPECT_EQ(TimeScale(0.5).to_wall(Duration::min()).count(), kMin);
  EXPECT_EQ(TimeScale(1e-300).to_wall(Duration{1}).count(), kMax);
  EXPECT_EQ(TimeScale(1e300).to_wall(Duration{1}).count(), 1);  // still rounded up
}

TEST(TimeScaleTest, RejectsAScaleThatIsNotAFiniteNumberAboveZero) {
  struct Row {
    double scale;
    const char* text;
  };
  const std::vector<Row> rows = {
      {0.0, "0"},                                         // time would stand still
      {-0.0, "-0"},                                       // nor with a sign
      {-2, "-2"},                                         // time would run backwards
      {std::numeric_limits<double>::infinity(), "inf"},   // every wait would be zero
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::numeric_limits<double>::quiet_NaN(), "nan"},  // no scale at all
  };
  for (const Row& row : rows) {
    EXPECT_THAT([&] { (void)TimeScale(row.scale); },
                ThrowsMessage<std::invalid_argument>(
                    std::string("time scale: must be a finite number > 0, got ") + row.text));
  }
}

TEST(TimeScaleTest, TextIsTheShortestRoundTripAndParseReadsItBack) {
  struct Row {
    double scale;
    const char* text;
  };
  const std::vector<Row> rows = {
      {10, "10"},                           // whole numbers without a point
      {12.5, "12.5"},
      {0.1, "0.1"},                         // not "0.10000000000000001"
      {1.0 / 3, "0.3333333333333333"},      // every digit a double needs
      {1e-7, "1e-07"},
  };
  for (const Row& row : rows) {
    const TimeScale scale(row.scale);
    EXPECT_EQ(scale.text(), row.text);
    const std::optional<TimeScale> read = TimeScale::parse(scale.text());
    ASSERT_TRUE(read.has_value()) << row.text;
    EXPECT_EQ(*read, scale) << row.text;
  }
}

TEST(TimeScaleTest, ParseRefusesWhatIsNotAScale) {
  const std::vector<std::string> texts = {
      "",       // nothing
      "0",      // not > 0
      "-1",     // negative
      "inf",    // not finite
      "nan",    // not a number
      "10x",    // trailing text
      " 10",    // leading space
      "1e999",  // out of a double's range
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(TimeScale::parse(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace llmsim
