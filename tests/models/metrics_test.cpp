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

// --- category_of --------------------------------------------------------------------------------

struct CategoryRow {
  const char* what;
  Outcome outcome;
  LimitKind refused_by;
  std::optional<ErrorCategory> category;
};

class CategoryOfTest : public ::testing::TestWithParam<CategoryRow> {};

TEST_P(CategoryOfTest, GroupsTheDecision) {
  const CategoryRow& row = GetParam();
  Decision decision;
  decision.outcome = row.outcome;
  decision.admission.refused_by = row.refused_by;
  EXPECT_EQ(category_of(decision), row.category);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CategoryOfTest,
    ::testing::Values(
        // Success has no category.
        CategoryRow{"ok", Outcome::ok, LimitKind::none, std::nullopt},
        // 429s by the refusing limit: per minute requests / tokens, per day either.
        CategoryRow{"rpm", Outcome::rate_limited, LimitKind::rpm, ErrorCategory::rate_limit_requests},
        CategoryRow{"tpm", Outcome::rate_limited, LimitKind::tpm, ErrorCategory::rate_limit_tokens},
        CategoryRow{"rpd", Outcome::rate_limited, LimitKind::rpd, ErrorCategory::daily_limit},
        CategoryRow{"tpd", Outcome::rate_limited, LimitKind::tpd, ErrorCategory::daily_limit},
        // A 429 naming no limit counts as a requests limit.
        CategoryRow{"none", Outcome::rate_limited, LimitKind::none,
                    ErrorCategory::rate_limit_requests},
        // Too large is not a rate problem: waiting never helps.
        CategoryRow{"too_large", Outcome::too_large, LimitKind::tpm, ErrorCategory::other},
        CategoryRow{"too_large_tpd", Outcome::too_large, LimitKind::tpd, ErrorCategory::other},
        CategoryRow{"quota", Outcome::quota_exhausted, LimitKind::none, ErrorCategory::quota},
        // 500 and 503.
        CategoryRow{"server_error", Outcome::server_error, LimitKind::none, ErrorCategory::server_5xx},
        CategoryRow{"overloaded", Outcome::overloaded, LimitKind::none, ErrorCategory::server_5xx},
        // A hang ends in the client's timeout; a drop is a connection error.
        CategoryRow{"hang", Outcome::hang, LimitKind::none, ErrorCategory::timeout},
        CategoryRow{"drop", Outcome::drop_mid_stream, LimitKind::none, ErrorCategory::connection}),
    [](const auto& row) { return std::string(row.param.what); });

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

// --- classify_http_error ------------------------------------------------------------------------

struct HttpRow {
  const char* what;
  int status;
  const char* type;
  const char* code;
  const char* message;
  ErrorCategory category;
};

class ClassifyHttpErrorTest : public ::testing::TestWithParam<HttpRow> {};

TEST_P(ClassifyHttpErrorTest, MatchesTheDecisionCategory) {
  const HttpRow& row = GetParam();
  EXPECT_EQ(classify_http_error(row.status, row.type, row.code, row.message), row.category);
}

constexpr const char* kRpm =
    "Rate limit reached for gpt-3.5-turbo in organization org-x on requests per min (RPM): "
    "Limit 3, Used 3, Requested 1. Please try again in 20s.";
constexpr const char* kTpm =
    "Rate limit reached for gpt-4 in organization org-x on tokens per min (TPM): Limit 30000, "
    "Used 29937, Requested 385. Please try again in 644ms.";
constexpr const char* kRpd =
    "Rate limit reached for gpt-3.5-turbo in organization org-x on requests per day (RPD): "
    "Limit 200, Used 200, Requested 1. Please try again in 7m12s.";
constexpr const char* kTpd =
    "Rate limit reached for gpt-4o in organization org-x on tokens per day (TPD): Limit 90000, "
    "Used 89990, Requested 20. Please try again in 19.2s.";
constexpr const char* kTooLargeTpm =
    "Request too large for gpt-4 in organization org-x on tokens per min (TPM): Limit 10000, "
    "Requested 20000. The input or output tokens must be reduced in order to run successfully.";
constexpr const char* kTooLargeTpd =
    "Request too large for gpt-4 in organization org-x on tokens per day (TPD): Limit 10000, "
    "Requested 20000. The input or output tokens must be reduced in order to run successfully.";
constexpr const char* kQuota =
    "You exceeded your current quota, please check your plan and billing details.";

INSTANTIATE_TEST_SUITE_P(
    Rows, ClassifyHttpErrorTest,
    ::testing::Values(
        // Per-minute limits by the error type.
        HttpRow{"rpm", 429, "requests", "rate_limit_exceeded", kRpm,
                ErrorCategory::rate_limit_requests},
        HttpRow{"tpm", 429, "tokens", "rate_limit_exceeded", kTpm, ErrorCategory::rate_limit_tokens},
        // Per-day limits share the type and code; only the message tells.
        HttpRow{"rpd", 429, "requests", "rate_limit_exceeded", kRpd, ErrorCategory::daily_limit},
        HttpRow{"tpd", 429, "tokens", "rate_limit_exceeded", kTpd, ErrorCategory::daily_limit},
        // Too large, on TPM or on TPD (its message names the day too): other, as category_of says.
        HttpRow{"too_large_tpm", 429, "tokens", "rate_limit_exceeded", kTooLargeTpm,
                ErrorCategory::other},
        HttpRow{"too_large_tpd", 429, "tokens", "rate_limit_exceeded", kTooLargeTpd,
                ErrorCategory::other},
        // insufficient_quota by code and type, or by either alone.
        HttpRow{"quota", 429, "insufficient_quota", "insufficient_quota", kQuota,
                ErrorCategory::quota},
        HttpRow{"quota_code", 429, "", "insufficient_quota", kQuota, ErrorCategory::quota},
        HttpRow{"quota_type", 429, "insufficient_quota", "", kQuota, ErrorCategory::quota},
        // A bare 429 is a requests limit.
        HttpRow{"bare_429", 429, "", "", "", ErrorCategory::rate_limit_requests},
        // 5xx.
        HttpRow{"500", 500, "server_error", "", "The server had an error processing your request.",
                ErrorCategory::server_5xx},
        HttpRow{"503", 503, "server_error", "",
                "That model is currently overloaded with other requests.",
                ErrorCategory::server_5xx},
        HttpRow{"502", 502, "", "", "", ErrorCategory::server_5xx},
        // Beyond 599 is no HTTP status ("HTTP/1.1 999" counted as a 5xx).
        HttpRow{"999", 999, "", "", "", ErrorCategory::other},
        HttpRow{"600", 600, "server_error", "", "", ErrorCategory::other},
        // 408 is the server's timeout.
        HttpRow{"408", 408, "", "", "", ErrorCategory::timeout},
        // Request errors.
        HttpRow{"400", 400, "invalid_request_error", "", "'messages' is a required property",
                ErrorCategory::other},
        HttpRow{"401", 401, "invalid_request_error", "invalid_api_key", "Incorrect API key",
                ErrorCategory::other},
        HttpRow{"404", 404, "invalid_request_error", "model_not_found", "The model",
                ErrorCategory::other}),
    [](const auto& row) { return "status_" + std::string(row.param.what); });

// --- PhaseMetrics -------------------------------------------------------------------------------

RequestRecord make_record(double intended_ms, double finished_ms,
                          std::optional<ErrorCategory> error, int retries = 0) {
  return RequestRecord{.intended_send = at_ms(intended_ms), .finished = at_ms(finished_ms),
                       .queued = from_millis(intended_ms / 10), .error = error,
                       .retries = retries, .bytes_sent = 100, .bytes_received = 300,
                       .prompt_tokens = 20, .completion_tokens = 16};
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
