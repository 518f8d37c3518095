// Anthropic's wire contract: what the mock renders for each decision, read back at the same
// instant, is what the simulator's in-memory reading says (in process, no timing); the exact
// bodies and headers; RFC 3339 times; the reader on garbage; the SDK's retry rule on 529.
#include "wire/anthropic.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"

namespace llmsim::wire::anthropic {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr Outcome kOutcomes[] = {Outcome::ok,           Outcome::rate_limited,   Outcome::too_large,
                                 Outcome::quota_exhausted, Outcome::server_error, Outcome::overloaded,
                                 Outcome::hang,         Outcome::drop_mid_stream};
constexpr LimitKind kKinds[] = {LimitKind::none, LimitKind::rpm, LimitKind::itpm, LimitKind::otpm};

// 2025-08-21T12:40:59Z, the time of a recorded Anthropic response.
constexpr std::int64_t kRecorded = 1'755'780'059;

TimePoint at_unix(std::int64_t seconds, std::int64_t nanos = 0) {
  return TimePoint{std::chrono::seconds(seconds)} + Duration{nanos};
}

// Returns a decision with every Anthropic limit's values set.
Decision decision_of(Outcome outcome, LimitKind kind, Duration wait, Duration reset) {
  Decision d;
  d.outcome = outcome;
  d.admission.refused_by = kind;
  d.admission.limit = kind == LimitKind::rpm ? 50 : 40'000;
  d.admission.used = d.admission.limit;
  d.admission.requested = kind == LimitKind::rpm ? 1 : 1'200;
  d.admission.wait = wait;
  d.admission.headers = RateLimitHeaders{
      .limit_requests = 50, .remaining_requests = 0, .reset_requests = reset,
      .limit_input_tokens = 40'000, .remaining_input_tokens = 38'499,
      .reset_input_tokens = reset / 3, .limit_output_tokens = 8'000,
      .remaining_output_tokens = 7'500, .reset_output_tokens = reset / 7};
  d.completion_tokens = 7;
  return d;
}

// --- the contract: read_response(render(d, now), now) == from_decision(d, now) ----------------

TEST(Contract, ReadingTheRenderedDecisionIsTheInMemoryReading) {
  const Duration waits[] = {Duration{0}, Duration{1}, from_millis(0.4), from_millis(644.2),
                            from_seconds(20), from_seconds(3723.5)};
  const Duration resets[] = {Duration{0}, Duration{1}, from_millis(999.9999), from_seconds(1),
                             from_seconds(59.9996), from_seconds(86'400.0005)};
  const TimePoint nows[] = {at_unix(0), at_unix(kRecorded), at_unix(kRecorded, 1),
                            at_unix(kRecorded, 999'999'999), at_unix(4'102'444'799, 500'000'000)};
  int checked = 0;
  for (const Outcome outcome : kOutcomes) {
    for (const LimitKind kind : kKinds) {
      for (const Duration wait : waits) {
        for (const Duration reset : resets) {
          for (const TimePoint now : nows) {
            const Decision d = decision_of(outcome, kind, wait, reset);
            const RenderContext context{.model = "claude-sonnet-4-5", .organization = "org-llmsim",
                                        .now = now};
            const Response rendered = render(d, context);
            ASSERT_EQ(read_response(rendered, now), from_decision(d, now))
                << outcome_name(outcome) << " " << limit_name(kind) << " wait " << wait.count()
                << " reset " << reset.count() << " now " << now.time_since_epoch().count()
                << "\n" << rendered.body;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 8 * 4 * 6 * 6 * 5);
}

TEST(Contract, FromDecisionReadsEachOutcome) {
  struct Row {
    Outcome outcome;
    LimitKind kind;
    int status;
    std::optional<ErrorCategory> category;
    std::string_view type;
  };
  const Row rows[] = {
      {Outcome::ok, LimitKind::none, 200, std::nullopt, ""},
      {Outcome::rate_limited, LimitKind::rpm, 429, ErrorCategory::rate_limit_requests, "rate_limit_error"},
      {Outcome::rate_limited, LimitKind::itpm, 429, ErrorCategory::rate_limit_tokens, "rate_limit_error"},
      {Outcome::rate_limited, LimitKind::otpm, 429, ErrorCategory::rate_limit_tokens, "rate_limit_error"},
      {Outcome::too_large, LimitKind::otpm, 429, ErrorCategory::other, "rate_limit_error"},
      {Outcome::quota_exhausted, LimitKind::none, 402, ErrorCategory::quota, "billing_error"},
      {Outcome::server_error, LimitKind::none, 500, ErrorCategory::server_5xx, "api_error"},
      {Outcome::overloaded, LimitKind::none, 529, ErrorCategory::server_5xx, "overloaded_error"},
      {Outcome::hang, LimitKind::none, 0, ErrorCategory::timeout, ""},
      {Outcome::drop_mid_stream, LimitKind::none, 200, ErrorCategory::connection, ""},
  };
  for (const Row& row : rows) {
    const Reading seen = from_decision(decision_of(row.outcome, row.kind, from_seconds(2.5),
                                                   from_seconds(1)), at_unix(kRecorded));
    EXPECT_EQ(seen.status, row.status) << outcome_name(row.outcome);
    EXPECT_EQ(seen.error, row.category) << outcome_name(row.outcome);
    EXPECT_EQ(seen.error_type, row.type) << outcome_name(row.outcome);
    EXPECT_EQ(seen.retry_after.has_value(), row.outcome == Outcome::rate_limited);
  }
}

// --- rendering, byte for byte ------------------------------------------------------------------

TEST(Render, RateLimitRefusalAsAnthropicSendsIt) {
  const Decision d = decision_of(Outcome::rate_limited, LimitKind::itpm, from_millis(1500.5),
                                 from_seconds(30));
  const Response r = render(d, {.model = "claude-sonnet-4-5", .organization = "org-llmsim",
                                .now = at_unix(kRecorded, 250'000'000)});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body,
            R"({"type":"error","error":{"type":"rate_limit_error","message":"This request would )"
            R"(exceed your organization's rate limit of 40,000 input tokens per minute (org: )"
            R"(org-llmsim, model: claude-sonnet-4-5). For details, refer to: )"
            R"(https://docs.claude.com/en/api/rate-limits. You can see the response headers for )"
            R"(current usage. Please reduce the prompt length or the maximum tokens requested, or )"
            R"(try again later. You may also contact sales at https://claude.com/contact-sales to )"
            R"(discuss your options for a rate limit increase."}})");
  // Resets: now + 10 s (input), + 30 s (requests), + 30/7 s (output), rounded up to the second;
  // remainders of tokens to the nearest thousand; tokens-* add input and output.
  EXPECT_THAT(r.headers,
              ElementsAre(Pair("retry-after", "2"),
                          Pair("anthropic-ratelimit-input-tokens-limit", "40000"),
                          Pair("anthropic-ratelimit-input-tokens-remaining", "38000"),
                          Pair("anthropic-ratelimit-input-tokens-reset", "2025-08-21T12:41:10Z"),
                          Pair("anthropic-ratelimit-output-tokens-limit", "8000"),
                          Pair("anthropic-ratelimit-output-tokens-remaining", "8000"),
                          Pair("anthropic-ratelimit-output-tokens-reset", "2025-08-21T12:41:04Z"),
                          Pair("anthropic-ratelimit-requests-limit", "50"),
                          Pair("anthropic-ratelimit-requests-remaining", "0"),
                          Pair("anthropic-ratelimit-requests-reset", "2025-08-21T12:41:30Z"),
                          Pair("anthropic-ratelimit-tokens-limit", "48000"),
                          Pair("anthropic-ratelimit-tokens-remaining", "46000"),
                          Pair("anthropic-ratelimit-tokens-reset", "2025-08-21T12:41:10Z")));
  // The limit the message names is the reading's code, read back as the decision has it.
  EXPECT_EQ(read_response(r, at_unix(kRecorded)).error_code, "input_tokens");
  EXPECT_EQ(from_decision(d, at_unix(kRecorded)).error_code, "input_tokens");
  for (const auto& [kind, code] : {std::pair{LimitKind::rpm, "requests"}, std::pair{LimitKind::otpm, "output_tokens"}}) {
    const Decision other = decision_of(Outcome::rate_limited, kind, from_millis(900), from_seconds(30));
    const Response sent = render(other, {.model = "m", .organization = "o", .now = at_unix(kRecorded)});
    EXPECT_EQ(read_response(sent, at_unix(kRecorded)).error_code, code);
  }
}

TEST(Render, ErrorsOtherThanLimitsCarryNoRetryAfter) {
  struct Row {
    Outcome outcome;
    int status;
    std::string body;
  };
  const Row rows[] = {
      {Outcome::overloaded, 529,
       R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"},
      {Outcome::server_error, 500,
       R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})"},
      {Outcome::quota_exhausted, 402,
       R"({"type":"error","error":{"type":"billing_error","message":"Your credit balance )"
       R"(is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or )"
       R"(purchase credits."}})"},
  };
  for (const Row& row : rows) {
    const Response r = render(decision_of(row.outcome, LimitKind::none, from_seconds(3), Duration{0}),
                              {.model = "m", .organization = "o", .now = at_unix(kRecorded)});
    EXPECT_EQ(r.status, row.status);
    EXPECT_EQ(r.body, row.body);
    for (const auto& [name, value] : r.headers) EXPECT_NE(name, "retry-after") << value;
  }
}

TEST(Render, TooLargeNamesTheRequestAndTheLimitWithoutAWait) {
  Decision d = decision_of(Outcome::too_large, LimitKind::otpm, Duration{0}, Duration{0});
  d.admission.limit = 8'000;
  d.admission.requested = 64'000;
  const Response r = render(d, {.model = "claude-haiku-4-5", .organization = "org-1", .now = at_unix(0)});
  EXPECT_EQ(r.status, 429);
  EXPECT_THAT(r.body, ::testing::HasSubstr(
                          "Request too large: this request needs 64,000 output tokens, more than "
                          "your organization's rate limit of 8,000 output tokens per minute "
                          "(org: org-1, model: claude-haiku-4-5)."));
  EXPECT_EQ(read_response(r, at_unix(0)).error, ErrorCategory::other);
  EXPECT_EQ(read_response(r, at_unix(0)).error_code, "output_tokens");
}

TEST(ErrorJson, AddsTheRequestIdAndReplacesBadUtf8) {
  const ApiError error{401, "authentication_error", "invalid x-api-key \xff"};
  EXPECT_EQ(error_json(error, "req_011CSLsW7mFqvHHnzrKdKjAE"),
            R"({"type":"error","error":{"type":"authentication_error","message":"invalid )"
            "x-api-key \xef\xbf\xbd\"},\"request_id\":\"req_011CSLsW7mFqvHHnzrKdKjAE\"}");
}

TEST(ErrorJson, AuthenticationAndVersionErrorsAsAnthropicWordsThem) {
  EXPECT_EQ(error_json(missing_api_key(), ""),
            R"({"type":"error","error":{"type":"authentication_error","message":"x-api-key header is required"}})");
  EXPECT_EQ(invalid_api_key().status, 401);
  EXPECT_EQ(missing_version().message, "anthropic-version: header is required");
  EXPECT_EQ(missing_version().status, 400);
  EXPECT_TRUE(is_api_version("2023-06-01"));
  EXPECT_TRUE(is_api_version("2026-10-21"));
  EXPECT_FALSE(is_api_version("2023-06-01 "));
  EXPECT_EQ(error_json(invalid_version("2023-06-01, 2023-06-01"), ""),
            R"({"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: )"
            R"(\"2023-06-01, 2023-06-01\" is not a valid version"}})");
}

// --- RFC 3339 ----------------------------------------------------------------------------------

TEST(Rfc3339, FormatsWholeSecondsInUtc) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(kRecorded), "2025-08-21T12:40:59Z");
  EXPECT_EQ(rfc3339(951'782'400), "2000-02-29T00:00:00Z");  // a leap day
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(rfc3339(INT64_MAX), "9999-12-31T23:59:59Z");     // clamped, never overflowed
  EXPECT_EQ(rfc3339(INT64_MIN), "0000-01-01T00:00:00Z");
}

TEST(Rfc3339, ParsesWhatItFormatsAndOffsetsAndFractions) {
  for (const std::int64_t s : {std::int64_t{0}, kRecorded, std::int64_t{951'782'400},
                               std::int64_t{-1}, std::int64_t{4'102'444'799}}) {
    EXPECT_EQ(parse_rfc3339(rfc3339(s)), Duration{std::chrono::seconds(s)}) << s;
  }
  EXPECT_EQ(parse_rfc3339("2025-08-21T14:40:59+02:00"), Duration{std::chrono::seconds(kRecorded)});
  EXPECT_EQ(parse_rfc3339("2025-08-21t12:40:59.5z"),
            Duration{std::chrono::seconds(kRecorded)} + from_millis(500));
  EXPECT_EQ(parse_rfc3339("2025-08-21T12:40:59.1234567891Z"),
            Duration{std::chrono::seconds(kRecorded)} + Duration{123'456'789});
}

TEST(Rfc3339, RefusesAnythingElse) {
  for (const char* text : {"", "2025-08-21", "2025-08-21T12:40:59", "2025-08-21 12:40:59Z",
                           "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-08-21T24:00:00Z",
                           "2025-08-21T12:60:00Z", "2025-08-21T12:40:59.Z", "2025-08-21T12:40:59Zx",
                           "2025-08-21T12:40:59+2:00", "+2025-08-21T12:40:59Z", "60s", "1755780059",
                           "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z"}) {
    EXPECT_EQ(parse_rfc3339(text), std::nullopt) << text;
  }
}

// --- reading -----------------------------------------------------------------------------------

TEST(ReadRateLimitHeaders, ResetsAreTimesUntilAndNeverNegative) {
  const HeaderList headers = {{kRequestsLimit, "50"},
                              {kRequestsRemaining, "49"},
                              {kRequestsReset, "2025-08-21T12:41:00Z"},
                              {kInputLimit, "80000"},
                              {kInputRemaining, "not a number"},
                              {kInputReset, "2025-08-21T12:40:58Z"},  // a second in the past
                              {kOutputReset, "yesterday"}};
  const RateLimitHeaders seen = read_rate_limit_headers(read_headers(headers), at_unix(kRecorded, 250'000'000));
  EXPECT_EQ(seen.limit_requests, 50);
  EXPECT_EQ(seen.remaining_requests, 49);
  EXPECT_EQ(seen.reset_requests, from_millis(750));
  EXPECT_EQ(seen.limit_input_tokens, 80'000);
  EXPECT_EQ(seen.remaining_input_tokens, std::nullopt);
  EXPECT_EQ(seen.reset_input_tokens, Duration{0});
  EXPECT_EQ(seen.reset_output_tokens, std::nullopt);
  EXPECT_EQ(seen.limit_tokens, std::nullopt);
}

TEST(ReadResponse, StreamsEndWithMessageStop) {
  const HeaderList sse = {{wire::kContentType, "text/event-stream; charset=utf-8"}};
  const std::string ended =
      "event: message_delta\ndata: {\"type\":\"message_delta\"}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  const std::string cut = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
                          "\"delta\":{\"type\":\"text_delta\",\"text\":\"message_stop\"}}\n\n";
  EXPECT_EQ(read_response(200, read_headers(sse), ended, at_unix(0)).error, std::nullopt);
  EXPECT_EQ(read_response(200, read_headers(sse), cut, at_unix(0)).error, ErrorCategory::connection);
  EXPECT_EQ(read_response(200, read_headers(sse), ended, at_unix(0), false).error,
            ErrorCategory::connection);
}

TEST(ClassifyError, ReadsStatusTypeAndMessage) {
  struct Row {
    int status;
    std::string_view type;
    std::string_view message;
    ErrorCategory category;
  };
  const Row rows[] = {
      {429, "rate_limit_error", "... rate limit of 50 requests per minute (org: o, model: m)", ErrorCategory::rate_limit_requests},
      {429, "rate_limit_error", "... rate limit of 30,000 input tokens per minute ...", ErrorCategory::rate_limit_tokens},
      {429, "rate_limit_error", "... rate limit of 8,000 output tokens per minute ...", ErrorCategory::rate_limit_tokens},
      {429, "rate_limit_error", "Request too large: this request needs ...", ErrorCategory::other},
      {402, "billing_error", "Your credit balance is too low to access the Anthropic API.", ErrorCategory::quota},
      {400, "invalid_request_error", "max_tokens: Field required", ErrorCategory::other},
      {401, "authentication_error", "invalid x-api-key", ErrorCategory::other},
      {529, "overloaded_error", "Overloaded", ErrorCategory::server_5xx},
      {500, "api_error", "Internal server error", ErrorCategory::server_5xx},
      {408, "", "", ErrorCategory::timeout},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(classify_error(row.status, row.type, row.message), row.category) << row.message;
  }
}

TEST(ShouldRetry, TheSdkRetries529And429ButNotBillingOrAuth) {
  const RetryConfig config;
  const auto again = [&](Outcome outcome) {
    const Reading seen = from_decision(decision_of(outcome, LimitKind::rpm, from_seconds(1), Duration{0}),
                                       at_unix(kRecorded));
    return wire::should_retry(config, seen.status, seen.error, seen.should_retry);
  };
  EXPECT_TRUE(again(Outcome::overloaded));
  EXPECT_TRUE(again(Outcome::rate_limited));
  EXPECT_TRUE(again(Outcome::server_error));
  EXPECT_FALSE(again(Outcome::quota_exhausted));
  EXPECT_FALSE(again(Outcome::ok));
  EXPECT_FALSE(wire::should_retry(config, 401, ErrorCategory::other, std::nullopt));
}

}  // namespace
}  // namespace llmsim::wire::anthropic
