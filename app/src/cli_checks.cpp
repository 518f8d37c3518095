// Flag checks and "did you mean". See cli_checks.hpp.
#include "app/cli_checks.hpp"

#include "models/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace llmsim::cli {
namespace {

// Returns whether `arg` is written as a flag: "-x", "--name", "--name=value"; not "-" (stdout)
// or a negative number.
bool is_flag(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  const char second = arg[1];
  return !(std::isdigit(static_cast<unsigned char>(second)) || second == '.');
}

// Returns every name `command` knows a flag by: "--seed", "-o", "--help" ...
std::vector<std::string> flag_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

// Returns the message for an unknown `word` among `candidates`, with the closest one if any.
std::string unknown(const std::string& where, const std::string& what, const std::string& word,
                    const std::vector<std::string>& candidates, const std::string& quote) {
  std::string message = where + ": unknown " + what + " " + quote + word + quote;
  const std::string close = closest_name(word, candidates);
  if (!close.empty()) message += " (did you mean " + quote + close + quote + "?)";
  return message;
}

// Returns the message for the first unknown flag of `command` among args[from...], or "".
std::string unknown_flag(const CLI::App& command, const std::string& where,
                         const std::vector<std::string>& args, std::size_t from) {
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return "";
    if (!is_flag(arg)) {
      // The first positional of the top level names the subcommand, checked by the caller.
      if (command.get_parent() == nullptr) return "";
      continue;
    }
    const std::string name = arg.substr(0, arg.find('='));
    const CLI::Option* option = command.get_option_no_throw(name);
    if (option == nullptr) return unknown(where, "flag", name, flag_names(command), "");
    // A flag that takes a value takes the next argument too ("--seed -3"), unless given "=V".
    if (option->get_type_size() != 0 && name.size() == arg.size()) ++i;
  }
  return "";
}

}  // namespace

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (!text.empty() && error == std::errc{} && end == text.data() + text.size()) return "";
        return "must be an integer >= 0 (at most 18446744073709551615), got " + text;
      },
      "INTEGER >= 0", "unsigned_integer");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc{} && end == text.data() + text.size() && std::isfinite(value) && value > 0) {
          return "";
        }
        return "must be a number > 0, got " + text;
      },
      "NUMBER > 0", "positive_number");
}

std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  // The scenario loader's suggestion rule (models/scenario.hpp), so flags, commands, fields and
  // metric names are suggested alike.
  const std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return llmsim::closest_name(word, views).value_or("");
}

std::string unknown_argument_message(const CLI::App& app, const std::vector<std::string>& args) {
  const std::string program = app.get_name();
  if (std::string message = unknown_flag(app, program, args, 0); !message.empty()) return message;
  const auto first = std::find_if(args.begin(), args.end(), [](const std::string& arg) { return !is_flag(arg); });
  if (first == args.end()) return "";
  const std::vector<const CLI::App*> subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  std::vector<std::string> commands;
  for (const CLI::App* command : subcommands) commands.push_back(command->get_name());
  const auto known = std::find(commands.begin(), commands.end(), *first);
  if (known == commands.end()) return unknown(program, "command", *first, commands, "\"");
  const CLI::App* command = subcommands[static_cast<std::size_t>(known - commands.begin())];
  return unknown_flag(*command, program + " " + *first, args,
                      static_cast<std::size_t>(first - args.begin()) + 1);
}

}  // namespace llmsim::cli
