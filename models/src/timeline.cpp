// A phase's per-second timeline. See timeline.hpp.
#include "models/timeline.hpp"

#include <algorithm>

namespace llmsim {

namespace {

// Keeps the lower of a sample and a header's value (-1 in the sample: none yet).
void keep_lowest(std::int64_t& sample, std::int64_t value) {
  if (value < 0) return;
  sample = sample < 0 ? value : std::min(sample, value);
}

void keep_lowest(std::int64_t& sample, const std::optional<std::int64_t>& value) {
  if (value) keep_lowest(sample, std::max<std::int64_t>(0, *value));
}

// Returns two adjacent buckets as one.
TimelineSecond merged(const TimelineSecond& a, const TimelineSecond& b) {
  return TimelineSecond{.sent = a.sent + b.sent, .succeeded = a.succeeded + b.succeeded,
                        .rate_limited = a.rate_limited + b.rate_limited, .errors = a.errors + b.errors,
                        .in_flight = std::max(a.in_flight, b.in_flight),
                        .queue_length = std::max(a.queue_length, b.queue_length)};
}

}  // namespace

Timeline::Timeline(TimePoint start, std::vector<std::string> keys) : start_(start), keys_(std::move(keys)) {}

std::size_t Timeline::second_of(TimePoint at) {
  if (at >= last_from_ && at < last_to_) return last_index_;
  // Events before the start (none by construction) count in its first second.
  auto index = static_cast<std::size_t>(std::max<std::int64_t>(0, (at - start_) / bucket_));
  while (index >= kMaxBuckets) {
    coarsen();
    index /= 2;
  }
  while (seconds_.size() <= index) {
    seconds_.push_back(TimelineSecond{.in_flight = in_flight_, .queue_length = queue_length_});
    limiters_.resize(limiters_.size() + keys_.size());
  }
  last_index_ = index;
  last_from_ = start_ + static_cast<std::int64_t>(index) * bucket_;
  last_to_ = last_from_ + bucket_;
  return index;
}

void Timeline::coarsen() {
  const std::size_t keys = keys_.size();
  const std::size_t halves = (seconds_.size() + 1) / 2;
  for (std::size_t i = 0; i < halves; ++i) {
    const std::size_t a = 2 * i, b = 2 * i + 1;
    seconds_[i] = b < seconds_.size() ? merged(seconds_[a], seconds_[b]) : seconds_[a];
    for (std::size_t k = 0; k < keys; ++k) {
      LimiterSample sample = limiters_[a * keys + k];
      if (b < seconds_.size()) {
        const LimiterSample& other = limiters_[b * keys + k];
        keep_lowest(sample.remaining_requests, other.remaining_requests);
        keep_lowest(sample.remaining_tokens, other.remaining_tokens);
      }
      limiters_[i * keys + k] = sample;
    }
  }
  seconds_.resize(halves);
  limiters_.resize(halves * keys);
  bucket_ *= 2;
}

void Timeline::count_sent(TimePoint at) { ++seconds_[second_of(at)].sent; }
void Timeline::count_succeeded(TimePoint at) { ++seconds_[second_of(at)].succeeded; }
void Timeline::count_rate_limited(TimePoint at) { ++seconds_[second_of(at)].rate_limited; }
void Timeline::count_error(TimePoint at) { ++seconds_[second_of(at)].errors; }

void Timeline::set_levels(TimePoint at, std::int64_t in_flight, std::int64_t queue_length) {
  TimelineSecond& second = seconds_[second_of(at)];
  in_flight_ = in_flight;
  queue_length_ = queue_length;
  second.in_flight = std::max(second.in_flight, in_flight);
  second.queue_length = std::max(second.queue_length, queue_length);
}

void Timeline::observe_limits(TimePoint at, std::size_t key, const RateLimitHeaders& headers) {
  const std::size_t second = second_of(at);
  LimiterSample& sample = limiters_[second * keys_.size() + key];
  keep_lowest(sample.remaining_requests, headers.remaining_requests);
  keep_lowest(sample.remaining_tokens, headers.remaining_tokens);
}

void Timeline::close(TimePoint end) { second_of(end); }

}  // namespace llmsim
