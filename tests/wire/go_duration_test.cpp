// Go durations written and read back: the exact text OpenAI sends, every unit Go parses, and
// the simulator's reading without the text equal to the text's round trip.
#include "wire/go_duration.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace llmsim::wire {
namespace {

TEST(GoDuration, MatchesGoDurationStringRoundedToMilliseconds) {
  struct Row {
    std::int64_t ns;
    const char* text;
  };
  constexpr std::int64_t ms = 1'000'000;
  constexpr std::int64_t s = 1'000 * ms;
  const std::vector<Row> rows = {
      {0, "0s"},                          // zero
      {1, "0s"},                          // 1 ns rounds to zero
      {499'900, "0s"},                    // 0.4999 ms rounds down to zero
      {500'000, "1ms"},                   // 0.5 ms: halfway rounds away from zero
      {12 * ms, "12ms"},                  // the 5000 RPM reset
      {84'300'000, "84ms"},               // the 200000 TPM wait
      {644 * ms, "644ms"},                // the 30000 TPM wait
      {999'499'999, "999ms"},             // just under 999.5 ms
      {999'500'000, "1s"},                // 999.5 ms rounds up to a whole second
      {1 * s, "1s"},                      // whole seconds have no fraction
      {1'146 * ms, "1.146s"},             // three decimals
      {43'200 * ms, "43.2s"},             // trailing zeros dropped
      {20 * s, "20s"},                    // RPM 3
      {59'999'600'000, "1m0s"},           // 59.9996 s rounds to a minute; 0s kept
      {360 * s, "6m0s"},                  // whole minutes
      {432 * s, "7m12s"},                 // RPD 200
      {86'400 * ms, "1m26.4s"},           // minutes and a fraction
      {3'600 * s, "1h0m0s"},              // an hour keeps 0m and 0s
      {86'400 * s, "24h0m0s"},            // hours do not roll into days
      {3'661'001 * ms, "1h1m1.001s"},     // every unit
      {-1'500'000, "-2ms"},               // negative: away from zero
  };
  for (const Row& row : rows) EXPECT_EQ(go_duration(Duration{row.ns}), row.text) << row.ns;
}

TEST(ParseGoDuration, ReadsEveryUnitInSeconds) {
  EXPECT_EQ(parse_go_duration_s("0s"), 0.0);
  EXPECT_EQ(parse_go_duration_s("120ms"), 0.12);
  EXPECT_EQ(parse_go_duration_s("1.5s"), 1.5);
  EXPECT_EQ(parse_go_duration_s("6m0s"), 360.0);
  EXPECT_EQ(parse_go_duration_s("1h2m3.5s"), 3723.5);
  EXPECT_EQ(parse_go_duration_s("250us"), 250e-6);
  EXPECT_FALSE(parse_go_duration_s(""));
  EXPECT_FALSE(parse_go_duration_s("5"));    // no unit
  EXPECT_FALSE(parse_go_duration_s("1x"));   // unknown unit
  EXPECT_FALSE(parse_go_duration_s("abc"));
}

TEST(ParseGoDuration, ReadsTheHeadersAsDurationsAndRefusesNegatives) {
  EXPECT_EQ(parse_go_duration("0s"), Duration{0});
  EXPECT_EQ(parse_go_duration("12ms"), from_millis(12));
  EXPECT_EQ(parse_go_duration("1.146s"), from_millis(1146));
  EXPECT_EQ(parse_go_duration("6m0s"), from_seconds(360));
  EXPECT_EQ(parse_go_duration("7m12s"), from_seconds(432));
  EXPECT_EQ(parse_go_duration("1h0m0s"), from_seconds(3600));
  EXPECT_FALSE(parse_go_duration(""));
  EXPECT_FALSE(parse_go_duration("5"));
  EXPECT_FALSE(parse_go_duration("5x"));
  EXPECT_FALSE(parse_go_duration("ms"));
  EXPECT_FALSE(parse_go_duration("-1.5s"));
}

TEST(ParseGoDuration, RefusesGarbage) {
  // Rows of text that is no Go duration.
  for (const char* text : {"", " 1s", "1s ", "1.5", "s", "1ss", "1e400s", "infs", "nans", "1m-", "--1s"}) {
    EXPECT_FALSE(parse_go_duration(text)) << text;
  }
  EXPECT_EQ(parse_go_duration_s("-1.5s"), -1.5);  // a Go duration, but no reset
  EXPECT_EQ(parse_go_duration_s("1µs"), 1e-6);
  EXPECT_EQ(parse_go_duration_s("1h1m1.001s"), 3661.001);
}

// The simulator reads the headers back without their text; it must get what a socket client gets.
TEST(GoDurationAsRead, EqualsTheTextRoundTrip) {
  const auto via_text = [](Duration d) { return parse_go_duration(go_duration(d)); };
  std::vector<Duration> cases{Duration{0}, Duration{1}, Duration{499'999}, Duration{500'000},
                              Duration{-499'999}, Duration{-500'000}, from_millis(999), from_millis(1000),
                              Duration{999'500'000}, from_seconds(59.9995), from_seconds(60), from_seconds(3599.9995),
                              from_seconds(3600), from_seconds(86'400 * 3 + 0.123), from_seconds(-2)};
  std::mt19937_64 random(20261127);
  for (const std::int64_t scale : {1'000LL, 1'000'000LL, 1'000'000'000LL, 100'000'000'000LL, 10'000'000'000'000LL}) {
    std::uniform_int_distribution<std::int64_t> pick(-scale / 10, scale);
    for (int i = 0; i < 20'000; ++i) cases.push_back(Duration{pick(random)});
  }
  int negatives = 0;
  for (const Duration d : cases) {
    ASSERT_EQ(go_duration_as_read(d), via_text(d)) << d.count() << " ns, text " << go_duration(d);
    negatives += !go_duration_as_read(d).has_value();
  }
  EXPECT_GT(negatives, 0);  // the negative texts, which do not parse, were among the cases
}

}  // namespace
}  // namespace llmsim::wire
