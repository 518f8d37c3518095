// Fixtures: ordered rules that make the mock server answer given content for given requests.
//
// A fixtures file (`llmsim serve --fixtures F`, or "fixtures" in a scenario's provider) holds
// `{"fixtures": [RULE, ...]}`; each RULE is `{"name"?, "match"?, "answer"}`. A request is matched
// against the rules in order and the first whose every given condition holds answers it; with no
// match the server generates content as usual. Conditions (all optional; none: match everything):
//   endpoint            "chat.completions" ("chat" for short), "completions", "embeddings",
//                       "responses"
//   model               the request's model, exactly
//   last_user_message   {"equals": S} | {"contains": S} | {"regex": S} on the last user message
//                       (completions: the prompt; embeddings: the inputs joined by "\n")
//   tools               whether the request offers tools
//   tool_result         whether a tool result follows the last user message
//   turn                assistant turns (messages) so far
// Answers (at least one; combinable except as noted):
//   content             the reply text (streamed in pieces of about 4 bytes, one token each)
//   tool_calls          [{"name", "arguments": object or JSON text, "id"?}, ...]
//   error               {"status": 400..599, "message", "type", "param"?, "code"?}: OpenAI's
//                       error body; not with content or tool_calls
//   latency             {"time_to_first_token_ms"?, "total_ms"?}: replaces the provider's draws
//   recorded            what `llmsim serve --record-from` captured (status, first_byte_ms, and a
//                       JSON body or SSE chunks with their gaps); alone
// Regular expressions are ECMAScript (std::regex), compiled once at load, searched anywhere in the
// message (anchor with ^ and $). std::regex backtracks, recursing once per character: a regex rule
// is tried only on messages of at most kMaxRegexSubjectBytes (longer ones never match it), and a
// pattern repeating a group that itself repeats ("(a+)+", the classic exponential case) is refused
// at load. Bad files get the scenario loader's errors: `FILE: /fixtures/2/match/turn: must be an
// integer >= 0, got -1`, every problem listed, ScenarioError.
//
//   FixtureSet fixtures = load_fixtures("tests/fixtures.json");
//   const Fixture* rule = fixtures.find(FixtureQuery{.endpoint = "chat.completions", ...});
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/time.hpp"

namespace llmsim {

// Longest message a regex rule is tried on (bytes): bounds std::regex's recursion and time.
inline constexpr std::size_t kMaxRegexSubjectBytes = 4096;
// Longest regex pattern accepted (bytes).
inline constexpr std::size_t kMaxRegexPatternBytes = 1024;

enum class TextMatchKind { equals, contains, regex };

struct TextMatch {
  TextMatchKind kind = TextMatchKind::equals;
  std::string text;                              // the string, or the pattern as written
  std::shared_ptr<const std::regex> pattern;     // regex only: compiled at load

  // Returns whether `subject` matches (a regex never matches a subject over the size limit).
  bool matches(const std::string& subject) const;
};

struct FixtureMatch {
  std::optional<std::string> endpoint;           // "chat.completions", "completions", ...
  std::optional<std::string> model;
  std::optional<TextMatch> last_user_message;
  std::optional<bool> tools;
  std::optional<bool> tool_result;
  std::optional<std::int64_t> turn;
};

struct FixtureToolCall {
  std::string id;         // "call_..." (given, or made from the rule's index and position)
  std::string name;
  std::string arguments;  // JSON text, as OpenAI sends it
};

struct FixtureError {
  int status = 500;
  std::string body;  // {"error": {"message", "type", "param", "code"}} as JSON text
};

struct FixtureLatency {
  std::optional<Duration> time_to_first_token;
  std::optional<Duration> total;
};

// One piece of a recorded stream: the bytes of one HTTP chunk and the time since the previous
// one (the first: since the response head).
struct RecordedChunk {
  Duration gap{0};
  std::string data;
};

struct RecordedAnswer {
  int status = 200;
  Duration first_byte{0};             // from the request sent to the response head
  std::optional<std::string> body;    // a whole body (JSON text) ...
  std::vector<RecordedChunk> chunks;  // ... or a stream (text/event-stream)
  Duration body_time{0};              // a whole body: from the head to its last byte
};

struct FixtureAnswer {
  std::optional<std::string> content;
  std::vector<FixtureToolCall> tool_calls;
  std::optional<FixtureError> error;
  FixtureLatency latency;
  std::optional<RecordedAnswer> recorded;
};

struct Fixture {
  std::string name;  // as given, else "fixture N" (N from 0)
  FixtureMatch match;
  FixtureAnswer answer;
};

// What a rule is matched against, taken from one request.
struct FixtureQuery {
  std::string endpoint;                          // the router's label: "chat.completions", ...
  std::string model;
  std::optional<std::string> last_user_message;  // none when the request has no user message
  bool has_tools = false;
  bool has_tool_result = false;
  std::int64_t turn = 0;
};

class FixtureSet {
 public:
  FixtureSet() = default;
  explicit FixtureSet(std::vector<Fixture> rules) : rules_(std::move(rules)) {}

  // Returns the first rule matching `query`, or nullptr.
  const Fixture* find(const FixtureQuery& query) const;

  bool empty() const { return rules_.empty(); }
  const std::vector<Fixture>& rules() const { return rules_; }

 private:
  std::vector<Fixture> rules_;
};

// Returns whether every condition of `match` holds for `query`.
bool fixture_matches(const FixtureMatch& match, const FixtureQuery& query);

// Loads a fixtures file; throws ScenarioError (`FILE: POINTER: rule, got VALUE`, every problem).
FixtureSet load_fixtures(const std::string& path);

// Parses fixtures JSON text; `file` names it in errors.
FixtureSet parse_fixtures(const std::string& json_text, const std::string& file);

}  // namespace llmsim
