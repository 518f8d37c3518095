// Tests for parsing scenario text (scenario_document.cpp): duplicate keys, problems in document
// order, invalid JSON with line and column, numbers out of a double's range, json_text_problem.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers
using ::testing::HasSubstr;

TEST(ScenarioRules, DuplicateKeysAreProblems) {
  const std::string text =
      R"({"name": "a", "name": "b", "provider": {"limits": {"rpm": 1, "rpm": 2}},
    "workload": {"phases": [{"users": 1, "requests_per_user": 1}]}})";
  EXPECT_EQ(error_of(text),
            "x.json: /name: duplicate key (each key may appear once in an object)\n"
            "x.json: /provider/limits/rpm: duplicate key (each key may appear once in an object)");
}

// Problems come out in the order of the document, not the order the loader reads the parts in
// (it reads providers before the workload and thresholds last).
TEST(ScenarioErrors, AllProblemsInDocumentOrder) {
  const std::string text = R"({
    "thresholds": ["banana > 1"],
    "workload": {"phases": [{"users": 0, "requests_per_user": 1}, {"user": 1}]},
    "name": "",
    "provider": {"limits": {"rpm": 2.5}, "faults": {"timeout": 2}},
    "client": {"conections": 1}
  })";
  const char* const expected =
      "x.json: /thresholds/0: unknown metric \"banana\" (see data/README.md), got \"banana > 1\"\n"
      "x.json: /workload/phases/0/users: must be an integer >= 1, got 0\n"
      "x.json: /workload/phases/1/users: required, got nothing\n"
      "x.json: /workload/phases/1: needs \"requests_per_user\" or \"duration_s\", got neither\n"
      "x.json: /workload/phases/1/user: unknown key (did you mean \"users\"?)\n"
      "x.json: /name: must be a non-empty string, got \"\"\n"
      "x.json: /provider/limits/rpm: must be an integer >= 1, got 2.5\n"
      "x.json: /provider/faults/timeout: must be a number in [0, 1], got 2\n"
      "x.json: /client/conections: unknown key (did you mean \"connections\"?)";
  EXPECT_EQ(error_of(text), expected);
  try {
    parse(text);
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.file(), "x.json");
    ASSERT_EQ(error.problems().size(), 9U);
    EXPECT_EQ(error.problems()[1].pointer, "/workload/phases/0/users");
    EXPECT_EQ(error.problems()[1].message, "must be an integer >= 1, got 0");
  }
}

TEST(ScenarioErrors, InvalidJsonGivesLineAndColumn) {
  const std::string text = "{\n  \"name\": \"t\",\n  \"seed\": ,\n}";
  EXPECT_EQ(error_of(text),
            "x.json:3:11: invalid JSON: syntax error while parsing value - unexpected ','; "
            "expected '[', '{', or a literal");
  try {
    parse(text);
  } catch (const ScenarioError& error) {
    ASSERT_EQ(error.problems().size(), 1U);
    EXPECT_EQ(error.problems()[0].line, 3);
    EXPECT_EQ(error.problems()[0].column, 11);
  }
}

// A number beyond a double's range stopped the parser with out_of_range.406, which escaped main
// (exit 134); it is a problem at its place like any other.
TEST(ScenarioErrors, NumberTooLargeForADoubleIsAProblemAtItsPlace) {
  EXPECT_EQ(error_of(R"({"seed":1e999})"),
            "x.json: /seed: number out of range (must fit in a double), got 1e999");
  EXPECT_EQ(error_of(R"({"name": "t", "workload": {"phases": [{"users": 1}, {"users": -1E+400}]}})"),
            "x.json: /workload/phases/1/users: number out of range (must fit in a double), got -1E+400");
}

TEST(ScenarioErrors, JsonTextProblemFindsSyntaxAndRangeProblems) {
  EXPECT_EQ(json_text_problem(R"({"a": [1, 2.5, {"b": true}]})"), std::nullopt);
  // Root, object member, array element; a key with '/' escaped as RFC 6901 says.
  const auto root = json_text_problem("1e999");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->pointer, "");
  EXPECT_EQ(root->message, "number out of range (must fit in a double), got 1e999");
  EXPECT_EQ(json_text_problem(R"({"a/b": {"c": [0, 1, 9e999]}})")->pointer, "/a~1b/c/2");
  // A syntax error keeps its line and column.
  const auto syntax = json_text_problem("{\n  \"a\": ]\n}");
  ASSERT_TRUE(syntax);
  EXPECT_EQ(syntax->line, 2);
  EXPECT_EQ(syntax->column, 8);
  EXPECT_THAT(syntax->message, HasSubstr("invalid JSON: syntax error while parsing value"));
}

TEST(ScenarioErrors, EmptyTextIsInvalidJsonAtTheStart) {
  EXPECT_THAT(error_of(""),
              HasSubstr("x.json:1:1: invalid JSON: syntax error while parsing value"));
}

}  // namespace
}  // namespace llmsim
