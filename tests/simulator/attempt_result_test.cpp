#include "simulator/attempt_result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/random.hpp"
#include "models/rate_limiter.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"

namespace llmsim {
namespace {

// The retry-after seconds the provider sends with a decision (wire/openai.hpp).
std::optional<std::int64_t> retry_after_header_seconds(const Decision& decision) {
  const auto headers = wire::retry_after_headers(decision, /*send_millis=*/false);
  return headers ? std::optional<std::int64_t>(headers->seconds) : std::nullopt;
}


using std::chrono::milliseconds;
using std::chrono::seconds;

// A decision of 30 prompt tokens and 16 completion tokens (8 sent before a drop).
Decision make_decision(Outcome outcome, LimitKind refused_by = LimitKind::none,
                       Duration wait = Duration{0}) {
  Decision d;
  d.outcome = outcome;
  d.admission.admitted = outcome != Outcome::rate_limited && outcome != Outcome::too_large;
  d.admission.refused_by = refused_by;
  d.admission.wait = wait;
  d.prompt_tokens = 30;
  d.completion_tokens = outcome == Outcome::ok || outcome == Outcome::drop_mid_stream ? 16 : 0;
  d.tokens_before_drop = outcome == Outcome::drop_mid_stream ? 8 : 0;
  return d;
}

// --- from_decision ------------------------------------------------------------------------------

struct FromDecisionRow {
  const char* what;
  Outcome outcome;
  LimitKind refused_by;
  Duration wait;
  bool send_retry_after_ms;
  int status;
  std::optional<ErrorCategory> error;
  std::optional<Duration> retry_after;
  std::optional<bool> should_retry;
  std::int64_t bytes_received;  // response overhead 1,000 + text, or head 460 + error body
  std::int64_t completion_tokens;
};

class FromDecisionTest : public ::testing::TestWithParam<FromDecisionRow> {};

TEST_P(FromDecisionTest, ShowsWhatTheMockServerSends) {
  const FromDecisionRow& row = GetParam();
  ProviderConfig provider;
  provider.send_retry_after_ms = row.send_retry_after_ms;
  const AttemptResult r =
      from_decision(make_decision(row.outcome, row.refused_by, row.wait), provider, response_sizes_of(provider, false, NetworkConfig{}), TimePoint{});
  EXPECT_EQ(r.status, row.status);
  EXPECT_EQ(r.error, row.error);
  EXPECT_EQ(r.retry_after, row.retry_after);
  EXPECT_EQ(r.should_retry, row.should_retry);
  EXPECT_EQ(r.bytes_received, row.bytes_received);
  EXPECT_EQ(r.prompt_tokens, 30);
  EXPECT_EQ(r.completion_tokens, row.completion_tokens);
}

constexpr Duration kZero{0};
constexpr std::int64_t kErrorBytes = (1000 - 540) + 320;  // the head and the error object

INSTANTIATE_TEST_SUITE_P(
    Rows, FromDecisionTest,
    ::testing::Values(
        // 200 with 16 tokens of 4 bytes.
        FromDecisionRow{"ok", Outcome::ok, LimitKind::none, kZero, false, 200, std::nullopt,
                        std::nullopt, std::nullopt, 1000 + 64, 16},
        // retry-after in whole seconds: 20 s exactly.
        FromDecisionRow{"rpm_20s", Outcome::rate_limited, LimitKind::rpm, seconds(20), false, 429,
                        ErrorCategory::rate_limit_requests, seconds(20), std::nullopt, kErrorBytes, 0},
        // 644 ms rounds up to 1 s.
        FromDecisionRow{"tpm_644ms", Outcome::rate_limited, LimitKind::tpm, milliseconds(644), false,
                        429, ErrorCategory::rate_limit_tokens, seconds(1), std::nullopt, kErrorBytes, 0},
        // Just over a second rounds up to 2 s: never less than the real wait.
        FromDecisionRow{"rpm_1001ms", Outcome::rate_limited, LimitKind::rpm, milliseconds(1001),
                        false, 429, ErrorCategory::rate_limit_requests, seconds(2), std::nullopt,
                        kErrorBytes, 0},
        // No wait still sends at least 1 s (the spec's integer >= 1).
        FromDecisionRow{"rpm_zero", Outcome::rate_limited, LimitKind::rpm, kZero, false, 429,
                        ErrorCategory::rate_limit_requests, seconds(1), std::nullopt, kErrorBytes, 0},
        // RPD 200: 7m12s is 432 s.
        FromDecisionRow{"rpd", Outcome::rate_limited, LimitKind::rpd, seconds(432), false, 429,
                        ErrorCategory::daily_limit, seconds(432), std::nullopt, kErrorBytes, 0},
        // retry-after-ms (Azure): milliseconds, rounded up.
        FromDecisionRow{"ms_644", Outcome::rate_limited, LimitKind::tpm, milliseconds(644), true, 429,
                        ErrorCategory::rate_limit_tokens, milliseconds(644), std::nullopt,
                        kErrorBytes, 0},
        FromDecisionRow{"ms_84_3", Outcome::rate_limited, LimitKind::tpm, from_millis(84.3), true,
                        429, ErrorCategory::rate_limit_tokens, milliseconds(85), std::nullopt,
                        kErrorBytes, 0},
        // Like the mock server: at least 1 ms.
        FromDecisionRow{"ms_zero", Outcome::rate_limited, LimitKind::rpm, kZero, true, 429,
                        ErrorCategory::rate_limit_requests, milliseconds(1), std::nullopt,
                        kErrorBytes, 0},
        FromDecisionRow{"ms_20s", Outcome::rate_limited, LimitKind::rpm, seconds(20), true, 429,
                        ErrorCategory::rate_limit_requests, milliseconds(20000), std::nullopt,
                        kErrorBytes, 0},
        // Too large: 429 without retry-after (no wait helps).
        FromDecisionRow{"too_large", Outcome::too_large, LimitKind::tpm, kZero, false, 429,
                        ErrorCategory::other, std::nullopt, std::nullopt, kErrorBytes, 0},
        // Quota: 429 marked final with x-should-retry: false.
        FromDecisionRow{"quota", Outcome::quota_exhausted, LimitKind::none, kZero, false, 429,
                        ErrorCategory::quota, std::nullopt, false, kErrorBytes, 0},
        FromDecisionRow{"server_error", Outcome::server_error, LimitKind::none, kZero, false, 500,
                        ErrorCategory::server_5xx, std::nullopt, std::nullopt, kErrorBytes, 0},
        FromDecisionRow{"overloaded", Outcome::overloaded, LimitKind::none, kZero, false, 503,
                        ErrorCategory::server_5xx, std::nullopt, std::nullopt, kErrorBytes, 0},
        // A hang: no response at all.
        FromDecisionRow{"hang", Outcome::hang, LimitKind::none, kZero, false, 0,
                        ErrorCategory::timeout, std::nullopt, std::nullopt, 0, 0},
        // A drop: the 200 headers and 8 tokens arrived, then the close; no completion counted.
        FromDecisionRow{"drop", Outcome::drop_mid_stream, LimitKind::none, kZero, false, 200,
                        ErrorCategory::connection, std::nullopt, std::nullopt, 1000 + 32, 0}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(RetryAfterHeaderSeconds, IsCeilingSecondsAtLeastOne) {
  EXPECT_EQ(retry_after_header_seconds(make_decision(Outcome::ok)), std::nullopt);
  EXPECT_EQ(retry_after_header_seconds(make_decision(Outcome::too_large, LimitKind::tpm)),
            std::nullopt);
  EXPECT_EQ(retry_after_header_seconds(make_decision(Outcome::quota_exhausted)), std::nullopt);
  const auto seconds_for = [](Duration wait) {
    return retry_after_header_seconds(make_decision(Outcome::rate_limited, LimitKind::rpm, wait));
  };
  EXPECT_EQ(seconds_for(Duration{1}), 1);
  EXPECT_EQ(seconds_for(seconds(1)), 1);
  EXPECT_EQ(seconds_for(seconds(1) + Duration{1}), 2);
  EXPECT_EQ(seconds_for(from_seconds(43.2)), 44);
}

TEST(EstimatedBytes, CountFourBytesATokenPlusOverhead) {
  EXPECT_EQ(estimated_request_bytes(30, NetworkConfig{}), 300 + 120);
  EXPECT_EQ(estimated_request_bytes(0, NetworkConfig{.request_overhead_bytes = 50}), 50);
  const wire::ResponseSizes small = response_sizes_of(ProviderConfig{}, false, NetworkConfig{.response_overhead_bytes = 10});
  EXPECT_EQ(estimated_response_bytes(make_decision(Outcome::ok), small), 10 + 64);
  // An overhead below the success framing leaves no head: an error is its 320-byte body alone.
  EXPECT_EQ(estimated_response_bytes(make_decision(Outcome::server_error), small), 320);
  EXPECT_EQ(estimated_response_bytes(make_decision(Outcome::hang), small), 0);
}

// OpenAI's whole chat completion as the mock server sends it (wire::response_sizes): 460 bytes of
// head and 540 of JSON around the text.
constexpr std::int64_t kFraming = 540;
constexpr std::int64_t kHead = 460;

TEST(EstimatedBytes, SplitIntoHeadersAndBody) {
  const wire::ResponseSizes network = response_sizes_of(ProviderConfig{}, false, NetworkConfig{});
  struct Row {
    const char* what;
    Outcome outcome;
    std::int64_t header;
    std::int64_t body;
  };
  for (const Row& row : {
           // A success: its framing and 16 tokens of 4 bytes; the rest of the overhead headers.
           Row{"ok", Outcome::ok, kHead, kFraming + 64},
           // A stream cut after 8 tokens: the same framing and what came of the text.
           Row{"drop", Outcome::drop_mid_stream, kHead, kFraming + 32},
           // An error: the same head, and the error object is the whole body.
           Row{"429", Outcome::rate_limited, kHead, 320},
           Row{"500", Outcome::server_error, kHead, 320},
           // A hang: no response.
           Row{"hang", Outcome::hang, 0, 0}}) {
    const Decision decision = make_decision(row.outcome, LimitKind::rpm);
    const ResponseSize size = estimated_response_size(decision, network);
    EXPECT_EQ(size.header, row.header) << row.what;
    EXPECT_EQ(size.body, row.body) << row.what;
    // The two parts add up to the estimate bytes_received has always been.
    EXPECT_EQ(size.header + size.body, estimated_response_bytes(decision, network)) << row.what;
  }
  // An overhead smaller than the framing is all body: no negative headers.
  const ResponseSize tiny = estimated_response_size(
      make_decision(Outcome::ok), response_sizes_of(ProviderConfig{}, false, NetworkConfig{.response_overhead_bytes = 10}));
  EXPECT_EQ(tiny.header, 0);
  EXPECT_EQ(tiny.body, 10 + 64);
}

TEST(FromDecision, BodyBytesAreTheBodyOfTheEstimate) {
  const ProviderConfig provider;
  const AttemptResult ok = from_decision(make_decision(Outcome::ok), provider, response_sizes_of(provider, false, NetworkConfig{}), TimePoint{});
  EXPECT_EQ(ok.bytes_received, 1000 + 64);
  EXPECT_EQ(ok.body_bytes, kFraming + 64);
  const AttemptResult refused = from_decision(make_decision(Outcome::rate_limited, LimitKind::rpm),
                                              provider, response_sizes_of(provider, false, NetworkConfig{}), TimePoint{});
  EXPECT_EQ(refused.body_bytes, 320);
  const AttemptResult hang = from_decision(make_decision(Outcome::hang), provider, response_sizes_of(provider, false, NetworkConfig{}), TimePoint{});
  EXPECT_EQ(hang.body_bytes, 0);
}

// --- retry_delay: the official SDKs' rule -------------------------------------------------------

enum class Expect { no_retry, retry_after, backoff };

struct RetryRow {
  const char* what;
  RetryConfig config;
  AttemptResult result;
  int retries_made;
  Expect expect;
  Duration wait;  // Expect::retry_after only
};

class RetryDelayTest : public ::testing::TestWithParam<RetryRow> {};

// Returns the SDK backoff for retry n drawn from `rng`: min(0.5 * 2^n, 8) s * (1 - 0.25 U).
Duration sdk_backoff(int n, RandomStream rng) {
  const double base = std::min(0.5 * std::pow(2.0, n), 8.0);
  return from_seconds(base * (1.0 - 0.25 * rng.uniform01()));
}

TEST_P(RetryDelayTest, FollowsTheSdkRule) {
  const RetryRow& row = GetParam();
  const RandomStream rng(1, "backoff", 7, static_cast<std::uint64_t>(row.retries_made));
  const std::optional<Duration> wait = retry_delay(row.config, row.result, row.retries_made, rng);
  switch (row.expect) {
    case Expect::no_retry: EXPECT_EQ(wait, std::nullopt); break;
    case Expect::retry_after: EXPECT_EQ(wait, row.wait); break;
    case Expect::backoff: EXPECT_EQ(wait, sdk_backoff(row.retries_made, rng)); break;
  }
}

AttemptResult failed(int status, std::optional<ErrorCategory> error,
                     std::optional<Duration> retry_after = std::nullopt,
                     std::optional<bool> should_retry = std::nullopt) {
  return AttemptResult{.error = error, .status = status, .retry_after = retry_after,
                       .should_retry = should_retry};
}

const RetryConfig kTwo{.max_retries = 2};
const AttemptResult k429 = failed(429, ErrorCategory::rate_limit_requests);
const AttemptResult k429After20s = failed(429, ErrorCategory::rate_limit_requests, seconds(20));

INSTANTIATE_TEST_SUITE_P(
    Rows, RetryDelayTest,
    ::testing::Values(
        // A success is never retried.
        RetryRow{"success", kTwo, AttemptResult{.status = 200}, 0, Expect::no_retry, kZero},
        // retry-after of 20 s is honoured.
        RetryRow{"retry_after", kTwo, k429After20s, 0, Expect::retry_after, seconds(20)},
        // No retry once max_retries were made, or when none are configured.
        RetryRow{"max_reached", kTwo, k429After20s, 2, Expect::no_retry, kZero},
        RetryRow{"max_zero", RetryConfig{}, k429After20s, 0, Expect::no_retry, kZero},
        // The second of two retries is still made.
        RetryRow{"second_retry", kTwo, k429, 1, Expect::backoff, kZero},
        // 429 retries switched off.
        RetryRow{"429_off", {.max_retries = 2, .retry_on_429 = false}, k429After20s, 0,
                 Expect::no_retry, kZero},
        // 429 without retry-after: backoff.
        RetryRow{"429_no_header", kTwo, k429, 0, Expect::backoff, kZero},
        // retry-after honoured only when 0 < wait <= max_retry_after_s (60 s).
        RetryRow{"after_zero", kTwo, failed(429, ErrorCategory::rate_limit_requests, kZero), 0,
                 Expect::backoff, kZero},
        RetryRow{"after_60s", kTwo, failed(429, ErrorCategory::rate_limit_requests, seconds(60)), 0,
                 Expect::retry_after, seconds(60)},
        RetryRow{"after_60s_1ns",
                 kTwo, failed(429, ErrorCategory::rate_limit_requests, seconds(60) + Duration{1}), 0,
                 Expect::backoff, kZero},
        RetryRow{"after_644ms", kTwo, failed(429, ErrorCategory::rate_limit_tokens, milliseconds(644)),
                 0, Expect::retry_after, milliseconds(644)},
        // retry-after ignored when not honoured.
        RetryRow{"after_ignored", {.max_retries = 2, .honor_retry_after = false}, k429After20s, 0,
                 Expect::backoff, kZero},
        // 5xx retried, with retry-after when sent; switch off.
        RetryRow{"500", kTwo, failed(500, ErrorCategory::server_5xx), 0, Expect::backoff, kZero},
        RetryRow{"502", kTwo, failed(502, ErrorCategory::server_5xx), 0, Expect::backoff, kZero},
        RetryRow{"503_after", kTwo, failed(503, ErrorCategory::server_5xx, seconds(2)), 0,
                 Expect::retry_after, seconds(2)},
        RetryRow{"5xx_off", {.max_retries = 2, .retry_on_5xx = false},
                 failed(500, ErrorCategory::server_5xx), 0, Expect::no_retry, kZero},
        // Client timeouts and 408; switch off.
        RetryRow{"timeout", kTwo, failed(0, ErrorCategory::timeout), 0, Expect::backoff, kZero},
        RetryRow{"408", kTwo, failed(408, ErrorCategory::timeout), 0, Expect::backoff, kZero},
        RetryRow{"timeout_off", {.max_retries = 2, .retry_on_timeout = false},
                 failed(0, ErrorCategory::timeout), 0, Expect::no_retry, kZero},
        // Connection errors; switch off.
        RetryRow{"connection", kTwo, failed(0, ErrorCategory::connection), 0, Expect::backoff, kZero},
        RetryRow{"connection_off", {.max_retries = 2, .retry_on_connection_error = false},
                 failed(0, ErrorCategory::connection), 0, Expect::no_retry, kZero},
        // 409 (lock conflict) is retried; other 4xx are not.
        RetryRow{"409", kTwo, failed(409, ErrorCategory::other), 0, Expect::backoff, kZero},
        RetryRow{"400", kTwo, failed(400, ErrorCategory::other), 0, Expect::no_retry, kZero},
        RetryRow{"401", kTwo, failed(401, ErrorCategory::other), 0, Expect::no_retry, kZero},
        RetryRow{"404", kTwo, failed(404, ErrorCategory::other), 0, Expect::no_retry, kZero},
        // Too large is a 429 for the SDKs: retried with backoff.
        RetryRow{"too_large", kTwo, failed(429, ErrorCategory::other), 0, Expect::backoff, kZero},
        // x-should-retry overrides the status rule both ways.
        RetryRow{"should_true_400", kTwo, failed(400, ErrorCategory::other, std::nullopt, true), 0,
                 Expect::backoff, kZero},
        RetryRow{"should_false_500", kTwo,
                 failed(500, ErrorCategory::server_5xx, std::nullopt, false), 0, Expect::no_retry,
                 kZero},
        RetryRow{"should_false_429", kTwo,
                 failed(429, ErrorCategory::rate_limit_requests, seconds(1), false), 0,
                 Expect::no_retry, kZero},
        // ... but not max_retries.
        RetryRow{"should_true_max", kTwo,
                 failed(400, ErrorCategory::other, std::nullopt, true), 2, Expect::no_retry, kZero},
        // insufficient_quota: retried by the SDKs unless the server says x-should-retry: false.
        RetryRow{"quota_final", kTwo, failed(429, ErrorCategory::quota, std::nullopt, false), 0,
                 Expect::no_retry, kZero},
        RetryRow{"quota_unmarked", kTwo, failed(429, ErrorCategory::quota), 0, Expect::backoff,
                 kZero}),
    [](const auto& row) { return std::string(row.param.what); });

TEST(Backoff, StaysWithinTheSdkBoundsForEachRetry) {
  const RetryConfig config{.max_retries = 10};
  const AttemptResult result = failed(500, ErrorCategory::server_5xx);
  constexpr int kStreams = 1000;
  // n = 0..5: bases 0.5, 1, 2, 4 s, then capped at 8 s.
  const double bases[] = {0.5, 1.0, 2.0, 4.0, 8.0, 8.0};
  for (int n = 0; n <= 5; ++n) {
    const double base = bases[n];
    Duration low = Duration::max(), high = Duration::min();
    for (std::uint64_t id = 0; id < kStreams; ++id) {
      const Duration wait = *retry_delay(config, result, n, RandomStream(9, "backoff", id, 0));
      low = std::min(low, wait);
      high = std::max(high, wait);
    }
    // Within (0.75 base, base]; 1000 draws come within 1% of both ends (chance of not: 0.96^1000).
    EXPECT_GE(low, from_seconds(0.75 * base)) << n;
    EXPECT_LE(high, from_seconds(base)) << n;
    EXPECT_LT(low, from_seconds(0.76 * base)) << n;
    EXPECT_GT(high, from_seconds(0.99 * base)) << n;
  }
}

TEST(Backoff, UsesTheConfiguredBaseCapAndJitter) {
  const RetryConfig config{.max_retries = 10, .initial_backoff_s = 1.0, .max_backoff_s = 4.0,
                           .jitter = 0.5};
  const AttemptResult result = failed(0, ErrorCategory::connection);
  const RandomStream rng(3, "backoff", 1, 0);
  RandomStream copy = rng;
  const double u = copy.uniform01();
  // n = 3: min(1 * 8, 4) * (1 - 0.5 U).
  EXPECT_EQ(retry_delay(config, result, 3, rng), from_seconds(4.0 * (1.0 - 0.5 * u)));
  EXPECT_EQ(retry_delay(config, result, 0, rng), from_seconds(1.0 * (1.0 - 0.5 * u)));
}

TEST(Backoff, DrawsFromTheGivenStreamDeterministically) {
  const RetryConfig config{.max_retries = 5};
  const AttemptResult result = failed(503, ErrorCategory::server_5xx);
  const std::optional<Duration> first = retry_delay(config, result, 1, RandomStream(1, "backoff", 7, 1));
  EXPECT_EQ(retry_delay(config, result, 1, RandomStream(1, "backoff", 7, 1)), first);
  EXPECT_NE(retry_delay(config, result, 1, RandomStream(1, "backoff", 7, 2)), first);
  EXPECT_NE(retry_delay(config, result, 1, RandomStream(1, "backoff", 8, 1)), first);
  EXPECT_NE(retry_delay(config, result, 1, RandomStream(2, "backoff", 7, 1)), first);
}

TEST(Backoff, MeanIsSevenEighthsOfTheBase) {
  const RetryConfig config{.max_retries = 5};
  const AttemptResult result = failed(0, ErrorCategory::timeout);
  constexpr int kStreams = 10000;
  double sum = 0;
  for (std::uint64_t id = 0; id < kStreams; ++id) {
    sum += to_seconds(*retry_delay(config, result, 1, RandomStream(5, "backoff", id, 1)));
  }
  // Base 1 s: E = 1 - 0.25 / 2; sd of one draw 0.25 / sqrt(12).
  EXPECT_NEAR(sum / kStreams, 0.875, 4.0 * 0.25 / std::sqrt(12.0) / std::sqrt(kStreams));
}

TEST(FromDecisionAnthropic, ShowsWhatTheAnthropicFaceSends) {
  ProviderConfig provider;
  provider.api = ProviderApi::anthropic;
  const RetryConfig sdk{.max_retries = 2};
  const auto seen = [&](Outcome outcome, LimitKind kind = LimitKind::none) {
    return from_decision(make_decision(outcome, kind, from_millis(1500)), provider, response_sizes_of(provider, false, NetworkConfig{}),
                         TimePoint{std::chrono::seconds(1'755'780'059)});
  };
  const AttemptResult overloaded = seen(Outcome::overloaded);
  EXPECT_EQ(overloaded.status, 529);
  EXPECT_EQ(overloaded.error, ErrorCategory::server_5xx);
  EXPECT_TRUE(wire::should_retry(sdk, overloaded.status, overloaded.error, overloaded.should_retry));
  const AttemptResult billing = seen(Outcome::quota_exhausted);
  EXPECT_EQ(billing.status, 402);
  EXPECT_EQ(billing.error, ErrorCategory::quota);
  EXPECT_EQ(retry_delay(sdk, billing, 0, RandomStream(1, "backoff", 1, 1)), std::nullopt);
  const AttemptResult refused = seen(Outcome::rate_limited, LimitKind::otpm);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.error, ErrorCategory::rate_limit_tokens);
  EXPECT_EQ(refused.retry_after, from_seconds(2));  // retry-after in whole seconds, rounded up
}

}  // namespace
}  // namespace llmsim
