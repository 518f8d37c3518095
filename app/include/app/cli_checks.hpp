// Checks of flag values and messages for unknown arguments, shared by every llmsim subcommand.
//
// CLI11 reads "--seed -3" as 2^64 - 3 and words PositiveNumber's failure with the whole range of
// a double; these checks say the rule and the value as every other bad input does ("--seed: must
// be an integer >= 0, got -3"). unknown_argument_message() finds the first command or flag that
// `llmsim` does not know and suggests the closest known name. Every command of app/ uses them.
//
//   command->add_option("--seed", seed)->check(cli::unsigned_integer());
//   unknown_argument_message(app, {"rnu", "x.json"});
//   // "llmsim: unknown command \"rnu\" (did you mean \"run\"?)"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace llmsim::cli {

// Returns a check that accepts only digits, 0 to 18446744073709551615: "must be an integer >= 0,
// got -3".
CLI::Validator unsigned_integer();

// Returns a check that accepts only a finite number above 0: "must be a number > 0, got 0".
CLI::Validator positive_number();

// Returns the candidate closest to `word` by edit distance when it is within 2 edits, or one
// edit per 3 letters of the longer word; "" when none is that close. The first wins a tie.
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

// Returns why `args` (the command line without the program name) does not parse when the reason
// is a subcommand or flag `app` does not know, with the closest known name:
// "llmsim: unknown command \"rnu\" (did you mean \"run\"?)",
// "llmsim run: unknown flag --sedd (did you mean --seed?)"; "" when every name is known.
std::string unknown_argument_message(const CLI::App& app, const std::vector<std::string>& args);

}  // namespace llmsim::cli
