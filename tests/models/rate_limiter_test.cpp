#include "models/rate_limiter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/random.hpp"
#include "models/time.hpp"
#include "wire/go_duration.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using wire::go_duration;  // the waits read as OpenAI writes them
using ::testing::ThrowsMessage;

constexpr TimePoint kStart{};

TimePoint at_seconds(double seconds) { return kStart + from_seconds(seconds); }

// --- The public 429 examples ---------------------------------------------------------------------

struct PublicExample {
  const char* what;
  RateLimits limits;
  std::vector<std::int64_t> spend_tokens;  // admitted first, at the same instant
  std::optional<LimitKind> consume_kind;   // then marked as used with consume()
  std::int64_t consume_units = 0;
  std::int64_t tokens = 0;                 // the refused request
  LimitKind refused_by;
  std::int64_t limit, used, requested;
  const char* wait;
};

class PublicExampleTest : public ::testing::TestWithParam<PublicExample> {};

TEST_P(PublicExampleTest, ReproducesTheMessageToTheMillisecond) {
  const PublicExample& row = GetParam();
  RateLimiter limiter(row.limits);
  const TimePoint now = at_seconds(5);
  for (std::int64_t tokens : row.spend_tokens) ASSERT_TRUE(limiter.try_admit(now, tokens).admitted);
  if (row.consume_kind) limiter.consume(now, *row.consume_kind, row.consume_units);

  const Admission a = limiter.try_admit(now, row.tokens);
  EXPECT_FALSE(a.admitted);
  EXPECT_FALSE(a.too_large);
  EXPECT_EQ(a.refused_by, row.refused_by);
  EXPECT_EQ(a.limit, row.limit);
  EXPECT_EQ(a.used, row.used);
  EXPECT_EQ(a.requested, row.requested);
  EXPECT_EQ(go_duration(a.wait), row.wait);
  // The wait is exact: one nanosecond earlier is still refused, at the wait it is admitted.
  EXPECT_FALSE(limiter.try_admit(now + a.wait - Duration{1}, row.tokens).admitted);
  EXPECT_TRUE(limiter.try_admit(now + a.wait, row.tokens).admitted);
}

INSTANTIATE_TEST_SUITE_P(
    OpenAiMessages, PublicExampleTest,
    ::testing::Values(
        // "RPM: Limit 3, Used 3, Requested 1. Please try again in 20s."
        PublicExample{"rpm3", {.rpm = 3}, {0, 0, 0}, {}, 0, 0, LimitKind::rpm, 3, 3, 1, "20s"},
        // "RPD: Limit 200, Used 200, Requested 1. Please try again in 7m12s."
        PublicExample{"rpd200", {.rpm = 3, .rpd = 200}, {}, LimitKind::rpd, 200, 0,
                      LimitKind::rpd, 200, 200, 1, "7m12s"},
        // "TPM: Limit 30000, Used 29937, Requested 385. Please try again in 644ms." (spent by one
        // earlier request)
        PublicExample{"tpm30000", {.rpm = 500, .tpm = 30000}, {29937}, {}, 0, 385,
                      LimitKind::tpm, 30000, 29937, 385, "644ms"},
        // The same, spent with consume().
        PublicExample{"tpm30000_consume", {.tpm = 30000}, {}, LimitKind::tpm, 29937, 385,
                      LimitKind::tpm, 30000, 29937, 385, "644ms"},
        // "TPM: Limit 200000, Used 195869, Requested 4412. Please try again in 84ms." (84.3 ms)
        PublicExample{"tpm200000", {.rpm = 5000, .tpm = 200000}, {100000, 95869}, {}, 0, 4412,
                      LimitKind::tpm, 200000, 195869, 4412, "84ms"}),
    [](const auto& row) { return std::string(row.param.what); });

// --- Headers --------------------------------------------------------------------------------------

TEST(RateLimiterHeaders, SuccessAt5000RpmResetsRequestsIn12ms) {
  RateLimiter limiter({.rpm = 5000});
  const Admission a = limiter.try_admit(kStart, 10);
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(a.headers.limit_requests, 5000);
  EXPECT_EQ(a.headers.remaining_requests, 4999);
  EXPECT_EQ(go_duration(*a.headers.reset_requests), "12ms");
  EXPECT_FALSE(a.headers.limit_tokens.has_value());  // TPM not configured: no token headers
}

TEST(RateLimiterHeaders, MatchTheDocumentedHeaderTable) {
  // The header table: 500 RPM -> 499 left, reset 120ms; 200000 TPM, 24 tokens -> 199976, 7ms.
  RateLimiter limiter({.rpm = 500, .tpm = 200000, .rpd = 10000});
  const RateLimitHeaders h = limiter.try_admit(kStart, 24).headers;
  EXPECT_EQ(h.limit_requests, 500);
  EXPECT_EQ(h.remaining_requests, 499);
  EXPECT_EQ(go_duration(*h.reset_requests), "120ms");
  EXPECT_EQ(h.limit_tokens, 200000);
  EXPECT_EQ(h.remaining_tokens, 199976);
  EXPECT_EQ(go_duration(*h.reset_tokens), "7ms");  // 7.2 ms
  // headers() reads without debiting; after 7.2 ms the token bucket is full again.
  const RateLimitHeaders later = limiter.headers(kStart + from_millis(7.2));
  EXPECT_EQ(later.remaining_tokens, 200000);
  EXPECT_EQ(later.reset_tokens, Duration{0});
  EXPECT_EQ(later.remaining_requests, 499);  // 0.06 of a request refilled: floor
}

TEST(RateLimiterHeaders, RefusalCarriesTheUndebitedLevels) {
  RateLimiter limiter({.rpm = 2, .tpm = 100});
  ASSERT_TRUE(limiter.try_admit(kStart, 1).admitted);
  ASSERT_TRUE(limiter.try_admit(kStart, 1).admitted);
  const Admission a = limiter.try_admit(kStart, 1);
  ASSERT_FALSE(a.admitted);
  EXPECT_EQ(a.headers.remaining_requests, 0);
  EXPECT_EQ(a.headers.remaining_tokens, 98);
  EXPECT_EQ(go_duration(*a.headers.reset_requests), "1m0s");
}

// --- Admission ------------------------------------------------------------------------------------

TEST(RateLimiterAdmission, TpmRefusalDoesNotDebitRpm) {
  RateLimiter limiter({.rpm = 500, .tpm = 1000});
  ASSERT_TRUE(limiter.try_admit(kStart, 1000).admitted);
  const Admission refused = limiter.try_admit(kStart, 10);
  EXPECT_EQ(refused.refused_by, LimitKind::tpm);
  EXPECT_EQ(refused.headers.remaining_requests, 499);  // only the admitted request counted
  EXPECT_EQ(limiter.levels(kStart)[0].available, 499.0);
}

TEST(RateLimiterAdmission, BurstOf500ThenThe501stWaits120ms) {
  RateLimiter limiter({.rpm = 500});
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limiter.try_admit(kStart, 0).admitted) << i;
  const Admission a = limiter.try_admit(kStart, 0);
  EXPECT_EQ(a.refused_by, LimitKind::rpm);
  EXPECT_EQ(a.used, 500);
  EXPECT_EQ(a.wait, std::chrono::milliseconds(120));
  EXPECT_EQ(go_duration(a.wait), "120ms");
}

TEST(RateLimiterAdmission, RefillsContinuously) {
  RateLimiter limiter({.rpm = 500});
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(limiter.try_admit(kStart, 0).admitted);
  // After 6 s, 6 * 500 / 60 = 50 requests have refilled: 50 admitted, the 51st refused.
  const TimePoint six = at_seconds(6);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.try_admit(six, 0).admitted) << i;
  EXPECT_FALSE(limiter.try_admit(six, 0).admitted);
  // 60 s after that the bucket is full again, and stays at capacity.
  EXPECT_EQ(limiter.levels(at_seconds(66))[0].available, 500.0);
  EXPECT_EQ(limiter.headers(at_seconds(66)).reset_requests, Duration{0});
  EXPECT_EQ(limiter.levels(at_seconds(600))[0].available, 500.0);
}

TEST(RateLimiterAdmission, RefusesTheFirstShortLimitInOrderRpmTpmRpdTpd) {
  struct Row {
    const char* what;
    std::vector<LimitKind> short_limits;  // emptied with consume() before the request
    LimitKind expected;
  };
  const std::vector<Row> rows = {
      // every limit short: RPM comes first
      {"all", {LimitKind::rpm, LimitKind::tpm, LimitKind::rpd, LimitKind::tpd}, LimitKind::rpm},
      // TPM before the daily ones
      {"tpm_rpd_tpd", {LimitKind::tpm, LimitKind::rpd, LimitKind::tpd}, LimitKind::tpm},
      // RPD before TPD
      {"rpd_tpd", {LimitKind::rpd, LimitKind::tpd}, LimitKind::rpd},
      // TPD alone
      {"tpd", {LimitKind::tpd}, LimitKind::tpd},
      // RPM and TPD short, TPM fine: RPM
      {"rpm_tpd", {LimitKind::rpm, LimitKind::tpd}, LimitKind::rpm},
  };
  for (const Row& row : rows) {
    RateLimiter limiter({.rpm = 10, .tpm = 1000, .rpd = 100, .tpd = 5000});
    for (LimitKind kind : row.short_limits) limiter.consume(kStart, kind, 1000000);
    const Admission a = limiter.try_admit(kStart, 5);
    EXPECT_EQ(a.refused_by, row.expected) << row.what;
  }
}

TEST(RateLimiterAdmission, TooLargeIsRefusedAtOnceWithoutDebit) {
  struct Row {
    const char* what;
    RateLimits limits;
    std::int64_t tokens;
    LimitKind expected;
    std::int64_t limit;
  };
  const std::vector<Row> rows = {
      // one token over TPM
      {"tpm", {.rpm = 500, .tpm = 30000}, 30001, LimitKind::tpm, 30000},
      // over TPD with a larger TPM
      {"tpd", {.tpm = 30000, .tpd = 20000}, 25000, LimitKind::tpd, 20000},
  };
  for (const Row& row : rows) {
    RateLimiter limiter(row.limits);
    const Admission a = limiter.try_admit(kStart, row.tokens);
    EXPECT_FALSE(a.admitted) << row.what;
    EXPECT_TRUE(a.too_large) << row.what;
    EXPECT_EQ(a.refused_by, row.expected) << row.what;
    EXPECT_EQ(a.limit, row.limit) << row.what;
    EXPECT_EQ(a.used, 0) << row.what;
    EXPECT_EQ(a.requested, row.tokens) << row.what;
    EXPECT_EQ(a.wait, Duration{0}) << row.what;
    for (const LimiterLevel& level : limiter.levels(kStart)) {
      EXPECT_EQ(level.available, static_cast<double>(level.limit)) << row.what;
    }
  }
}

TEST(RateLimiterAdmission, TooLargeTakesPrecedenceOverAShortRpm) {
  RateLimiter limiter({.rpm = 1, .tpm = 100});
  ASSERT_TRUE(limiter.try_admit(kStart, 1).admitted);
  const Admission a = limiter.try_admit(kStart, 101);
  EXPECT_TRUE(a.too_large);
  EXPECT_EQ(a.refused_by, LimitKind::tpm);
  EXPECT_EQ(a.used, 1);
}

TEST(RateLimiterAdmission, DailyLimitsStartPartlyUsed) {
  struct Row {
    const char* what;
    RateLimits limits;
    LimitKind kind;
    std::int64_t used;
    std::int64_t tokens;
    const char* wait;
  };
  const std::vector<Row> rows = {
      // 10000 RPD with 9999 used: one more, then 86400 s / 10000 = 8.64 s per request
      {"rpd", {.rpm = 3500, .rpd = 10000}, LimitKind::rpd, 9999, 1, "8.64s"},
      // 2e6 TPD with 1999000 used, 1500 tokens: 500 short at 43.2 ms each = 21.6 s
      {"tpd", {.tpm = 200000, .tpd = 2000000}, LimitKind::tpd, 1999000, 1500, "21.6s"},
  };
  for (const Row& row : rows) {
    RateLimiter limiter(row.limits);
    limiter.consume(kStart, row.kind, row.used);
    if (row.kind == LimitKind::rpd) {
      ASSERT_TRUE(limiter.try_admit(kStart, row.tokens).admitted);  // the 10000th of the day
    }
    const Admission a = limiter.try_admit(kStart, row.tokens);
    EXPECT_EQ(a.refused_by, row.kind) << row.what;
    EXPECT_EQ(go_duration(a.wait), row.wait) << row.what;
  }
}

TEST(RateLimiterAdmission, ConsumeStopsAtEmpty) {
  RateLimiter limiter({.rpd = 200});
  limiter.consume(kStart, LimitKind::rpd, 1000);  // more than the limit: the bucket is empty
  const Admission a = limiter.try_admit(kStart, 0);
  EXPECT_EQ(a.used, 200);
  EXPECT_EQ(go_duration(a.wait), "7m12s");
  limiter.consume(kStart, LimitKind::tpm, 5);  // not configured: no effect, no crash
  EXPECT_EQ(limiter.levels(kStart).size(), 1U);
}

TEST(RateLimiterAdmission, HugeLimitsStayExactLateInARun) {
  // 1e15 TPD, a month into a run: 30 days x 1e15 ns x units needs 128 bits.
  RateLimiter limiter({.tpd = 1'000'000'000'000'000});
  const TimePoint month = at_seconds(30.0 * 86400.0);
  limiter.consume(month, LimitKind::tpd, 1'000'000'000'000'000);
  const Admission a = limiter.try_admit(month, 1);
  EXPECT_EQ(a.used, 1'000'000'000'000'000);
  EXPECT_EQ(a.wait, Duration{1});  // 0.0864 ns per token, rounded up to a whole ns
  EXPECT_TRUE(limiter.try_admit(month + Duration{1}, 1).admitted);
  // A day after the last debit the bucket is full again; one ns earlier it lacks that token.
  const TimePoint day_later = month + Duration{1} + std::chrono::hours(24);
  EXPECT_EQ(limiter.levels(day_later - Duration{1})[0].available, 1e15 - 1.0);
  EXPECT_EQ(limiter.levels(day_later)[0].available, 1e15);
  EXPECT_EQ(limiter.headers(day_later).reset_tokens, std::nullopt);  // daily: no headers
}

TEST(RateLimiterAdmission, ResetRefillsEveryBucket) {
  RateLimiter limiter({.rpm = 3, .tpm = 100, .rpd = 10, .tpd = 1000});
  ASSERT_TRUE(limiter.try_admit(kStart, 100).admitted);
  EXPECT_FALSE(limiter.try_admit(kStart, 1).admitted);
  limiter.reset();
  const std::vector<LimiterLevel> levels = limiter.levels(kStart);
  ASSERT_EQ(levels.size(), 4U);
  const LimitKind order[] = {LimitKind::rpm, LimitKind::tpm, LimitKind::rpd, LimitKind::tpd};
  for (std::size_t i = 0; i < levels.size(); ++i) {
    EXPECT_EQ(levels[i].kind, order[i]);
    EXPECT_EQ(levels[i].available, static_cast<double>(levels[i].limit));
  }
  EXPECT_TRUE(limiter.try_admit(kStart, 100).admitted);
}

// --- Quantization ---------------------------------------------------------------------------------

TEST(RateLimiterQuantization, RefusesABurstTheMinuteBucketWouldAdmit) {
  // 60000 RPM enforced as 1000 per second (OpenAI's own example).
  RateLimits limits{.rpm = 60000};
  RateLimiter plain(limits);
  limits.quantization_window = std::chrono::seconds(1);
  RateLimiter quantized(limits);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(plain.try_admit(kStart, 0).admitted);
    ASSERT_TRUE(quantized.try_admit(kStart, 0).admitted);
  }
  EXPECT_TRUE(plain.try_admit(kStart, 0).admitted);
  const Admission a = quantized.try_admit(kStart, 0);
  EXPECT_FALSE(a.admitted);
  EXPECT_EQ(a.refused_by, LimitKind::rpm);  // reported as the per-minute limit
  EXPECT_EQ(a.limit, 60000);
  EXPECT_EQ(a.used, 1000);
  EXPECT_EQ(go_duration(a.wait), "1ms");  // one request refills in 60 s / 60000
  EXPECT_TRUE(quantized.try_admit(kStart + a.wait, 0).admitted);
}

TEST(RateLimiterQuantization, ARequestAboveTheShortCapacityNeedsItFull) {
  RateLimiter limiter({.tpm = 60000, .quantization_window = std::chrono::seconds(1)});
  ASSERT_TRUE(limiter.try_admit(kStart, 5000).admitted);  // above the 1000-token short bucket
  EXPECT_EQ(limiter.headers(kStart).remaining_tokens, 55000);
  const Admission a = limiter.try_admit(kStart, 1);
  EXPECT_EQ(a.refused_by, LimitKind::tpm);
  EXPECT_EQ(go_duration(a.wait), "1ms");
  // The wait of a kind covers its short bucket too: 5000 tokens need the short bucket full (1 s).
  EXPECT_EQ(go_duration(limiter.try_admit(kStart, 5000).wait), "1s");
}

TEST(RateLimiterQuantization, ShortCapacityIsAtLeastOne) {
  // 3 RPM over 1 s would be 0.05 requests: capacity 1, so one request is always possible.
  RateLimiter limiter({.rpm = 3, .quantization_window = std::chrono::seconds(1)});
  EXPECT_TRUE(limiter.try_admit(kStart, 0).admitted);
  EXPECT_EQ(go_duration(limiter.try_admit(kStart, 0).wait), "20s");
}

// --- Long run ---------------------------------------------------------------------------------------

TEST(RateLimiterLongRun, PoissonOverloadAdmitsTheBucketPlusItsRefill) {
  // 10 minutes of Poisson arrivals at 3x 500 RPM, the first at t = 0 so no refill is lost while
  // the bucket is full. Supply is L + rate * T; what is left at T is under one request plus the
  // refill since the last arrival, which at 25 arrivals/s and 8.33 refills/s is under one request
  // except with small probability (fixed seed).
  constexpr std::int64_t kLimit = 500;
  constexpr double kSeconds = 600.0;
  constexpr double kArrivalsPerSecond = 3.0 * kLimit / 60.0;
  RateLimiter limiter({.rpm = kLimit});
  RandomStream rng(20240601, "rate_limiter_test.arrivals");
  std::int64_t admitted = 0;
  for (double t = 0.0; t < kSeconds; t += -std::log(rng.uniform_open01()) / kArrivalsPerSecond) {
    if (limiter.try_admit(at_seconds(t), 0).admitted) ++admitted;
  }
  const double supply = kLimit + kLimit / 60.0 * kSeconds;  // 5500
  EXPECT_GE(admitted, static_cast<std::int64_t>(std::floor(supply)) - 1);
  EXPECT_LE(admitted, static_cast<std::int64_t>(std::floor(supply)));
  // Conservation: admitted + what is left == supply, exactly up to double rounding.
  EXPECT_NEAR(static_cast<double>(admitted) + limiter.levels(at_seconds(kSeconds))[0].available,
              supply, 1e-6);
}

// --- Construction and misuse ------------------------------------------------------------------------

TEST(RateLimiterConstruction, RejectsOutOfRangeLimitsWithTheRule) {
  EXPECT_THAT([] { RateLimiter limiter({.rpm = 500, .tpm = 0}); },
              ThrowsMessage<std::invalid_argument>(
                  HasSubstr("rate limit TPM: must be in [1, 1000000000000000], got 0")));
  EXPECT_THAT([] { RateLimiter limiter({.rpd = 2'000'000'000'000'000}); },
              ThrowsMessage<std::invalid_argument>(
                  HasSubstr("rate limit RPD: must be in [1, 1000000000000000], got "
                            "2000000000000000")));
  EXPECT_THAT([] { RateLimiter limiter({.rpm = 5, .quantization_window = Duration{-5}}); },
              ThrowsMessage<std::invalid_argument>(
                  HasSubstr("quantization window: must be > 0 ns, got -5")));
}

TEST(RateLimiterDeathTest, TimeMustNotGoBackwards) {
  RateLimiter limiter({.rpm = 5});
  limiter.try_admit(at_seconds(2), 0);
  EXPECT_DEBUG_DEATH(limiter.try_admit(at_seconds(1), 0), "time went backwards");
}

// --- Names -----------------------------------------------------------------------------------------

TEST(LimitNames, NameEveryKind) {
  EXPECT_STREQ(limit_name(LimitKind::rpm), "RPM");
  EXPECT_STREQ(limit_name(LimitKind::tpd), "TPD");
  EXPECT_STREQ(limit_name(LimitKind::itpm), "ITPM");
  EXPECT_STREQ(limit_name(LimitKind::otpm), "OTPM");
  EXPECT_STREQ(limit_name(LimitKind::none), "none");
}

// --- Anthropic's input and output token limits ---------------------------------------------------

TEST(RateLimiterInputOutput, EachBucketCountsItsOwnPartOfTheCost) {
  // 50 RPM, 40,000 ITPM, 8,000 OTPM: a request of 1,000 input and 4,000 output tokens.
  RateLimiter limiter(RateLimits{.rpm = 50, .itpm = 40'000, .otpm = 8'000});
  const RequestCost cost{.tokens = 99'999, .input_tokens = 1'000, .output_tokens = 4'000};
  ASSERT_TRUE(limiter.try_admit(kStart, cost).admitted);
  const Admission second = limiter.try_admit(kStart, cost);
  ASSERT_TRUE(second.admitted);
  EXPECT_EQ(second.headers.remaining_requests, 48);
  EXPECT_EQ(second.headers.remaining_input_tokens, 38'000);
  EXPECT_EQ(second.headers.remaining_output_tokens, 0);
  // `tokens` is OpenAI's estimate: no bucket here counts it.
  EXPECT_EQ(second.headers.limit_tokens, std::nullopt);
  // The third finds the output bucket empty: 4,000 tokens refill in 30 s at 8,000 per minute.
  const Admission third = limiter.try_admit(kStart, cost);
  EXPECT_FALSE(third.admitted);
  EXPECT_EQ(third.refused_by, LimitKind::otpm);
  EXPECT_EQ(third.limit, 8'000);
  EXPECT_EQ(third.used, 8'000);
  EXPECT_EQ(third.requested, 4'000);
  EXPECT_EQ(third.wait, from_seconds(30));
  EXPECT_EQ(third.headers.reset_output_tokens, from_seconds(60));
  EXPECT_EQ(third.headers.reset_input_tokens, from_seconds(3));  // 2,000 of 40,000 per minute
}

TEST(RateLimiterInputOutput, InputIsCheckedBeforeOutputAndAboveCapacityIsTooLarge) {
  RateLimiter limiter(RateLimits{.itpm = 1'000, .otpm = 1'000});
  const Admission both_short =
      limiter.try_admit(kStart, RequestCost{.input_tokens = 1'000, .output_tokens = 1'000});
  ASSERT_TRUE(both_short.admitted);
  const Admission refused =
      limiter.try_admit(kStart, RequestCost{.input_tokens = 10, .output_tokens = 10});
  EXPECT_EQ(refused.refused_by, LimitKind::itpm);
  const Admission too_large =
      limiter.try_admit(at_seconds(60), RequestCost{.input_tokens = 5, .output_tokens = 1'001});
  EXPECT_TRUE(too_large.too_large);
  EXPECT_EQ(too_large.refused_by, LimitKind::otpm);
  EXPECT_EQ(too_large.requested, 1'001);
}

TEST(RateLimiterInputOutput, LevelsListThemAfterOpenAisLimits) {
  RateLimiter limiter(RateLimits{.rpm = 5, .itpm = 100, .otpm = 10});
  const std::vector<LimiterLevel> levels = limiter.levels(kStart);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].kind, LimitKind::rpm);
  EXPECT_EQ(levels[1].kind, LimitKind::itpm);
  EXPECT_EQ(levels[2].kind, LimitKind::otpm);
  EXPECT_THAT([] { RateLimiter bad(RateLimits{.otpm = 0}); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("rate limit OTPM: must be in [1, ")));
}

}  // namespace
TEST(RateLimiterFull, IsFullUntilADebitAndAgainOnceEveryBucketRefilled) {
  RateLimiter limiter(
      RateLimits{.rpm = 60, .tpm = 600, .quantization_window = std::chrono::milliseconds(100)});
  EXPECT_TRUE(limiter.is_full(kStart));
  ASSERT_TRUE(limiter.try_admit(kStart, 10).admitted);
  EXPECT_FALSE(limiter.is_full(kStart));
  EXPECT_FALSE(limiter.is_full(at_seconds(0.999)));  // one request refills in 1 s
  EXPECT_TRUE(limiter.is_full(at_seconds(1.0)));       // and 10 tokens in 1 s too
}

}  // namespace llmsim
