// OpenAI's wire contract: what the mock server renders for each decision, read back, is what the
// simulator's in-memory reading says (in process, no timing); the header and body readers on
// garbage; the SDKs' retry rule.
#include "wire/openai.hpp"

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

namespace llmsim::wire {
namespace {

constexpr Outcome kOutcomes[] = {Outcome::ok,           Outcome::rate_limited,   Outcome::too_large,
                                 Outcome::quota_exhausted, Outcome::server_error, Outcome::overloaded,
                                 Outcome::hang,         Outcome::drop_mid_stream};
constexpr LimitKind kKinds[] = {LimitKind::none, LimitKind::rpm, LimitKind::tpm, LimitKind::rpd,
                                LimitKind::tpd};

// Returns a decision with every x-ratelimit-* value set; resets and wait off the millisecond.
Decision decision_of(Outcome outcome, LimitKind kind, Duration wait, Duration reset) {
  Decision d;
  d.outcome = outcome;
  d.admission.refused_by = kind;
  d.admission.limit = 500;
  d.admission.used = 500;
  d.admission.requested = 1;
  d.admission.wait = wait;
  d.admission.headers = RateLimitHeaders{.limit_requests = 500, .remaining_requests = 0,
                                         .reset_requests = reset, .limit_tokens = 200000,
                                         .remaining_tokens = 199000,
                                         .reset_tokens = reset / 3};
  d.completion_tokens = 7;
  return d;
}

// --- the contract: read_response(render(d)) == from_decision(d) ------------------------------

TEST(Contract, ReadingTheRenderedDecisionIsTheInMemoryReading) {
  const Duration waits[] = {Duration{0}, Duration{1}, from_millis(0.4), from_millis(644.2),
                            from_seconds(20), from_seconds(432.0001), from_seconds(3723.5)};
  const Duration resets[] = {Duration{0}, Duration{499'999}, Duration{500'000}, from_millis(12.3456),
                             from_seconds(59.9996), from_seconds(86'400.0005)};
  int checked = 0;
  for (const Outcome outcome : kOutcomes) {
    for (const LimitKind kind : kKinds) {
      for (const Duration wait : waits) {
        for (const Duration reset : resets) {
          for (const bool send_ms : {false, true}) {
            const Decision d = decision_of(outcome, kind, wait, reset);
            const RenderContext context{.model = "gpt-4o-mini", .organization = "org-llmsim",
                                        .request_id = "req_1", .send_retry_after_ms = send_ms};
            const Response rendered = render(d, context);
            ASSERT_EQ(read_response(rendered), from_decision(d, send_ms))
                << outcome_name(outcome) << " " << limit_name(kind) << " wait " << wait.count()
                << " reset " << reset.count() << " ms " << send_ms << "\n" << rendered.body;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 8 * 5 * 7 * 6 * 2);
}

// The in-memory reading of each outcome, row by row (the contract above says the wire agrees).
TEST(Contract, FromDecisionReadsEachOutcome) {
  struct Row {
    Outcome outcome;
    LimitKind kind;
    int status;
    std::optional<ErrorCategory> error;
    std::optional<bool> should_retry;
    const char* type;
    const char* code;
  };
  const Row rows[] = {
      {Outcome::ok, LimitKind::none, 200, std::nullopt, std::nullopt, "", ""},
      {Outcome::rate_limited, LimitKind::rpm, 429, ErrorCategory::rate_limit_requests, std::nullopt,
       "requests", "rate_limit_exceeded"},
      {Outcome::rate_limited, LimitKind::tpm, 429, ErrorCategory::rate_limit_tokens, std::nullopt,
       "tokens", "rate_limit_exceeded"},
      {Outcome::rate_limited, LimitKind::rpd, 429, ErrorCategory::daily_limit, std::nullopt,
       "requests", "rate_limit_exceeded"},
      {Outcome::rate_limited, LimitKind::tpd, 429, ErrorCategory::daily_limit, std::nullopt,
       "tokens", "rate_limit_exceeded"},
      // Too large: no wait helps; other, not a rate problem.
      {Outcome::too_large, LimitKind::tpm, 429, ErrorCategory::other, std::nullopt, "tokens",
       "rate_limit_exceeded"},
      // Quota: marked final so that the SDKs do not retry it.
      {Outcome::quota_exhausted, LimitKind::none, 429, ErrorCategory::quota, false,
       "insufficient_quota", "insufficient_quota"},
      {Outcome::server_error, LimitKind::none, 500, ErrorCategory::server_5xx, std::nullopt,
       "server_error", ""},
      {Outcome::overloaded, LimitKind::none, 503, ErrorCategory::server_5xx, std::nullopt,
       "server_error", ""},
      // A hang has no response; a drop's head went out (200) and its body was cut.
      {Outcome::hang, LimitKind::none, 0, ErrorCategory::timeout, std::nullopt, "", ""},
      {Outcome::drop_mid_stream, LimitKind::none, 200, ErrorCategory::connection, std::nullopt, "",
       ""},
  };
  for (const Row& row : rows) {
    const Reading r = from_decision(decision_of(row.outcome, row.kind, from_millis(644.2),
                                                from_millis(12)), false);
    EXPECT_EQ(r.status, row.status) << outcome_name(row.outcome);
    EXPECT_EQ(r.error, row.error) << outcome_name(row.outcome);
    EXPECT_EQ(r.should_retry, row.should_retry) << outcome_name(row.outcome);
    EXPECT_EQ(r.error_type, row.type) << outcome_name(row.outcome);
    EXPECT_EQ(r.error_code, row.code) << outcome_name(row.outcome);
    EXPECT_EQ(r.retry_after.has_value(), row.outcome == Outcome::rate_limited);
    EXPECT_EQ(r.rate_limits.limit_requests.has_value(), row.outcome != Outcome::hang);
  }
}

// The headers of a refusal in the order the mock server sends them after its own.
TEST(Render, RefusalHeadersInOrder) {
  const Decision d = decision_of(Outcome::rate_limited, LimitKind::rpm, from_millis(644.2),
                                 from_millis(12.3456));
  const Response r = render(d, RenderContext{.send_retry_after_ms = true});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.delivery, Delivery::whole);
  const HeaderList expected = {{kRetryAfter, "1"},          {kRetryAfterMs, "645"},
                               {kLimitRequests, "500"},     {kLimitTokens, "200000"},
                               {kRemainingRequests, "0"},   {kRemainingTokens, "199000"},
                               {kResetRequests, "12ms"},    {kResetTokens, "4ms"}};
  EXPECT_EQ(r.headers, expected);
  EXPECT_EQ(r.body, error_json(rate_limited("", "", d.admission)));
  const Response quota = render(decision_of(Outcome::quota_exhausted, LimitKind::none, Duration{0},
                                            Duration{0}), RenderContext{});
  EXPECT_EQ(quota.headers.front(), (std::pair<std::string_view, std::string>{kShouldRetry, "false"}));
  EXPECT_EQ(render(Decision{.outcome = Outcome::hang}, RenderContext{}).delivery, Delivery::none);
  EXPECT_EQ(render(Decision{.outcome = Outcome::drop_mid_stream}, RenderContext{}).delivery,
            Delivery::cut);
}

TEST(RetryAfterHeaders, RoundUpSoThatWaitingThemSuffices) {
  Decision refused;
  refused.outcome = Outcome::rate_limited;
  // (wait, seconds, millis) rows.
  const struct { Duration wait; std::int64_t seconds; std::int64_t millis; } rows[] = {
      {from_millis(120), 1, 120},          // under a second: at least 1 s
      {from_millis(644.2), 1, 645},        // a fraction of a millisecond rounds up
      {from_seconds(20), 20, 20000},       // exact values stay
      {from_seconds(432.0001), 433, 432001},
      {Duration{0}, 1, 1},                 // never 0
  };
  for (const auto& row : rows) {
    refused.admission.wait = row.wait;
    const auto plain = retry_after_headers(refused, false);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->seconds, row.seconds);
    EXPECT_EQ(plain->millis, std::nullopt);
    EXPECT_EQ(retry_after_headers(refused, true)->millis, row.millis);
  }
  Decision ok;
  EXPECT_EQ(retry_after_headers(ok, true), std::nullopt);
  Decision too_large;
  too_large.outcome = Outcome::too_large;
  EXPECT_EQ(retry_after_headers(too_large, true), std::nullopt);
}

// --- reading headers and bodies -------------------------------------------------------------

// Garbage in a header leaves that value empty; the rest of the response is still read.
TEST(ReadRateLimitHeaders, LeavesUnreadableValuesEmpty) {
  struct Row {
    const char* what;
    const char* text;
    bool is_read;
  };
  const Row counts[] = {{"integer", "500", true}, {"negative", "-1", true}, {"word", "many", false},
                        {"empty", "", false},     {"fraction", "1.5", false}, {"space", " 1", false},
                        {"overflow", "99999999999999999999", false}};
  for (const Row& row : counts) {
    const RateLimitHeaders h = read_rate_limit_headers(ResponseHeaders{.remaining_requests = row.text});
    EXPECT_EQ(h.remaining_requests.has_value(), row.is_read) << row.what;
  }
  // Resets: Go durations; a negative one is no reset (the bucket is full again *in* that time),
  // so it reads as absent, in every reader (one parser: the socket driver and the trace agree).
  const Row resets[] = {{"ms", "120ms", true},       {"zero", "0s", true},     {"bare zero", "0", true},
                        {"minutes", "6m0s", true},   {"negative", "-1.5s", false},
                        {"negative ms", "-2ms", false}, {"no unit", "5", false}, {"word", "soon", false},
                        {"inf", "infs", false}};
  for (const Row& row : resets) {
    const RateLimitHeaders h = read_rate_limit_headers(ResponseHeaders{.reset_tokens = row.text});
    EXPECT_EQ(h.reset_tokens.has_value(), row.is_read) << row.what;
  }
  EXPECT_EQ(read_rate_limit_headers(ResponseHeaders{.reset_requests = "1m26.4s"}).reset_requests,
            from_seconds(86.4));
}

// retry-after: 99999999999999999999 overflowed the nanosecond count to a negative wait (undefined
// behaviour); waits over a day, and inf, are ignored as unparseable.
TEST(ParseRetryAfter, HugeValuesAreIgnoredNotOverflowed) {
  EXPECT_EQ(parse_retry_after(std::nullopt, "99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999", std::nullopt), std::nullopt);
  EXPECT_EQ(parse_retry_after(std::nullopt, "inf"), std::nullopt);
  EXPECT_EQ(parse_retry_after(std::nullopt, "1e300"), std::nullopt);
  // A huge retry-after-ms falls back to a sane retry-after, as an unparseable one does.
  EXPECT_EQ(parse_retry_after("1e30", "2"), from_seconds(2.0));
  // A day is the longest wait taken.
  EXPECT_EQ(parse_retry_after(std::nullopt, "86400"), from_seconds(86400.0));
  EXPECT_EQ(parse_retry_after(std::nullopt, "86401"), std::nullopt);
  EXPECT_EQ(parse_retry_after("1500", std::nullopt), from_millis(1500.0));
  // Not positive, or not a number: no wait.
  EXPECT_EQ(parse_retry_after(std::nullopt, "0"), std::nullopt);
  EXPECT_EQ(parse_retry_after(std::nullopt, "-3"), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", "2"), from_seconds(2.0));
}

TEST(ReadResponse, ReadsTheHeadersByTheirNames) {
  const HeaderList headers = {{kShouldRetry, "true"}, {kRetryAfter, "3"}, {kLimitTokens, "9"},
                              {"x-other", "1"}};
  const Reading r = read_response(200, read_headers(headers), "{}");
  EXPECT_EQ(r.should_retry, true);
  EXPECT_EQ(r.retry_after, from_seconds(3.0));
  EXPECT_EQ(r.rate_limits.limit_tokens, 9);
  EXPECT_EQ(r.error, std::nullopt);
  // x-should-retry other than true/false is not read.
  EXPECT_EQ(read_response(500, ResponseHeaders{.should_retry = "yes"}, "").should_retry, std::nullopt);
}

TEST(ReadResponse, ClassifiesTheErrorBodyAndKeepsItsTypeAndCode) {
  const std::string body = error_json(quota_exhausted());
  const Reading r = read_response(429, ResponseHeaders{}, body);
  EXPECT_EQ(r.error, ErrorCategory::quota);
  EXPECT_EQ(r.error_type, "insufficient_quota");
  EXPECT_EQ(r.error_code, "insufficient_quota");
  // A body that is not OpenAI's: the status alone decides.
  const Reading proxy = read_response(429, ResponseHeaders{}, "<html>busy</html>");
  EXPECT_EQ(proxy.error, ErrorCategory::rate_limit_requests);
  EXPECT_EQ(proxy.error_type, "");
  EXPECT_EQ(read_response(502, ResponseHeaders{}, R"({"error":"x"})").error, ErrorCategory::server_5xx);
  // No HTTP status: other, its body still read for the trace.
  const Reading odd = read_response(999, ResponseHeaders{}, body);
  EXPECT_EQ(odd.error, ErrorCategory::other);
  EXPECT_EQ(odd.error_code, "insufficient_quota");
}

TEST(ReadResponse, CutSuccessesAndUnfinishedStreamsAreConnectionErrors) {
  EXPECT_EQ(read_response(200, ResponseHeaders{}, "{", false).error, ErrorCategory::connection);
  const ResponseHeaders stream{.content_type = "text/event-stream; charset=utf-8"};
  EXPECT_EQ(read_response(200, stream, "data: {}\n\n").error, ErrorCategory::connection);
  EXPECT_EQ(read_response(200, stream, "data: {}\n\ndata: [DONE]\n\n").error, std::nullopt);
  EXPECT_EQ(read_response(Response{.delivery = Delivery::none}).error, ErrorCategory::timeout);
}

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


// --- the SDKs' retry rule -------------------------------------------------------------------

TEST(ShouldRetry, FollowsTheSdkRule) {
  const RetryConfig on;
  RetryConfig off;
  off.retry_on_429 = false;
  off.retry_on_5xx = false;
  off.retry_on_timeout = false;
  off.retry_on_connection_error = false;
  struct Row {
    const char* what;
    int status;
    std::optional<ErrorCategory> error;
    std::optional<bool> header;
    bool with_on;
    bool with_off;
  };
  const Row rows[] = {
      {"success", 200, std::nullopt, std::nullopt, false, false},
      {"429", 429, ErrorCategory::rate_limit_requests, std::nullopt, true, false},
      {"429 daily", 429, ErrorCategory::daily_limit, std::nullopt, true, false},
      {"quota told final", 429, ErrorCategory::quota, false, false, false},
      {"quota without the header", 429, ErrorCategory::quota, std::nullopt, true, false},
      {"500", 500, ErrorCategory::server_5xx, std::nullopt, true, false},
      {"timeout", 0, ErrorCategory::timeout, std::nullopt, true, false},
      {"408 is a timeout", 408, ErrorCategory::timeout, std::nullopt, true, false},
      {"connection", 0, ErrorCategory::connection, std::nullopt, true, false},
      // 409 (lock conflict): always retried, no switch.
      {"409", 409, ErrorCategory::other, std::nullopt, true, true},
      {"400", 400, ErrorCategory::other, std::nullopt, false, false},
      // x-should-retry decides over the status, either way.
      {"400 told to retry", 400, ErrorCategory::other, true, true, true},
      {"503 told not to", 503, ErrorCategory::server_5xx, false, false, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(should_retry(on, row.status, row.error, row.header), row.with_on) << row.what;
    EXPECT_EQ(should_retry(off, row.status, row.error, row.header), row.with_off) << row.what;
  }
}

}  // namespace
}  // namespace llmsim::wire
