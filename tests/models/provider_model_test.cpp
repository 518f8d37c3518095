#include "models/provider_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/distribution.hpp"
#include "models/rate_limiter.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"
#include "models/token_model.hpp"
#include "wire/go_duration.hpp"

namespace llmsim {
namespace {

using ::testing::ElementsAre;
using wire::go_duration;  // the waits read as OpenAI writes them
using ::testing::Pair;
using ::testing::_;

constexpr TimePoint kStart{};
constexpr std::uint64_t kSeed = 42;

// Constant timings, so every duration below is exact: ttft 500 ms, 20 ms a token, refusals 50 ms,
// 16 completion tokens.
ProviderConfig constant_config(RateLimits limits = {.rpm = 500, .tpm = 200000}) {
  ProviderConfig config;
  config.limits = limits;
  config.latency.time_to_first_token_s = Distribution::constant(0.5);
  config.latency.per_token_s = Distribution::constant(0.02);
  config.latency.refused_s = Distribution::constant(0.05);
  config.tokens.completion_tokens = Distribution::constant(16.0);
  return config;
}

// Varying timings and lengths, so that different streams give different draws.
ProviderConfig random_config(RateLimits limits = {}) {
  ProviderConfig config = constant_config(limits);
  config.latency.time_to_first_token_s = Distribution::lognormal(0.6, 0.35);
  config.latency.per_token_s = Distribution::lognormal(0.02, 0.2);
  config.latency.refused_s = Distribution::lognormal(0.05, 0.3);
  config.tokens.completion_tokens = Distribution::uniform(10.0, 500.0);
  return config;
}

ProviderRequest make_request(std::uint64_t id, std::int64_t prompt_tokens = 30,
                             std::string key = "default") {
  return ProviderRequest{.key = std::move(key), .prompt_tokens = prompt_tokens, .request_id = id};
}

void expect_same(const Decision& a, const Decision& b) {
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.admission.admitted, b.admission.admitted);
  EXPECT_EQ(a.admission.refused_by, b.admission.refused_by);
  EXPECT_EQ(a.admission.wait, b.admission.wait);
  EXPECT_EQ(a.time_to_first_token, b.time_to_first_token);
  EXPECT_EQ(a.per_token, b.per_token);
  EXPECT_EQ(a.completion_tokens, b.completion_tokens);
  EXPECT_EQ(a.tokens_before_drop, b.tokens_before_drop);
  EXPECT_EQ(a.error_delay, b.error_delay);
}

// --- Order: admission, then faults, then the completion --------------------------------------

struct OrderRow {
  const char* what;
  RateLimits limits;
  std::optional<Outcome> certain_fault;       // its probability set to 1
  std::vector<std::int64_t> earlier_prompts;  // admitted first, at the same instant
  std::int64_t prompt_tokens;
  std::optional<std::int64_t> max_tokens;
  int n;
  Outcome outcome;
  LimitKind refused_by;
  const char* wait;  // go_duration of the admission's wait
};

class OrderTest : public ::testing::TestWithParam<OrderRow> {};

TEST_P(OrderTest, RefusalsCarryTheLimitersAdmission) {
  const OrderRow& row = GetParam();
  ProviderConfig config = constant_config(row.limits);
  if (row.certain_fault == Outcome::server_error) config.faults.server_error = 1.0;
  if (row.certain_fault == Outcome::quota_exhausted) config.faults.quota_exhausted = 1.0;
  if (row.certain_fault == Outcome::overloaded) config.faults.overloaded = 1.0;
  ProviderModel provider(config, kSeed);
  RateLimiter twin(row.limits);  // the same limiter, driven by hand
  const TimePoint now = kStart + from_seconds(5);
  std::uint64_t id = 0;
  for (std::int64_t prompt : row.earlier_prompts) {
    EXPECT_TRUE(provider.decide(make_request(id++, prompt), now).admission.admitted);
    ASSERT_TRUE(twin.try_admit(now, prompt).admitted);
  }
  ProviderRequest request = make_request(id, row.prompt_tokens);
  request.max_tokens = row.max_tokens;
  request.n = row.n;
  const Decision d = provider.decide(request, now);
  const Admission expected =
      twin.try_admit(now, rate_limit_cost(row.prompt_tokens, row.max_tokens, row.n));

  EXPECT_EQ(d.outcome, row.outcome);
  EXPECT_EQ(d.admission.admitted, expected.admitted);
  EXPECT_EQ(d.admission.too_large, expected.too_large);
  EXPECT_EQ(d.admission.refused_by, row.refused_by);
  EXPECT_EQ(d.admission.limit, expected.limit);
  EXPECT_EQ(d.admission.used, expected.used);
  EXPECT_EQ(d.admission.requested, expected.requested);
  EXPECT_EQ(go_duration(d.admission.wait), row.wait);
  EXPECT_EQ(d.admission.headers.remaining_requests, expected.headers.remaining_requests);
  EXPECT_EQ(d.admission.headers.remaining_tokens, expected.headers.remaining_tokens);
  if (d.outcome == Outcome::ok) {
    EXPECT_EQ(d.total_time(), from_millis(500 + 20 * 15));  // 16 tokens
  } else {
    // Refusals and errors answer after refused_s, with no completion.
    EXPECT_EQ(d.total_time(), from_millis(50));
    EXPECT_EQ(d.completion_tokens, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, OrderTest,
    ::testing::Values(
        // A fresh account admits and completes.
        OrderRow{"admitted", {.rpm = 500, .tpm = 200000}, {}, {}, 30, {}, 1, Outcome::ok,
                 LimitKind::none, "0s"},
        // RPM 3, three spent: "Please try again in 20s".
        OrderRow{"rpm", {.rpm = 3}, {}, {1, 1, 1}, 30, {}, 1, Outcome::rate_limited,
                 LimitKind::rpm, "20s"},
        // TPM 30000, 29937 spent, 385 requested: 644 ms.
        OrderRow{"tpm", {.rpm = 500, .tpm = 30000}, {}, {29937}, 385, {}, 1, Outcome::rate_limited,
                 LimitKind::tpm, "644ms"},
        // max_tokens * n is the TPM cost: 3 x 400 = 1200 exceeds TPM 1000, too large.
        OrderRow{"n_times_max_tokens", {.tpm = 1000}, {}, {}, 30, 400, 3, Outcome::too_large,
                 LimitKind::tpm, "0s"},
        // A prompt above the TPM capacity is too large at once: no wait.
        OrderRow{"too_large", {.rpm = 500, .tpm = 1000}, {}, {}, 2000, {}, 1, Outcome::too_large,
                 LimitKind::tpm, "0s"},
        // RPD 2 after two requests: one request refills in 12 h.
        OrderRow{"rpd", {.rpm = 100, .rpd = 2}, {}, {1, 1}, 30, {}, 1, Outcome::rate_limited,
                 LimitKind::rpd, "12h0m0s"},
        // Admission comes before faults: a certain 500 does not hide the 429.
        OrderRow{"refused_before_fault", {.rpm = 1}, Outcome::server_error, {1}, 30, {}, 1,
                 Outcome::rate_limited, LimitKind::rpm, "1m0s"},
        // Admitted, then the fault: a 500 after the limiter debited the request.
        OrderRow{"fault_after_admission", {.rpm = 1}, Outcome::server_error, {}, 30, {}, 1,
                 Outcome::server_error, LimitKind::none, "0s"},
        // A certain quota fault: 429 insufficient_quota after admission.
        OrderRow{"quota", {.rpm = 10}, Outcome::quota_exhausted, {}, 30, {}, 1,
                 Outcome::quota_exhausted, LimitKind::none, "0s"},
        // A certain overload: 503.
        OrderRow{"overloaded", {.rpm = 10}, Outcome::overloaded, {}, 30, {}, 1,
                 Outcome::overloaded, LimitKind::none, "0s"}),
    [](const auto& row) { return std::string(row.param.what); });

// --- Forced outcomes (x-llmsim-fault) ---------------------------------------------------------

TEST(ForcedFault, ParsesTheHeaderValues) {
  EXPECT_EQ(parse_forced_fault("500"), Outcome::server_error);
  EXPECT_EQ(parse_forced_fault("503"), Outcome::overloaded);
  EXPECT_EQ(parse_forced_fault("hang"), Outcome::hang);
  EXPECT_EQ(parse_forced_fault("drop"), Outcome::drop_mid_stream);
  EXPECT_EQ(parse_forced_fault("quota"), Outcome::quota_exhausted);
  EXPECT_EQ(parse_forced_fault("429"), Outcome::rate_limited);
  EXPECT_EQ(parse_forced_fault("ok"), Outcome::ok);
  // "slow" is not an outcome (force_slow_first_byte); unknown and differently cased text neither.
  EXPECT_EQ(parse_forced_fault("slow"), std::nullopt);
  EXPECT_EQ(parse_forced_fault("OK"), std::nullopt);
  EXPECT_EQ(parse_forced_fault(""), std::nullopt);
}

TEST(ForcedFault, NamesEveryOutcome) {
  EXPECT_STREQ(outcome_name(Outcome::ok), "ok");
  EXPECT_STREQ(outcome_name(Outcome::rate_limited), "rate_limited");
  EXPECT_STREQ(outcome_name(Outcome::too_large), "too_large");
  EXPECT_STREQ(outcome_name(Outcome::quota_exhausted), "quota_exhausted");
  EXPECT_STREQ(outcome_name(Outcome::server_error), "server_error");
  EXPECT_STREQ(outcome_name(Outcome::overloaded), "overloaded");
  EXPECT_STREQ(outcome_name(Outcome::hang), "hang");
  EXPECT_STREQ(outcome_name(Outcome::drop_mid_stream), "drop_mid_stream");
}

TEST(ForcedFault, Forced429SkipsTheLimiterAndDoesNotDebit) {
  ProviderModel provider(constant_config({.rpm = 500, .tpm = 200000}), kSeed);
  ProviderRequest request = make_request(1);
  request.forced = Outcome::rate_limited;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_FALSE(d.admission.admitted);
  // As if the requests bucket were empty: Limit 500, Used 500, Requested 1, one request in 120 ms.
  EXPECT_EQ(d.admission.refused_by, LimitKind::rpm);
  EXPECT_EQ(d.admission.limit, 500);
  EXPECT_EQ(d.admission.used, 500);
  EXPECT_EQ(d.admission.requested, 1);
  EXPECT_EQ(d.admission.wait, from_millis(120));
  EXPECT_EQ(d.error_delay, from_millis(50));
  EXPECT_EQ(d.admission.headers.remaining_requests, 500);  // nothing debited
  EXPECT_EQ(provider.headers("default", kStart).remaining_requests, 500);
  // The next real request sees the full bucket.
  EXPECT_EQ(provider.decide(make_request(2), kStart).admission.headers.remaining_requests, 499);
}

TEST(ForcedFault, Forced429OnATokensOnlyAccountNamesTpm) {
  ProviderModel provider(constant_config({.tpm = 200000}), kSeed);
  ProviderRequest request = make_request(1);
  request.forced = Outcome::rate_limited;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.admission.refused_by, LimitKind::tpm);
  EXPECT_EQ(d.admission.wait, std::chrono::microseconds(300));  // 60 s / 200000
}

TEST(ForcedFault, Forced429NamingADailyLimitWaitsOneUnitOfTheDay) {
  ProviderModel provider(constant_config({.rpm = 500, .tpd = 1000}), kSeed);
  ProviderRequest request = make_request(1);
  request.forced = Outcome::rate_limited;
  request.forced_limit = LimitKind::tpd;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.admission.refused_by, LimitKind::tpd);
  EXPECT_EQ(d.admission.limit, 1000);
  EXPECT_EQ(d.admission.used, 1000);
  EXPECT_EQ(d.admission.wait, from_millis(86'400));  // 24 h / 1000
  EXPECT_EQ(d.admission.headers.remaining_requests, 500);  // nothing debited
}

TEST(ForcedFault, Forced500StillDebits) {
  ProviderModel provider(constant_config({.rpm = 500}), kSeed);
  ProviderRequest request = make_request(1);
  request.forced = Outcome::server_error;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.outcome, Outcome::server_error);
  EXPECT_TRUE(d.admission.admitted);
  EXPECT_EQ(d.admission.headers.remaining_requests, 499);
  EXPECT_EQ(d.total_time(), from_millis(50));
}

TEST(ForcedFault, ForcedFaultStillGoesThroughAdmission) {
  ProviderModel provider(constant_config({.rpm = 1}), kSeed);
  ASSERT_EQ(provider.decide(make_request(1), kStart).outcome, Outcome::ok);
  ProviderRequest request = make_request(2);
  request.forced = Outcome::server_error;
  EXPECT_EQ(provider.decide(request, kStart).outcome, Outcome::rate_limited);
}

struct ForcedRow {
  const char* what;
  std::optional<Outcome> forced;
  bool slow;
  Outcome outcome;
  Duration total;
};

class ForcedOutcomeTest : public ::testing::TestWithParam<ForcedRow> {};

TEST_P(ForcedOutcomeTest, OverridesTheFaultDraw) {
  const ForcedRow& row = GetParam();
  ProviderConfig config = constant_config();
  config.faults.server_error = 1.0;  // every unforced request would be a 500
  ProviderModel provider(config, kSeed);
  ProviderRequest request = make_request(3);
  request.forced = row.forced;
  request.force_slow_first_byte = row.slow;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.outcome, row.outcome);
  EXPECT_EQ(d.total_time(), row.total);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ForcedOutcomeTest,
    ::testing::Values(
        // Not forced: the fault draw decides (500 for sure).
        ForcedRow{"unforced", {}, false, Outcome::server_error, from_millis(50)},
        // Forced ok beats the certain 500: 500 ms + 15 x 20 ms.
        ForcedRow{"ok", Outcome::ok, false, Outcome::ok, from_millis(800)},
        // Forced ok and slow: 10 s more before the first token.
        ForcedRow{"ok_slow", Outcome::ok, true, Outcome::ok, from_millis(10800)},
        // Slow alone does not beat the draw: the fault comes first.
        ForcedRow{"slow_only", {}, true, Outcome::server_error, from_millis(50)},
        // A forced drop is never slow: half of 16 tokens go out, 500 ms + 7 x 20 ms.
        ForcedRow{"drop_slow", Outcome::drop_mid_stream, true, Outcome::drop_mid_stream,
                  from_millis(640)},
        // A hang never answers.
        ForcedRow{"hang", Outcome::hang, false, Outcome::hang, Duration::max()},
        // 503 and quota answer after refused_s.
        ForcedRow{"overloaded", Outcome::overloaded, false, Outcome::overloaded, from_millis(50)},
        ForcedRow{"quota", Outcome::quota_exhausted, false, Outcome::quota_exhausted,
                  from_millis(50)}),
    [](const auto& row) { return std::string(row.param.what); });

// --- Fault probabilities ------------------------------------------------------------------------

TEST(FaultDraw, RecoversEveryProbability) {
  ProviderConfig config = constant_config({});  // no limits: every request is admitted
  config.faults = FaultConfig{.server_error = 0.01, .overloaded = 0.02, .timeout = 0.005,
                              .drop_mid_stream = 0.03, .quota_exhausted = 0.002,
                              .slow_first_byte = 0.05};
  ProviderModel provider(config, kSeed);
  constexpr int kDecisions = 100000;
  int server_error = 0, overloaded = 0, hang = 0, drop = 0, quota = 0, slow = 0;
  for (int i = 0; i < kDecisions; ++i) {
    const Decision d = provider.decide(make_request(static_cast<std::uint64_t>(i)), kStart);
    switch (d.outcome) {
      case Outcome::server_error: ++server_error; break;
      case Outcome::overloaded: ++overloaded; break;
      case Outcome::hang: ++hang; break;
      case Outcome::drop_mid_stream: ++drop; break;
      case Outcome::quota_exhausted: ++quota; break;
      case Outcome::ok: slow += d.time_to_first_token == from_millis(10500) ? 1 : 0; break;
      default: ADD_FAILURE() << outcome_name(d.outcome);
    }
  }
  // Within 4 binomial standard deviations of n * p.
  const auto expect_near = [](int count, double p, const char* what) {
    const double mean = kDecisions * p;
    const double sd = std::sqrt(kDecisions * p * (1.0 - p));
    EXPECT_NEAR(count, mean, 4.0 * sd) << what;
  };
  expect_near(server_error, 0.01, "server_error");
  expect_near(overloaded, 0.02, "overloaded");
  expect_near(hang, 0.005, "timeout");
  expect_near(drop, 0.03, "drop_mid_stream");
  expect_near(quota, 0.002, "quota_exhausted");
  expect_near(slow, 0.05, "slow_first_byte");
}

// --- Determinism --------------------------------------------------------------------------------

TEST(Determinism, SameSeedKeyRequestAndAttemptGiveTheSameDecision) {
  ProviderModel a(random_config(), kSeed);
  ProviderModel b(random_config(), kSeed);
  ProviderRequest request = make_request(17);
  request.attempt = 2;
  expect_same(a.decide(request, kStart), b.decide(request, kStart));
}

TEST(Determinism, DrawsDoNotDependOnOtherRequests) {
  ProviderModel busy(random_config(), kSeed);
  ProviderModel quiet(random_config(), kSeed);
  for (std::uint64_t id = 0; id < 10; ++id) busy.decide(make_request(id), kStart);
  expect_same(busy.decide(make_request(5), kStart), quiet.decide(make_request(5), kStart));
}

TEST(Determinism, EachAttemptAndRequestHasItsOwnDraws) {
  ProviderModel provider(random_config(), kSeed);
  const Decision first = provider.decide(make_request(17), kStart);
  ProviderRequest retry = make_request(17);
  retry.attempt = 1;
  const Decision second = provider.decide(retry, kStart);
  const Decision other = provider.decide(make_request(18), kStart);
  EXPECT_NE(first.time_to_first_token, second.time_to_first_token);
  EXPECT_NE(first.completion_tokens, second.completion_tokens);
  EXPECT_NE(first.time_to_first_token, other.time_to_first_token);
  ProviderModel reseeded(random_config(), kSeed + 1);
  EXPECT_NE(first.time_to_first_token, reseeded.decide(make_request(17), kStart).time_to_first_token);
}

TEST(Determinism, EachKeyHasItsOwnStreamsAndLimiter) {
  ProviderModel provider(random_config({.rpm = 1}), kSeed);
  const Decision a = provider.decide(make_request(1, 30, "key-a"), kStart);
  const Decision b = provider.decide(make_request(1, 30, "key-b"), kStart);
  // Both admitted: key-b's limiter is not key-a's.
  EXPECT_EQ(a.outcome, Outcome::ok);
  EXPECT_EQ(b.outcome, Outcome::ok);
  EXPECT_NE(a.time_to_first_token, b.time_to_first_token);
  EXPECT_EQ(provider.decide(make_request(2, 30, "key-a"), kStart).outcome, Outcome::rate_limited);
  EXPECT_EQ(provider.decide(make_request(2, 30, "key-b"), kStart).outcome, Outcome::rate_limited);
  EXPECT_EQ(provider.decide(make_request(2, 30, "key-c"), kStart).outcome, Outcome::ok);
}

// --- Initial usage ------------------------------------------------------------------------------

TEST(InitialUsage, ConsumesTheDailyRequestBudgetOfEachKey) {
  ProviderConfig config = constant_config({.rpm = 100, .rpd = 10});
  config.initial_usage.requests_today = 9;
  ProviderModel provider(config, kSeed);
  for (const char* key : {"a", "b"}) {
    EXPECT_EQ(provider.decide(make_request(1, 30, key), kStart).outcome, Outcome::ok) << key;
    const Decision second = provider.decide(make_request(2, 30, key), kStart);
    EXPECT_EQ(second.outcome, Outcome::rate_limited) << key;
    EXPECT_EQ(second.admission.refused_by, LimitKind::rpd) << key;
    EXPECT_EQ(go_duration(second.admission.wait), "2h24m0s") << key;  // a day / 10
  }
}

TEST(InitialUsage, ConsumesTheDailyTokenBudget) {
  ProviderConfig config = constant_config({.tpd = 1000});
  config.initial_usage.tokens_today = 990;
  ProviderModel provider(config, kSeed);
  EXPECT_EQ(provider.decide(make_request(1, 10), kStart).outcome, Outcome::ok);
  const Decision d = provider.decide(make_request(2, 10), kStart);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.admission.refused_by, LimitKind::tpd);
}

TEST(InitialUsage, IsIgnoredWithoutADailyLimit) {
  ProviderConfig config = constant_config({.rpm = 100});
  config.initial_usage.requests_today = 1000;
  ProviderModel provider(config, kSeed);
  for (std::uint64_t id = 0; id < 100; ++id) {
    EXPECT_EQ(provider.decide(make_request(id), kStart).outcome, Outcome::ok) << id;
  }
}

// --- Completion tokens and total time ---------------------------------------------------------

struct TokensRow {
  const char* what;
  std::optional<std::int64_t> max_tokens;
  int n;
  bool is_embedding;
  std::int64_t total, per_choice;
};

class CompletionTokensTest : public ::testing::TestWithParam<TokensRow> {};

TEST_P(CompletionTokensTest, CappedByMaxTokensTimesN) {
  const TokensRow& row = GetParam();
  ProviderModel provider(constant_config({}), kSeed);
  ProviderRequest request = make_request(1);
  request.max_tokens = row.max_tokens;
  request.n = row.n;
  request.is_embedding = row.is_embedding;
  const Decision d = provider.decide(request, kStart);
  EXPECT_EQ(d.completion_tokens, row.total);
  EXPECT_EQ(d.completion_tokens_per_choice(), row.per_choice);
  // The n choices stream together: the time is that of one choice.
  const std::int64_t later_tokens = std::max<std::int64_t>(0, row.per_choice - 1);
  EXPECT_EQ(d.total_time(), from_millis(500.0 + 20.0 * static_cast<double>(later_tokens)));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CompletionTokensTest,
    ::testing::Values(
        // The drawn 16 tokens.
        TokensRow{"drawn", {}, 1, false, 16, 16},
        // max_tokens 10 caps the draw.
        TokensRow{"capped", 10, 1, false, 10, 10},
        // A cap above the draw changes nothing.
        TokensRow{"cap_above", 100, 1, false, 16, 16},
        // n = 3: three choices of the capped length.
        TokensRow{"capped_n3", 10, 3, false, 30, 10},
        // n = 2 without a cap.
        TokensRow{"n2", {}, 2, false, 32, 16},
        // n = 0 counts as one choice.
        TokensRow{"n0", {}, 0, false, 16, 16},
        // Embeddings generate nothing: the time is the first-token time.
        TokensRow{"embedding", {}, 1, true, 0, 0}),
    [](const auto& row) { return std::string(row.param.what); });

struct TotalTimeRow {
  const char* what;
  Outcome outcome;
  std::int64_t completion_tokens;
  int choices;
  std::int64_t tokens_before_drop;
  Duration total;
};

class TotalTimeTest : public ::testing::TestWithParam<TotalTimeRow> {};

TEST_P(TotalTimeTest, FollowsTheOutcome) {
  const TotalTimeRow& row = GetParam();
  Decision d;
  d.outcome = row.outcome;
  d.time_to_first_token = from_millis(500);
  d.per_token = from_millis(20);
  d.error_delay = from_millis(50);
  d.completion_tokens = row.completion_tokens;
  d.choices = row.choices;
  d.tokens_before_drop = row.tokens_before_drop;
  EXPECT_EQ(d.total_time(), row.total);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TotalTimeTest,
    ::testing::Values(
        // ok: ttft + per_token * (tokens - 1).
        TotalTimeRow{"ok", Outcome::ok, 16, 1, 0, from_millis(800)},
        // ok, two choices of 16: the same time.
        TotalTimeRow{"ok_n2", Outcome::ok, 32, 2, 0, from_millis(800)},
        // ok with one token or none: the first-token time.
        TotalTimeRow{"ok_one", Outcome::ok, 1, 1, 0, from_millis(500)},
        TotalTimeRow{"ok_none", Outcome::ok, 0, 1, 0, from_millis(500)},
        // drop: the tokens sent before the close.
        TotalTimeRow{"drop", Outcome::drop_mid_stream, 16, 1, 8, from_millis(640)},
        TotalTimeRow{"drop_none", Outcome::drop_mid_stream, 16, 1, 0, from_millis(500)},
        // Refusals and errors: error_delay, whatever the token fields say.
        TotalTimeRow{"rate_limited", Outcome::rate_limited, 16, 1, 0, from_millis(50)},
        TotalTimeRow{"too_large", Outcome::too_large, 0, 1, 0, from_millis(50)},
        TotalTimeRow{"quota", Outcome::quota_exhausted, 0, 1, 0, from_millis(50)},
        TotalTimeRow{"server_error", Outcome::server_error, 0, 1, 0, from_millis(50)},
        TotalTimeRow{"overloaded", Outcome::overloaded, 0, 1, 0, from_millis(50)},
        // hang: never.
        TotalTimeRow{"hang", Outcome::hang, 16, 1, 0, Duration::max()}),
    [](const auto& row) { return std::string(row.param.what); });

// --- Levels and reset ---------------------------------------------------------------------------

TEST(Levels, AreSortedByKey) {
  ProviderModel provider(constant_config({.rpm = 500, .tpm = 200000}), kSeed);
  for (const char* key : {"zeta", "alpha", "mid"}) provider.decide(make_request(1, 30, key), kStart);
  const auto levels = provider.levels(kStart);
  EXPECT_THAT(levels, ElementsAre(Pair("alpha", _), Pair("mid", _), Pair("zeta", _)));
  const std::vector<LimiterLevel>& alpha = levels.at("alpha");
  ASSERT_EQ(alpha.size(), 2U);
  EXPECT_EQ(alpha[0].kind, LimitKind::rpm);
  EXPECT_DOUBLE_EQ(alpha[0].available, 499.0);
  EXPECT_EQ(alpha[1].kind, LimitKind::tpm);
  EXPECT_DOUBLE_EQ(alpha[1].available, 200000.0 - 30.0);
}

TEST(Reset, RefillsAndForgetsKeys) {
  ProviderConfig config = constant_config({.rpm = 1, .rpd = 10});
  config.initial_usage.requests_today = 9;
  ProviderModel provider(config, kSeed);
  ASSERT_EQ(provider.decide(make_request(1), kStart).outcome, Outcome::ok);
  ASSERT_EQ(provider.decide(make_request(2), kStart).outcome, Outcome::rate_limited);
  provider.reset();
  EXPECT_TRUE(provider.levels(kStart).empty());
  // Refilled, and the day's earlier usage applies again to the recreated account.
  EXPECT_EQ(provider.decide(make_request(3), kStart).outcome, Outcome::ok);
  const Decision d = provider.decide(make_request(4), kStart + from_seconds(60));
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.admission.refused_by, LimitKind::rpd);
}

}  // namespace
}  // namespace llmsim

namespace llmsim {
namespace {

TEST(ProviderModelSlowFirstByte, ForcedSlowFirstByteDelaysAnOrdinaryAnswer) {
  ProviderConfig config;
  config.limits = RateLimits{.rpm = 1000};
  config.latency.time_to_first_token_s = Distribution::constant(0.5);
  config.faults.slow_first_byte_s = Distribution::constant(10.0);
  ProviderModel provider(config, 1);
  const Decision plain = provider.decide(ProviderRequest{.prompt_tokens = 5, .request_id = 1}, TimePoint{});
  const Decision slow = provider.decide(
      ProviderRequest{.prompt_tokens = 5, .request_id = 2, .force_slow_first_byte = true}, TimePoint{});
  EXPECT_EQ(plain.time_to_first_token, from_seconds(0.5));
  EXPECT_EQ(slow.outcome, Outcome::ok);
  EXPECT_EQ(slow.time_to_first_token, from_seconds(10.5));
}

}  // namespace
}  // namespace llmsim

namespace llmsim {

TEST(ProviderModelKeys, ForgetsAKeyOnlyWhenANewLimiterWouldAnswerTheSame) {
  ProviderModel provider(constant_config({.rpm = 60, .tpm = 200000}), 1);
  EXPECT_TRUE(provider.forget_if_fresh("never-seen", kStart));
  provider.decide(ProviderRequest{.key = "a", .prompt_tokens = 5, .request_id = 0}, kStart);
  EXPECT_EQ(provider.key_count(), 1u);
  EXPECT_FALSE(provider.forget_if_fresh("a", kStart + from_seconds(0.5)));  // RPM not refilled
  EXPECT_EQ(provider.key_count(), 1u);
  const TimePoint later = kStart + from_seconds(60);
  const RateLimitHeaders kept = provider.headers("a", later);
  EXPECT_TRUE(provider.forget_if_fresh("a", later));
  EXPECT_EQ(provider.key_count(), 0u);
  const RateLimitHeaders fresh = provider.headers("a", later);  // a new limiter, same answer
  EXPECT_EQ(fresh.remaining_requests, kept.remaining_requests);
  EXPECT_EQ(fresh.remaining_tokens, kept.remaining_tokens);
  EXPECT_EQ(fresh.reset_requests, kept.reset_requests);
}

TEST(ProviderModelKeys, NeverForgetsAKeyWhenNewOnesStartWithTodaysUsage) {
  ProviderConfig config = constant_config({.rpm = 60, .rpd = 1000});
  config.initial_usage.requests_today = 100;
  ProviderModel provider(config, 1);
  provider.headers("a", kStart);
  EXPECT_FALSE(provider.forget_if_fresh("a", kStart + from_seconds(86400)));
  EXPECT_EQ(provider.key_count(), 1u);
}

TEST(ProviderModelAnthropic, InputAndOutputLimitsCountThePromptAndMaxTokens) {
  // 10,000 input and 1,000 output tokens per minute: max_tokens 400 twice fits, a third does not.
  ProviderConfig config = constant_config({.rpm = 50, .itpm = 10'000, .otpm = 1'000});
  config.api = ProviderApi::anthropic;
  ProviderModel provider(config, 1);
  const auto request = [](std::uint64_t id) {
    return ProviderRequest{.key = "a", .prompt_tokens = 3'000, .max_tokens = 400, .request_id = id};
  };
  const Decision first = provider.decide(request(0), kStart);
  ASSERT_EQ(first.outcome, Outcome::ok);
  EXPECT_EQ(first.admission.headers.remaining_input_tokens, 7'000);
  EXPECT_EQ(first.admission.headers.remaining_output_tokens, 600);
  ASSERT_EQ(provider.decide(request(1), kStart).outcome, Outcome::ok);
  const Decision third = provider.decide(request(2), kStart);
  EXPECT_EQ(third.outcome, Outcome::rate_limited);
  EXPECT_EQ(third.admission.refused_by, LimitKind::otpm);
  EXPECT_EQ(third.admission.requested, 400);
}

}  // namespace llmsim
