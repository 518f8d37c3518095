#include "models/fixtures.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim {
namespace {

using testing::HasSubstr;

// Returns the error text of loading `text` as f.json, or "" when it loads.
std::string load_error(const std::string& text) {
  try {
    parse_fixtures(text, "f.json");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

FixtureQuery chat(std::string message) {
  return FixtureQuery{.endpoint = "chat.completions", .model = "gpt-4o-mini",
                      .last_user_message = std::move(message)};
}

TEST(Fixtures, LoadsRulesInOrderAndTheFirstMatchWins) {
  const FixtureSet set = parse_fixtures(R"({"fixtures": [
    {"name": "weather", "match": {"endpoint": "chat", "last_user_message": {"contains": "weather"}},
     "answer": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
    {"match": {"last_user_message": {"regex": "^hel+o"}}, "answer": {"content": "Hi"}},
    {"match": {"model": "gpt-4o"}, "answer": {"latency": {"time_to_first_token_ms": 5}}},
    {"answer": {"content": "anything else"}}]})", "f.json");
  ASSERT_EQ(set.rules().size(), 4u);
  EXPECT_EQ(set.rules()[0].name, "weather");
  EXPECT_EQ(set.rules()[1].name, "fixture 1");
  EXPECT_EQ(set.rules()[0].answer.tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(set.rules()[0].answer.tool_calls[0].id, "call_fixture_0_0");
  EXPECT_EQ(set.find(chat("the weather in Paris?")), &set.rules()[0]);
  EXPECT_EQ(set.find(chat("helllo weather")), &set.rules()[0]);  // first match wins
  EXPECT_EQ(set.find(chat("hello")), &set.rules()[1]);
  EXPECT_EQ(set.find(chat("say hello")), &set.rules()[3]);       // the regex is anchored
  FixtureQuery other = chat("x");
  other.model = "gpt-4o";
  EXPECT_EQ(set.find(other), &set.rules()[2]);
  EXPECT_EQ(set.rules()[2].answer.latency.time_to_first_token, from_millis(5));
}

TEST(Fixtures, MatchesToolsToolResultTurnAndEndpoint) {
  FixtureMatch match;
  match.tools = true;
  match.tool_result = true;
  match.turn = 1;
  match.endpoint = "chat.completions";
  FixtureQuery query = chat("q");
  query.has_tools = true;
  query.has_tool_result = true;
  query.turn = 1;
  EXPECT_TRUE(fixture_matches(match, query));
  query.turn = 2;  // another turn
  EXPECT_FALSE(fixture_matches(match, query));
  query.turn = 1;
  query.has_tool_result = false;  // no tool result yet
  EXPECT_FALSE(fixture_matches(match, query));
  query.has_tool_result = true;
  query.endpoint = "completions";  // another endpoint
  EXPECT_FALSE(fixture_matches(match, query));
  FixtureMatch message;
  message.last_user_message = TextMatch{TextMatchKind::equals, "q", nullptr};
  EXPECT_FALSE(fixture_matches(message, FixtureQuery{.endpoint = "chat.completions"}));
}

TEST(Fixtures, RegexIsNotTriedOnMessagesOverTheLimit) {
  const FixtureSet set = parse_fixtures(
      R"({"fixtures": [{"match": {"last_user_message": {"regex": "a"}}, "answer": {"content": "x"}}]})",
      "f.json");
  EXPECT_NE(set.find(chat(std::string(kMaxRegexSubjectBytes, 'a'))), nullptr);
  EXPECT_EQ(set.find(chat(std::string(kMaxRegexSubjectBytes + 1, 'a'))), nullptr);
}

TEST(Fixtures, ReportsEveryProblemWithPointerRuleAndValue) {
  EXPECT_EQ(load_error(R"({"fixtures": [{"match": {"turn": -1, "modle": "x",
      "last_user_message": {"regex": "(a+)+"}},
      "answer": {"error": {"status": 200}, "content": "x"}}]})"),
            "f.json: /fixtures/0/match/turn: must be an integer >= 0, got -1\n"
            "f.json: /fixtures/0/match/modle: unknown key (did you mean \"model\"?)\n"
            "f.json: /fixtures/0/match/last_user_message/regex: must not repeat a group that "
            "itself repeats (\"(a+)+\" takes exponential time), got \"(a+)+\"\n"
            "f.json: /fixtures/0/answer/error: cannot be combined with content or tool_calls\n"
            "f.json: /fixtures/0/answer/error/message: required, got nothing\n"
            "f.json: /fixtures/0/answer/error/type: required, got nothing\n"
            "f.json: /fixtures/0/answer/error/status: must be an integer >= 400, got 200");
}

TEST(Fixtures, RefusesBadShapes) {
  // Rows: the file, then the problem expected.
  const std::pair<const char*, const char*> rows[] = {
      {R"([])", "f.json: must be an object, got []"},
      {R"({})", "f.json: /fixtures: required, got nothing"},
      {R"({"fixtures": {}})", "f.json: /fixtures: must be an array of fixture rules, got {}"},
      {R"({"fixtures": [{}]})", "f.json: /fixtures/0/answer: required, got nothing"},
      {R"({"fixtures": [{"answer": {}}]})",
       "f.json: /fixtures/0/answer: needs at least one of content, tool_calls, error, latency, "
       "recorded"},
      {R"({"fixtures": [{"match": {"endpoint": "chats"}, "answer": {"content": ""}}]})",
       "f.json: /fixtures/0/match/endpoint: must be one of chat.completions, chat, completions, "
       "embeddings, responses, got \"chats\""},
      {R"({"fixtures": [{"match": {"last_user_message": {"regex": "("}}, "answer": {"content": ""}}]})",
       "f.json: /fixtures/0/match/last_user_message/regex: must be a valid regular expression "
       "(ECMAScript): "},
      {R"({"fixtures": [{"match": {"last_user_message": {"equals": "a", "contains": "b"}}, "answer": {"content": ""}}]})",
       "f.json: /fixtures/0/match/last_user_message: must have exactly one of equals, contains, "
       "regex, got {\"equals\":\"a\",\"contains\":\"b\"}"},
      {R"({"fixtures": [{"answer": {"tool_calls": [{"arguments": 3}]}}]})",
       "f.json: /fixtures/0/answer/tool_calls/0/name: required, got nothing\n"
       "f.json: /fixtures/0/answer/tool_calls/0/arguments: must be an object or a JSON text "
       "string, got 3"},
      {R"({"fixtures": [{"answer": {"latency": {"time_to_first_token_ms": 5, "total_ms": 1}}}]})",
       "f.json: /fixtures/0/answer/latency/total_ms: must be >= time_to_first_token_ms (5), got 1"},
      {R"({"fixtures": [{"answer": {"recorded": {"status": 200}, "content": "x"}}]})",
       "f.json: /fixtures/0/answer/recorded: cannot be combined with another answer (content, "
       "tool_calls, error, latency)\n"
       "f.json: /fixtures/0/answer/recorded: needs exactly one of body, chunks, got "
       "{\"status\":200}"},
      {R"({"fixtures": [)", "f.json:1:15: invalid JSON: "},
  };
  for (const auto& [text, expected] : rows) {
    EXPECT_THAT(load_error(text), testing::StartsWith(expected)) << text;
  }
}

TEST(Fixtures, LoadsARecording) {
  const FixtureSet set = parse_fixtures(R"({"fixtures": [{"answer": {"recorded": {
      "status": 200, "first_byte_ms": 12.5, "chunks": [{"gap_ms": 1, "data": "data: x\n\n"}]}}}]})",
                                        "f.json");
  const RecordedAnswer& recorded = *set.rules()[0].answer.recorded;
  EXPECT_EQ(recorded.first_byte, from_millis(12.5));
  ASSERT_EQ(recorded.chunks.size(), 1u);
  EXPECT_EQ(recorded.chunks[0].data, "data: x\n\n");
}

TEST(Fixtures, MissingFileIsAProblemNamingIt) {
  try {
    load_fixtures("/nonexistent/f.json");
    FAIL() << "no error";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(std::string(error.what()),
              "/nonexistent/f.json: cannot read: No such file or directory");
  }
}

}  // namespace
}  // namespace llmsim
