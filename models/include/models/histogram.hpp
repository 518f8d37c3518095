// A mergeable log-linear latency histogram (HdrHistogram-style).
//
// Values are non-negative integers (nanoseconds for latencies). Buckets are exact below
// 2^sub_bucket_bits and log-linear above: each power of two is split into 2^sub_bucket_bits
// linear sub-buckets, so any recorded value is known within a relative error of
// 2^-sub_bucket_bits (7 bits: <= 0.79%). Memory is fixed by the value range, never by the number
// of samples; two histograms with the same layout merge by adding counts. Min, max, sum and count
// are exact.
//
//   LatencyHistogram h;
//   h.record(Duration{1'200'000}.count());
//   std::int64_t p99 = h.percentile(99.0);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace llmsim {

class LatencyHistogram {
 public:
  // 7 sub-bucket bits give <= 2^-7 = 0.78% relative error at any percentile.
  static constexpr int kSubBucketBits = 7;

  LatencyHistogram();

  // Records one value (negative values are clamped to 0). O(1).
  void record(std::int64_t value);

  // Records `count` copies of one value.
  void record_n(std::int64_t value, std::uint64_t count);

  // Adds every count of `other` (same layout by construction).
  void merge(const LatencyHistogram& other);

  // Returns the value at percentile `p` in [0, 100]: the smallest recorded bucket's representative
  // value (bucket midpoint, clamped to [min, max]) such that at least p% of samples are <= it.
  // Returns 0 when empty.
  std::int64_t percentile(double p) const;

  // Returns the counts re-binned into `bins` equal bins of `bin_width` from 0 (each bucket counted
  // at its representative value; values past the last bin count in it). For charts.
  std::vector<std::uint64_t> linear_bins(std::int64_t bin_width, std::size_t bins) const;

  std::uint64_t count() const { return count_; }
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return count_ ? max_ : 0; }
  // Returns the exact mean of recorded values (0 when empty).
  double mean() const;
  // Returns the exact sum of recorded values.
  long double sum() const { return sum_; }
  // Returns the bytes held (object plus bucket array): fixed at construction, whatever is recorded.
  std::size_t memory_bytes() const;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace llmsim
