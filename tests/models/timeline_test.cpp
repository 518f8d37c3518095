#include "models/timeline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

namespace llmsim {
namespace {

TimePoint at_s(double seconds) {
  return TimePoint{Duration{static_cast<std::int64_t>(seconds * 1e9)}};
}

TEST(Timeline, OneSecondBucketsForAnHourOrLess) {
  Timeline t(at_s(10), {"k"});
  t.count_sent(at_s(10.2));
  t.count_sent(at_s(11.9));
  t.count_succeeded(at_s(12.5));
  t.close(at_s(10 + Timeline::kMaxBuckets - 0.5));
  EXPECT_EQ(t.bucket(), std::chrono::seconds(1));
  ASSERT_EQ(t.seconds().size(), Timeline::kMaxBuckets);
  EXPECT_EQ(t.seconds()[0].sent, 1u);
  EXPECT_EQ(t.seconds()[1].sent, 1u);
  EXPECT_EQ(t.seconds()[2].succeeded, 1u);
}

// A phase of three hours keeps at most kMaxBuckets buckets of 4 s: sums add up, levels keep the
// highest, remaining limits the lowest, and nothing counted is lost.
TEST(Timeline, LongPhasesWidenTheBucketsAndLoseNoCount) {
  Timeline t(at_s(0), {"k"});
  const int hours = 3;
  std::uint64_t sent = 0;
  for (int s = 0; s < hours * 3600; s += 7) {
    t.count_sent(at_s(s + 0.5));
    ++sent;
    t.set_levels(at_s(s + 0.5), s % 11, s % 5);
    t.set_levels(at_s(s + 0.6), 0, 0);
    t.observe_limits(at_s(s + 0.5), 0, RateLimitHeaders{.remaining_requests = 1000 - s % 13});
  }
  t.close(at_s(hours * 3600 - 0.5));
  EXPECT_EQ(t.bucket(), std::chrono::seconds(4));
  EXPECT_LE(t.seconds().size(), Timeline::kMaxBuckets);
  EXPECT_EQ(t.seconds().size(), hours * 3600u / 4u);
  std::uint64_t counted = 0;
  std::int64_t most_in_flight = 0;
  std::int64_t lowest = 1 << 30;
  for (std::size_t i = 0; i < t.seconds().size(); ++i) {
    counted += t.seconds()[i].sent;
    most_in_flight = std::max(most_in_flight, t.seconds()[i].in_flight);
    if (t.limiter(i, 0).remaining_requests >= 0) lowest = std::min(lowest, t.limiter(i, 0).remaining_requests);
  }
  EXPECT_EQ(counted, sent);
  EXPECT_EQ(most_in_flight, 10);
  EXPECT_EQ(lowest, 1000 - 12);
  // Bucket 0 holds seconds 0 to 3: only the send at 0.5 s.
  EXPECT_EQ(t.seconds()[0].sent, 1u);
  EXPECT_EQ(t.seconds()[1].sent, 1u);  // 7.5 s
  EXPECT_EQ(t.limiter(0, 0).remaining_requests, 1000);
}

}  // namespace
}  // namespace llmsim
