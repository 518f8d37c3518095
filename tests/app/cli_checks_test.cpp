// Flag checks and "did you mean" for unknown commands and flags, with their exact messages.
#include "app/cli_checks.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llmsim::cli {
namespace {

// Returns the message a check gives `text` ("" when it passes).
std::string check(const CLI::Validator& validator, std::string text) { return validator(text); }

TEST(UnsignedInteger, AcceptsDigitsUpTo64BitsAndNamesTheRuleOtherwise) {
  EXPECT_EQ(check(unsigned_integer(), "0"), "");
  EXPECT_EQ(check(unsigned_integer(), "18446744073709551615"), "");
  // CLI11 alone took "-3" as 18446744073709551613.
  EXPECT_EQ(check(unsigned_integer(), "-3"),
            "must be an integer >= 0 (at most 18446744073709551615), got -3");
  EXPECT_NE(check(unsigned_integer(), "18446744073709551616"), "");
  EXPECT_NE(check(unsigned_integer(), "1.5"), "");
  EXPECT_NE(check(unsigned_integer(), "+1"), "");
  EXPECT_NE(check(unsigned_integer(), ""), "");
}

TEST(PositiveNumber, AcceptsFiniteNumbersAboveZero) {
  EXPECT_EQ(check(positive_number(), "10"), "");
  EXPECT_EQ(check(positive_number(), "0.001"), "");
  // CLI::PositiveNumber printed the whole range of a double (a 300-digit number).
  EXPECT_EQ(check(positive_number(), "0"), "must be a number > 0, got 0");
  EXPECT_EQ(check(positive_number(), "-2"), "must be a number > 0, got -2");
  EXPECT_EQ(check(positive_number(), "inf"), "must be a number > 0, got inf");
  EXPECT_EQ(check(positive_number(), "1e999"), "must be a number > 0, got 1e999");
  EXPECT_EQ(check(positive_number(), "fast"), "must be a number > 0, got fast");
}

TEST(ClosestName, SuggestsOnlyCloseNames) {
  const std::vector<std::string> commands = {"analyze", "calibrate", "check", "run", "serve", "sweep"};
  EXPECT_EQ(closest_name("rnu", commands), "run");
  EXPECT_EQ(closest_name("swep", commands), "sweep");
  EXPECT_EQ(closest_name("calibrat", commands), "calibrate");
  EXPECT_EQ(closest_name("frobnicate", commands), "");
  EXPECT_EQ(closest_name("--sedd", {"--seed", "--json", "--quiet"}), "--seed");
}

// An app shaped as llmsim's: subcommands with value flags and plain flags.
struct TestApp {
  CLI::App app{"test", "llmsim"};
  std::optional<std::uint64_t> seed;
  std::string json;
  bool quiet = false;
  std::string scenario;

  TestApp() {
    CLI::App* run = app.add_subcommand("run", "run");
    run->add_option("scenario", scenario);
    run->add_option("--seed", seed);
    run->add_option("--json", json);
    run->add_flag("--quiet", quiet);
    app.add_subcommand("serve", "serve");
    app.add_subcommand("sweep", "sweep");
  }
};

TEST(UnknownArgumentMessage, NamesTheUnknownCommandOrFlagWithTheClosestKnownOne) {
  const TestApp t;
  EXPECT_EQ(unknown_argument_message(t.app, {"rnu", "x.json"}),
            R"(llmsim: unknown command "rnu" (did you mean "run"?))");
  EXPECT_EQ(unknown_argument_message(t.app, {"frobnicate"}), R"(llmsim: unknown command "frobnicate")");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "x.json", "--sedd", "3"}),
            "llmsim run: unknown flag --sedd (did you mean --seed?)");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "x.json", "--sedd=3"}),
            "llmsim run: unknown flag --sedd (did you mean --seed?)");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "--zzzzzzzz"}), "llmsim run: unknown flag --zzzzzzzz");
  EXPECT_EQ(unknown_argument_message(t.app, {"--verbose", "run"}), "llmsim: unknown flag --verbose");
}

TEST(UnknownArgumentMessage, IsEmptyWhenEveryNameIsKnown) {
  const TestApp t;
  // A value that looks like a flag belongs to the flag before it; "-" and numbers are values.
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "x.json", "--seed", "-3", "--json", "-", "--quiet"}), "");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "--seed=-3", "x.json"}), "");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "--help"}), "");
  EXPECT_EQ(unknown_argument_message(t.app, {}), "");
  EXPECT_EQ(unknown_argument_message(t.app, {"run", "--", "--not-a-flag"}), "");
}

}  // namespace
}  // namespace llmsim::cli
