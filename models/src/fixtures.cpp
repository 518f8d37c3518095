// Loading fixtures files: the document, the rules and their match conditions (answers are read in
// fixture_answers.cpp), with the scenario loader's readers and error format.
#include <utility>

#include "fixture_reader.hpp"
#include "models/fixtures.hpp"

namespace llmsim {
namespace scenario_detail {
namespace {

const std::vector<std::string_view> kRootKeys = {"description", "fixtures"};
const std::vector<std::string_view> kRuleKeys = {"name", "match", "answer"};
const std::vector<std::string_view> kMatchKeys = {"endpoint", "model", "last_user_message",
                                                  "tools",    "tool_result", "turn"};
const std::vector<std::string_view> kEndpoints = {"chat.completions", "chat", "completions",
                                                  "embeddings", "responses"};
const std::vector<std::string_view> kTextMatchKeys = {"equals", "contains", "regex"};

// Returns why repeating part of `pattern` can take exponential time: a quantified group that
// itself holds a quantifier ("(a+)+", "(?:x*y)*"), or nullopt. A heuristic for the classic case,
// not a proof: overlapping alternatives under one repeat ("(a|aa)+") pass.
std::optional<std::string> nested_repetition(const std::string& pattern) {
  std::vector<bool> repeats_inside;  // one per open group
  bool last_group_repeats = false;   // the group that just closed held a quantifier
  const auto is_quantifier = [](char c) { return c == '*' || c == '+' || c == '{'; };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    const bool after_group = last_group_repeats;
    last_group_repeats = false;
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      for (++i; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') ++i;
      }
    } else if (c == '(') {
      repeats_inside.push_back(false);
    } else if (c == ')' && !repeats_inside.empty()) {
      last_group_repeats = repeats_inside.back();
      repeats_inside.pop_back();
      if (!repeats_inside.empty() && last_group_repeats) repeats_inside.back() = true;
    } else if (is_quantifier(c)) {
      if (after_group) {
        return "must not repeat a group that itself repeats (\"(a+)+\" takes exponential time)";
      }
      if (!repeats_inside.empty()) repeats_inside.back() = true;
    }
  }
  return std::nullopt;
}

// Reads {"equals" | "contains" | "regex": STRING}.
std::optional<TextMatch> read_text_match(const ObjectReader& match) {
  const ObjectReader object = match.object("last_user_message", kTextMatchKeys);
  if (!object.is_object()) return std::nullopt;
  if (object.json().size() != 1) {
    object.problems().add_got(object.pointer(),
                              "must have exactly one of equals, contains, regex", object.json());
    return std::nullopt;
  }
  TextMatch out;
  const std::string key = object.json().begin().key();
  if (key == "equals") out.kind = TextMatchKind::equals;
  if (key == "contains") out.kind = TextMatchKind::contains;
  if (key == "regex") out.kind = TextMatchKind::regex;
  const auto text = object.string(key, out.kind != TextMatchKind::equals);
  if (!text) return std::nullopt;
  out.text = *text;
  if (out.kind != TextMatchKind::regex) return out;
  const std::string pointer = object.pointer_of(key);
  if (out.text.size() > kMaxRegexPatternBytes) {
    object.problems().add_got(pointer,
                              "must be at most " + std::to_string(kMaxRegexPatternBytes) +
                                  " bytes",
                              Json(out.text));
    return std::nullopt;
  }
  if (auto why = nested_repetition(out.text)) {
    object.problems().add_got(pointer, *why, Json(out.text));
    return std::nullopt;
  }
  try {
    out.pattern = std::make_shared<const std::regex>(out.text, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    object.problems().add_got(
        pointer, std::string("must be a valid regular expression (ECMAScript): ") + error.what(),
        Json(out.text));
    return std::nullopt;
  }
  return out;
}

FixtureMatch read_match(const ObjectReader& rule) {
  FixtureMatch out;
  const ObjectReader match = rule.object("match", kMatchKeys);
  if (!match.is_object()) return out;
  if (auto endpoint = match.choice("endpoint", kEndpoints)) {
    out.endpoint = *endpoint == "chat" ? "chat.completions" : *endpoint;
  }
  out.model = match.string("model", true);
  if (match.has("last_user_message")) out.last_user_message = read_text_match(match);
  out.tools = match.boolean("tools");
  out.tool_result = match.boolean("tool_result");
  out.turn = match.integer("turn", IntRule::at_least(0));
  return out;
}

Fixture read_rule(Problems& problems, const Json& value, const std::string& pointer,
                  std::size_t index) {
  Fixture out;
  out.name = "fixture " + std::to_string(index);
  const ObjectReader rule(problems, &value, pointer, kRuleKeys);
  if (!rule.is_object()) return out;
  assign(out.name, rule.string("name", true));
  out.match = read_match(rule);
  if (rule.require("answer")) out.answer = read_answer(rule, index);
  return out;
}

}  // namespace
}  // namespace scenario_detail

FixtureSet parse_fixtures(const std::string& json_text, const std::string& file) {
  using namespace scenario_detail;
  Json document;
  Problems problems;
  parse_document(json_text, file, document, problems);
  const ObjectReader root(problems, &document, "", kRootKeys);
  std::vector<Fixture> rules;
  if (root.is_object() && root.require("fixtures")) {
    const Json& list = *root.get("fixtures");
    if (!list.is_array()) {
      problems.add_got("/fixtures", "must be an array of fixture rules", list);
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) {
        rules.push_back(read_rule(problems, list[i], child_pointer("/fixtures", i), i));
      }
    }
    root.string("description");
  }
  if (!problems.empty()) {
    sort_by_document(problems.list(), document);
    throw ScenarioError(file, std::move(problems.list()));
  }
  return FixtureSet(std::move(rules));
}

FixtureSet load_fixtures(const std::string& path) {
  std::string text;
  std::string error;
  if (!scenario_detail::read_text_file(path, text, error)) {
    throw ScenarioError(path, {ScenarioProblem{"", "cannot read: " + error}});
  }
  return parse_fixtures(text, path);
}

}  // namespace llmsim
