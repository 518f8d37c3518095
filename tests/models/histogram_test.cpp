// Tests for LatencyHistogram: exactness for small values, <= 1% error at every percentile against
// a sorted reference, merging, empty behaviour, exact min/max/mean, record_n and fixed memory.
#include "models/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "models/distribution.hpp"
#include "models/random.hpp"

namespace llmsim {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Returns the percentiles checked everywhere: 0 to 100 in steps of 0.1, plus the far tail.
std::vector<double> percentile_grid() {
  std::vector<double> grid;
  for (int i = 0; i <= 1000; ++i) {
    grid.push_back(i / 10.0);
  }
  for (double p : {99.95, 99.99, 99.995, 99.999}) {
    grid.push_back(p);
  }
  return grid;
}

// Returns the value of rank ceil(p/100 * n) (at least 1) in a sorted vector: the sample that has
// at least p% of samples at or below it, the definition the histogram approximates.
std::int64_t reference_percentile(const std::vector<std::int64_t>& sorted, double p) {
  const double rank = std::ceil(p * static_cast<double>(sorted.size()) / 100.0);
  const auto index = std::max<std::size_t>(static_cast<std::size_t>(rank), 1) - 1;
  return sorted[index];
}

// Returns 100,000 lognormal latencies in ns with median 1 ms and sigma 4: from ~1 ns to minutes.
std::vector<std::int64_t> lognormal_latencies_ns(std::uint64_t id) {
  const Distribution dist = Distribution::lognormal(1e6, 4.0);
  RandomStream rng(99, "histogram-test", id);
  std::vector<std::int64_t> values(100'000);
  for (auto& value : values) {
    value = std::llround(dist.sample(rng));
  }
  return values;
}

void expect_same_percentiles(const LatencyHistogram& a, const LatencyHistogram& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_EQ(a.sum(), b.sum());
  for (double p : percentile_grid()) {
    ASSERT_EQ(a.percentile(p), b.percentile(p)) << "p" << p;
  }
}

TEST(LatencyHistogramTest, IsExactBelow128) {
  LatencyHistogram h;
  for (std::int64_t v = 0; v < 128; ++v) {
    h.record(v);
  }
  std::vector<std::int64_t> sorted(128);
  for (std::int64_t v = 0; v < 128; ++v) {
    sorted[v] = v;
  }
  for (double p : percentile_grid()) {
    EXPECT_EQ(h.percentile(p), reference_percentile(sorted, p)) << "p" << p;
  }
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercentOfSortedReference) {
  std::vector<std::int64_t> values = lognormal_latencies_ns(1);
  LatencyHistogram h;
  for (std::int64_t v : values) {
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  ASSERT_LT(values.front(), 10);               // the draws really reach nanoseconds ...
  ASSERT_GT(values.back(), 60'000'000'000LL);  // ... and minutes
  for (double p : percentile_grid()) {
    const std::int64_t expected = reference_percentile(values, p);
    const auto error = std::abs(static_cast<double>(h.percentile(p) - expected));
    EXPECT_LE(error, 0.01 * static_cast<double>(expected)) << "p" << p << " expected " << expected;
  }
}

TEST(LatencyHistogramTest, BucketBoundariesStayWithinHalfABucket) {
  // Around every power of two up to 2^62, a value recorded between 0 and int64 max is reported
  // within half a bucket: 2^-8 relative (the midpoint of a 2^-7-wide bucket).
  for (int k = 1; k <= 62; ++k) {
    const std::int64_t power = std::int64_t{1} << k;
    for (std::int64_t v : {power - 1, power, power + 1, power + power / 3}) {
      LatencyHistogram h;
      h.record(0);
      h.record_n(v, 2);
      h.record(kInt64Max);
      const auto error = std::abs(static_cast<double>(h.percentile(50.0)) - static_cast<double>(v));
      EXPECT_LE(error, 0x1.0p-8 * static_cast<double>(v)) << "value " << v;
    }
  }
}

TEST(LatencyHistogramTest, MergeEqualsRecordingBoth) {
  const auto first = lognormal_latencies_ns(2);
  const auto second = lognormal_latencies_ns(3);
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram both;
  for (std::int64_t v : first) {
    a.record(v);
    both.record(v);
  }
  for (std::int64_t v : second) {
    b.record(v);
    both.record(v);
  }
  a.merge(b);
  expect_same_percentiles(a, both);
}

TEST(LatencyHistogramTest, MergeWithEmptyKeepsOrCopies) {
  LatencyHistogram filled;
  filled.record(500);
  filled.record(70'000);
  LatencyHistogram empty;
  LatencyHistogram into_empty;
  into_empty.merge(filled);  // an empty histogram takes min and max from the other
  expect_same_percentiles(into_empty, filled);
  LatencyHistogram unchanged = filled;
  unchanged.merge(empty);  // merging an empty one changes nothing
  expect_same_percentiles(unchanged, filled);
}

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.sum(), 0.0L);
  for (double p : {0.0, 50.0, 100.0}) {
    EXPECT_EQ(h.percentile(p), 0) << "p" << p;
  }
}

TEST(LatencyHistogramTest, MinMaxMeanAreExact) {
  LatencyHistogram h;
  // Values that share buckets with their neighbours, so bucket midpoints would be wrong.
  for (std::int64_t v : {1'000'003LL, 5'000'000'017LL, 123'456'789LL, 1'000'001LL}) {
    h.record(v);
  }
  EXPECT_EQ(h.min(), 1'000'001);
  EXPECT_EQ(h.max(), 5'000'000'017);
  EXPECT_EQ(h.sum(), 5'125'456'810.0L);
  EXPECT_DOUBLE_EQ(h.mean(), 5'125'456'810.0 / 4.0);
  // Percentiles are bucket midpoints, so only near the exact extremes (within half a bucket).
  EXPECT_NEAR(static_cast<double>(h.percentile(0.0)), 1'000'001.0, 0x1.0p-8 * 1'000'001.0);
  EXPECT_NEAR(static_cast<double>(h.percentile(100.0)), 5'000'000'017.0,
              0x1.0p-8 * 5'000'000'017.0);
}

TEST(LatencyHistogramTest, ExtremeValuesAreRecorded) {
  LatencyHistogram h;
  h.record(-5);  // negative is clamped to 0
  h.record(kInt64Max);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), kInt64Max);
  EXPECT_EQ(h.percentile(50.0), 0);
  // The top bucket's midpoint, within half a bucket of the exact max.
  EXPECT_NEAR(static_cast<double>(h.percentile(100.0)), static_cast<double>(kInt64Max),
              0x1.0p-8 * static_cast<double>(kInt64Max));
}

TEST(LatencyHistogramTest, PercentileArgumentIsClamped) {
  LatencyHistogram h;
  h.record(10);
  h.record(20);
  EXPECT_EQ(h.percentile(-1.0), 10);   // below 0 acts as 0
  EXPECT_EQ(h.percentile(250.0), 20);  // above 100 acts as 100
  EXPECT_EQ(h.percentile(50.0), 10);   // half the samples are <= 10
  EXPECT_EQ(h.percentile(50.1), 20);
}

TEST(LatencyHistogramTest, RecordNEqualsRepeatedRecord) {
  LatencyHistogram repeated;
  LatencyHistogram at_once;
  for (int i = 0; i < 7; ++i) {
    repeated.record(3'000'000);
  }
  repeated.record(42);
  at_once.record_n(3'000'000, 7);
  at_once.record_n(42, 1);
  at_once.record_n(999, 0);  // zero copies change nothing, not even min or max
  expect_same_percentiles(at_once, repeated);
  EXPECT_EQ(at_once.max(), 3'000'000);
}

TEST(LatencyHistogramTest, MemoryIsFixedWhateverIsRecorded) {
  LatencyHistogram h;
  const std::size_t before = h.memory_bytes();
  // The whole int64 range needs (55 + 2) * 128 counters; allow a little for the object itself.
  EXPECT_LE(before, 7296 * sizeof(std::uint64_t) + 256);
  for (std::int64_t v : lognormal_latencies_ns(4)) {
    h.record(v);
  }
  h.record(kInt64Max);
  h.record_n(1, 1'000'000'000);
  EXPECT_EQ(h.memory_bytes(), before);
  EXPECT_EQ(LatencyHistogram().memory_bytes(), before);
}

}  // namespace
}  // namespace llmsim
