// The log-linear histogram's bucket layout, recording, merging and percentiles.
//
// Layout: values below 2 * 2^kSubBucketBits (256) have one bucket each. Above that, a value v with
// bit width w is shifted right by s = w - 8 so that v >> s lies in [128, 256): each power of two
// [2^k, 2^(k+1)) is split into 128 buckets of width 2^s, and the bucket index is s * 128 + (v >> s),
// which continues the exact range without a gap. The largest int64 lands in bucket 7295, so the
// whole non-negative int64 range fits in 7296 counters (57 KiB) allocated once.
#include "models/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace llmsim {
namespace {

constexpr int kSubBucketBits = LatencyHistogram::kSubBucketBits;
constexpr std::uint64_t kSubBucketCount = std::uint64_t{1} << kSubBucketBits;  // 128
constexpr int kExactBits = kSubBucketBits + 1;  // values below 2^8 = 256 are exact
constexpr int kMaxShift = 63 - kExactBits;      // shift of the largest int64 (bit width 63)
constexpr std::size_t kBucketCount =
    static_cast<std::size_t>((kMaxShift + 2) * kSubBucketCount);  // 7296

// Returns the bucket index of a non-negative value. O(1): one bit_width, one shift.
std::size_t bucket_index(std::uint64_t value) {
  const auto width = static_cast<int>(std::bit_width(value));
  const int shift = width > kExactBits ? width - kExactBits : 0;
  return static_cast<std::size_t>(static_cast<std::uint64_t>(shift) * kSubBucketCount +
                                  (value >> shift));
}

// Returns the midpoint (rounded down) of the values that fall in bucket `index`.
std::uint64_t bucket_midpoint(std::size_t index) {
  if (index < 2 * kSubBucketCount) {
    return index;
  }
  const auto shift = static_cast<int>(index / kSubBucketCount) - 1;
  const std::uint64_t sub_bucket = index % kSubBucketCount + kSubBucketCount;
  const std::uint64_t lowest = sub_bucket << shift;
  const std::uint64_t width = std::uint64_t{1} << shift;
  return lowest + (width - 1) / 2;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

void LatencyHistogram::record(std::int64_t value) { record_n(value, 1); }

void LatencyHistogram::record_n(std::int64_t value, std::uint64_t count) {
  if (count == 0) {
    return;
  }
  value = std::max<std::int64_t>(value, 0);
  counts_[bucket_index(static_cast<std::uint64_t>(value))] += count;
  min_ = count_ ? std::min(min_, value) : value;
  max_ = count_ ? std::max(max_, value) : value;
  count_ += count;
  sum_ += static_cast<long double>(value) * static_cast<long double>(count);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) {
    return;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = count_ ? std::max(max_, other.max_) : other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
}

std::int64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) {
    return 0;
  }
  p = std::isnan(p) ? 0.0 : std::clamp(p, 0.0, 100.0);
  // Rank of the sample at percentile p: at least p% of samples lie at or below it (1-based).
  // Multiplying before dividing keeps whole percentiles of whole counts exact.
  const double rank = std::ceil(p * static_cast<double>(count_) / 100.0);
  const std::uint64_t target = std::max<std::uint64_t>(static_cast<std::uint64_t>(rank), 1);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (cumulative >= target) {
      const auto midpoint = static_cast<std::int64_t>(bucket_midpoint(i));
      return std::clamp(midpoint, min_, max_);
    }
  }
  return max_;  // unreachable: the counts sum to count_
}

std::vector<std::uint64_t> LatencyHistogram::linear_bins(std::int64_t bin_width, std::size_t bins) const {
  std::vector<std::uint64_t> out(bins, 0);
  if (bins == 0 || bin_width <= 0 || count_ == 0) return out;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const std::int64_t value = std::clamp(static_cast<std::int64_t>(bucket_midpoint(i)), min_, max_);
    const auto bin = std::min(static_cast<std::size_t>(value / bin_width), bins - 1);
    out[bin] += counts_[i];
  }
  return out;
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::size_t LatencyHistogram::memory_bytes() const {
  return sizeof(*this) + counts_.capacity() * sizeof(std::uint64_t);
}

}  // namespace llmsim
