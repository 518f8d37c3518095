#include "models/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/time.hpp"

namespace llmsim {
namespace {

constexpr TimePoint kStart{};

TimePoint at_ms(double ms) { return kStart + from_millis(ms); }

TEST(CategoryName, NamesEveryCategoryDistinctly) {
  EXPECT_STREQ(category_name(ErrorCategory::rate_limit_requests), "rate_limit_requests");
  EXPECT_STREQ(category_name(ErrorCategory::rate_limit_tokens), "rate_limit_tokens");
  EXPECT_STREQ(category_name(ErrorCategory::daily_limit), "daily_limit");
  EXPECT_STREQ(category_name(ErrorCategory::quota), "quota");
  EXPECT_STREQ(category_name(ErrorCategory::server_5xx), "server_5xx");
  EXPECT_STREQ(category_name(ErrorCategory::timeout), "timeout");
  EXPECT_STREQ(category_name(ErrorCategory::connection), "connection");
  EXPECT_STREQ(category_name(ErrorCategory::other), "other");
  std::set<std::string> names;
  for (std::size_t i = 0; i < kErrorCategoryCount; ++i) {
    names.insert(category_name(static_cast<ErrorCategory>(i)));
  }
  EXPECT_EQ(names.size(), kErrorCategoryCount);
}

// --- PhaseMetrics -------------------------------------------------------------------------------

RequestRecord make_record(double intended_ms, double finished_ms,
                          std::optional<ErrorCategory> error, int retries = 0) {
  return RequestRecord{.intended_send = at_ms(intended_ms), .finished = at_ms(finished_ms),
                       .queued = from_millis(intended_ms / 10), .error = error,
                       .retries = retries, .bytes_sent = 100, .bytes_received = 300,
                       .body_bytes = 200, .prompt_tokens = 20, .completion_tokens = 16};
}

TEST(PhaseMetrics, RecordCountsEverything) {
  PhaseMetrics m;
  m.record(make_record(100, 1100, std::nullopt));
  m.record(make_record(50, 250, ErrorCategory::rate_limit_requests, 2));
  m.record(make_record(300, 900, ErrorCategory::timeout, 1));
  EXPECT_EQ(m.requests, 3U);
  EXPECT_EQ(m.succeeded, 1U);
  EXPECT_EQ(m.retries, 3U);
  EXPECT_EQ(m.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)], 1U);
  EXPECT_EQ(m.errors[static_cast<std::size_t>(ErrorCategory::timeout)], 1U);
  EXPECT_EQ(m.errors[static_cast<std::size_t>(ErrorCategory::quota)], 0U);
  EXPECT_EQ(m.bytes_sent, 300);
  EXPECT_EQ(m.bytes_received, 900);
  // Only the succeeded request's body: the 429's and the timeout's records carry 200 too.
  EXPECT_EQ(m.success_body_bytes, 200);
  EXPECT_EQ(m.prompt_tokens, 60);
  EXPECT_EQ(m.completion_tokens, 48);
  // Latency from the intended send: 1000, 200 and 600 ms.
  EXPECT_EQ(m.latency.count(), 3U);
  EXPECT_EQ(m.latency.min(), from_millis(200).count());
  EXPECT_EQ(m.latency.max(), from_millis(1000).count());
  EXPECT_EQ(m.queue.max(), from_millis(30).count());
  // The span: the earliest intended send (not the first recorded) to the latest finish.
  EXPECT_EQ(m.first_intended, at_ms(50));
  EXPECT_EQ(m.last_finished, at_ms(1100));
  EXPECT_DOUBLE_EQ(m.success_rate(), 1.0 / 3.0);
}

TEST(PhaseMetrics, WaitedCountsOnlyRequestsThatQueued) {
  PhaseMetrics m;
  m.record(make_record(0, 500, std::nullopt));    // queued 0 ms
  m.record(make_record(20, 500, std::nullopt));   // queued 2 ms
  m.record(make_record(100, 900, std::nullopt));  // queued 10 ms
  EXPECT_EQ(m.waited, 2U);
}

TEST(PhaseMetrics, SuccessRateIsZeroWithoutRequests) {
  const PhaseMetrics m;
  EXPECT_EQ(m.success_rate(), 0.0);
  EXPECT_EQ(m.first_intended, std::nullopt);
  EXPECT_EQ(m.last_finished, std::nullopt);
}

TEST(PhaseMetrics, MergeEqualsRecordingEverythingInOne) {
  PhaseMetrics a, b, all;
  for (int i = 0; i < 50; ++i) {
    const double start = 10.0 * i;
    const RequestRecord r =
        make_record(start, start + 100 + i, i % 3 == 0 ? std::optional(ErrorCategory::quota)
                                                       : std::nullopt, i % 2);
    (i % 2 == 0 ? a : b).record(r);
    all.record(r);
  }
  a.cpu_busy = from_millis(5);
  b.cpu_busy = from_millis(7);
  a.in_flight_time = from_seconds(2);
  b.in_flight_time = from_seconds(3);
  a.merge(b);
  EXPECT_EQ(a.requests, all.requests);
  EXPECT_EQ(a.succeeded, all.succeeded);
  EXPECT_EQ(a.retries, all.retries);
  EXPECT_EQ(a.errors, all.errors);
  EXPECT_EQ(a.bytes_sent, all.bytes_sent);
  EXPECT_EQ(a.bytes_received, all.bytes_received);
  EXPECT_EQ(a.success_body_bytes, all.success_body_bytes);
  EXPECT_EQ(all.success_body_bytes, 200 * static_cast<std::int64_t>(all.succeeded));
  EXPECT_EQ(a.prompt_tokens, all.prompt_tokens);
  EXPECT_EQ(a.completion_tokens, all.completion_tokens);
  EXPECT_EQ(a.latency.count(), all.latency.count());
  EXPECT_EQ(a.latency.percentile(50), all.latency.percentile(50));
  EXPECT_EQ(a.latency.percentile(99), all.latency.percentile(99));
  EXPECT_EQ(a.queue.max(), all.queue.max());
  EXPECT_EQ(a.first_intended, all.first_intended);
  EXPECT_EQ(a.last_finished, all.last_finished);
  EXPECT_EQ(a.cpu_busy, from_millis(12));
  EXPECT_EQ(a.waited, all.waited);
  EXPECT_EQ(a.in_flight_time, from_seconds(5));
  EXPECT_DOUBLE_EQ(a.success_rate(), all.success_rate());
}

TEST(PhaseMetrics, MergeKeepsOrTakesTheSpan) {
  PhaseMetrics filled;
  filled.record(make_record(100, 400, std::nullopt));
  // An empty phase merged in leaves the span alone.
  PhaseMetrics kept = filled;
  kept.merge(PhaseMetrics{});
  EXPECT_EQ(kept.first_intended, at_ms(100));
  EXPECT_EQ(kept.last_finished, at_ms(400));
  // Merged into an empty phase, the span is taken over.
  PhaseMetrics taken;
  taken.merge(filled);
  EXPECT_EQ(taken.first_intended, at_ms(100));
  EXPECT_EQ(taken.last_finished, at_ms(400));
  // Overlapping spans: the union.
  PhaseMetrics other;
  other.record(make_record(50, 300, std::nullopt));
  other.record(make_record(200, 500, std::nullopt));
  taken.merge(other);
  EXPECT_EQ(taken.first_intended, at_ms(50));
  EXPECT_EQ(taken.last_finished, at_ms(500));
}

}  // namespace
}  // namespace llmsim
