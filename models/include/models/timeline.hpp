// A phase's timeline: what happened in each second of it, for charts and CSV.
//
// Buckets of one second of the run's time (virtual in the simulator, wall time scaled to the
// scenario in real-socket runs), counted from the phase's start. A phase longer than kMaxBuckets
// seconds doubles the bucket's width (merging pairs) as often as it must to stay within
// kMaxBuckets, so memory and the report stay bounded however long the phase runs, and never grow
// with its number of requests. Per bucket ("second" below): attempts sent to a provider, requests
// that succeeded, attempts refused with a 429 (any rate or daily limit, or quota), other failed
// attempts (5xx, timeouts, connection errors, other) and requests the client shed, the most
// requests in flight and the longest client waiting line at any moment of the second, and for each
// rate-limit key the lowest x-ratelimit-remaining-requests / -tokens a response carried in that
// second (-1: no response from that key then). Levels carry from one second to the next, so a
// quiet second shows the level it held.
//
//   Timeline t(phase_start, {"sk-a"});
//   t.count_sent(now);
//   t.set_levels(now, in_flight, queue_length);
//   t.close(phase_end);
//   for (const TimelineSecond& s : t.seconds()) ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/rate_limiter.hpp"
#include "models/time.hpp"

namespace llmsim {

struct TimelineSecond {
  std::uint64_t sent = 0;          // attempts sent to a provider (retries and failover hops too)
  std::uint64_t succeeded = 0;     // requests answered successfully
  std::uint64_t rate_limited = 0;  // attempts answered 429 for a rate or daily limit or quota
  std::uint64_t errors = 0;        // other failed attempts, and requests shed by the client
  std::int64_t in_flight = 0;      // most requests started and not finished at once
  std::int64_t queue_length = 0;   // most attempts waiting in the client's line at once
};

// The lowest remaining levels a key's responses carried in one second; -1 when none said.
struct LimiterSample {
  std::int64_t remaining_requests = -1;
  std::int64_t remaining_tokens = -1;
};

class Timeline {
 public:
  // The most buckets a phase keeps: an hour at one second each.
  static constexpr std::size_t kMaxBuckets = 3600;

  Timeline() = default;
  // Starts a timeline at `start` for the rate-limit keys `keys` (names as the report gives them).
  Timeline(TimePoint start, std::vector<std::string> keys);

  void count_sent(TimePoint at);
  void count_succeeded(TimePoint at);
  void count_rate_limited(TimePoint at);
  void count_error(TimePoint at);
  // Records the levels held from `at` on (the second keeps the highest it saw).
  void set_levels(TimePoint at, std::int64_t in_flight, std::int64_t queue_length);
  // Records the x-ratelimit-remaining-* values of a response from key `key` (index in keys()).
  void observe_limits(TimePoint at, std::size_t key, const RateLimitHeaders& headers);
  // Extends the timeline to the second holding `end` (the phase's last response).
  void close(TimePoint end);

  TimePoint start() const { return start_; }
  // Returns the width of every bucket: one second, or a power of two of seconds for long phases.
  Duration bucket() const { return bucket_; }
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<TimelineSecond>& seconds() const { return seconds_; }
  // Returns key `key`'s sample of second `second`.
  const LimiterSample& limiter(std::size_t second, std::size_t key) const {
    return limiters_[second * keys_.size() + key];
  }

 private:
  // Returns the bucket holding `at`, adding the seconds up to it (levels carried).
  std::size_t second_of(TimePoint at);
  // Doubles the buckets' width, merging each pair (sums, maxima, lowest levels).
  void coarsen();

  TimePoint start_{};
  Duration bucket_ = std::chrono::seconds(1);
  std::vector<std::string> keys_;
  std::vector<TimelineSecond> seconds_;
  std::vector<LimiterSample> limiters_;  // seconds x keys, row-major
  std::int64_t in_flight_ = 0;           // levels held now
  std::int64_t queue_length_ = 0;
  // The bucket second_of found last and the times it spans, [from, to): most events of a run
  // fall in the bucket of the one before, which saves a division each.
  std::size_t last_index_ = 0;
  TimePoint last_from_ = TimePoint::max();
  TimePoint last_to_ = TimePoint::min();
};

}  // namespace llmsim
