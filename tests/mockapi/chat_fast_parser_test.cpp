#include "mockapi/chat_fast_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace llmsim::mockapi {
namespace {

// What parse_chat_request_dom makes of a body: its parameters, or nullopt when it throws.
std::optional<GenerationParams> dom_result(const std::string& body) {
  try {
    return parse_chat_request_dom(body);
  } catch (const RequestError&) {
    return std::nullopt;
  }
}

void expect_same(const GenerationParams& fast, const GenerationParams& dom, const std::string& body) {
  EXPECT_EQ(fast.model, dom.model) << body;
  EXPECT_EQ(fast.prompt_tokens, dom.prompt_tokens) << body;
  EXPECT_EQ(fast.max_tokens, dom.max_tokens) << body;
  EXPECT_EQ(fast.n, dom.n) << body;
  EXPECT_EQ(fast.stream, dom.stream) << body;
  EXPECT_EQ(fast.include_usage, dom.include_usage) << body;
}

// Checks the contract on one body; returns whether the quick scan answered.
bool check_body(const std::string& body) {
  const std::optional<GenerationParams> fast = try_parse_chat_fast(body);
  const std::optional<GenerationParams> dom = dom_result(body);
  if (fast) {
    EXPECT_TRUE(dom.has_value()) << "the quick scan accepted a body the DOM path refuses: " << body;
    if (dom) {
      expect_same(*fast, *dom, body);
    }
    const GenerationParams combined = parse_chat_request(body);
    expect_same(combined, *fast, body);
  }
  return fast.has_value();
}

TEST(TryParseChatFast, ReadsTheLoadGeneratorsBody) {
  const std::string body = R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello"}]})";
  const auto fast = try_parse_chat_fast(body);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->model, "gpt-3.5-turbo");
  EXPECT_EQ(fast->prompt_tokens, 8);  // 2 text tokens + 3 per message + 3 reply priming
  EXPECT_FALSE(fast->max_tokens.has_value());
  EXPECT_EQ(fast->n, 1);
}

// Returns the error text parse_chat_request (fast: the quick scan; else the DOM path) throws for
// `body`, or "" with the ChatTools it read in `out`.
std::string tools_of(const std::string& body, bool fast, ChatTools& out) {
  try {
    if (fast) {
      const auto params = try_parse_chat_fast(body);
      if (!params) return "declined";
      out = params->tools;
    } else {
      out = parse_chat_request_dom(body).tools;
    }
  } catch (const RequestError& error) {
    return error.error().message + " @" + error.error().param.value_or("");
  }
  return "";
}

void expect_same_tools(const ChatTools& fast, const ChatTools& dom, const std::string& body) {
  ASSERT_EQ(fast.tools.size(), dom.tools.size()) << body;
  for (std::size_t i = 0; i < fast.tools.size(); ++i) {
    EXPECT_EQ(fast.tools[i].name, dom.tools[i].name) << body;
    EXPECT_EQ(fast.tools[i].parameters->json().dump(), dom.tools[i].parameters->json().dump()) << body;
  }
  EXPECT_EQ(fast.tool_choice, dom.tool_choice) << body;
  EXPECT_EQ(fast.named_tool, dom.named_tool) << body;
  EXPECT_EQ(fast.parallel_tool_calls, dom.parallel_tool_calls) << body;
  EXPECT_EQ(fast.last_is_tool_result, dom.last_is_tool_result) << body;
  EXPECT_EQ(fast.format, dom.format) << body;
  EXPECT_EQ(fast.schema ? fast.schema->json().dump() : "", dom.schema ? dom.schema->json().dump() : "") << body;
  EXPECT_EQ(fast.seed, dom.seed) << body;
  EXPECT_EQ(fast.logprobs, dom.logprobs) << body;
  EXPECT_EQ(fast.top_logprobs, dom.top_logprobs) << body;
  EXPECT_EQ(fast.stop, dom.stop) << body;
}

TEST(TryParseChatFast, ReadsContentShapingFieldsAsTheDomPathDoes) {
  const std::string tool =
      R"({"type":"function","function":{"name":"f","parameters":{"type":"object",)"
      R"("properties":{"b":{"type":"string"},"a":{"type":"integer"}},"required":["b","a"]}}})";
  // one row per member that changes the content (mockapi/chat_tools.hpp), good and bad; each
  // twice in a row, so the second answer comes from the per-thread cache
  const std::vector<std::string> members = {
       R"("tools":[])", R"("tools":[)" + tool + "]", R"("tools":[)" + tool + R"(],"tool_choice":"required")",
        R"("tool_choice":"auto")", R"("tools":[)" + tool + R"(],"parallel_tool_calls":false)",
        R"("parallel_tool_calls":true)", R"("response_format":{"type":"text"})",
        R"("response_format":{"type":"json_object"})", R"("seed":1)", R"("seed":1.5)",
        R"("logprobs":false)", R"("logprobs":true,"top_logprobs":5)", R"("top_logprobs":0)",
        R"("logprobs":true,"top_logprobs":21)", R"("stop":["a","b"])", R"("stop":"x")",
        R"("stop":[1])", R"("stop":null)",
        R"("response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":)"
        R"("object","properties":{"z":{"type":"string"},"y":{"type":"boolean"}}}}})"};
  for (const std::string& member : members) {
    for (const char* messages : {R"([{"role":"user","content":"x"}])",
                                 R"([{"role":"user","content":"in JSON"},{"role":"tool","content":"1"}])"}) {
      const std::string body =
          std::string(R"({"model":"m","messages":)") + messages + "," + member + "}";
      for (int round = 0; round < 2; ++round) {
        ChatTools fast;
        ChatTools dom;
        const std::string fast_error = tools_of(body, true, fast);
        EXPECT_EQ(fast_error, tools_of(body, false, dom)) << body;
        if (fast_error.empty()) expect_same_tools(fast, dom, body);
      }
    }
  }
}

TEST(TryParseChatFast, LeavesDuplicateShapingMembersAndFunctionsToTheDomPath) {
  for (const char* member : {R"("seed":1,"seed":2)", R"("functions":[])", R"("function_call":"auto")"}) {
    const std::string body =
        std::string(R"({"model":"m","messages":[{"role":"user","content":"x"}],)") + member + "}";
    EXPECT_FALSE(try_parse_chat_fast(body).has_value()) << body;
  }
}

TEST(TryParseChatFast, ReadsAnSdkBodyAndSkipsUnknownFields) {
  const std::string body = R"({
  "messages": [{"role": "system", "content": "Be brief.\nReally."}, {"role": "user",
                "content": "Say \"hi\" \\ \/ \t"}, {"role": "assistant", "name": "a"}],
  "model": "gpt-4o-mini", "temperature": 0.7, "top_p": 1e-2, "user": "u-1",
  "metadata": {"a": [{"type": "object", "properties": {}, "required": []}]}, "stop": null,
  "max_tokens": 64, "max_completion_tokens": 32, "n": 3, "stream": true,
  "stream_options": {"include_usage": true}
})";
  const auto fast = try_parse_chat_fast(body);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->max_tokens, 32);
  EXPECT_EQ(fast->n, 3);
  EXPECT_TRUE(fast->stream);
  EXPECT_TRUE(fast->include_usage);
  expect_same(*fast, parse_chat_request_dom(body), body);
}

TEST(TryParseChatFast, LeavesUncertainBodiesToTheDomPath) {
  for (const std::string body : {
           R"({"model":"m","model":"m","messages":[{"role":"user","content":"x"}]})",
           R"({"model":"m","messages":[{"role":"user","content":"x","content":"y"}]})",
           R"({"model":"m","messages":[{"role":"user","content":null}]})",
           R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})",
           R"({"model":"m","messages":[{"role":"user","content":"\u00e9"}]})",
           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xc3\xa9\"}]}",
           R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2.0})",
           R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1e3})",
           R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})",
           R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":129})",
           R"({"model":"m","messages":[{"role":"user","content":"x"}]} x)",
           R"({"model":"m","messages":[{"role":"user","content":"x"}],})",
           R"({"mod\u0065l":"m","messages":[{"role":"user","content":"x"}]})",
       }) {
    EXPECT_FALSE(try_parse_chat_fast(body).has_value()) << body;
    check_body(body);
  }
}

// Joins pieces of text (GCC 12 warns wrongly about "literal" + std::string under -O3).
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string text;
  for (std::string_view piece : pieces) {
    text += piece;
  }
  return text;
}

// Builds random chat bodies: the SDKs' shape, and mutations of it.
class BodyGenerator {
 public:
  explicit BodyGenerator(std::uint64_t seed) : rng_(seed) {}

  // A body of the handled shape: ASCII text, simple escapes, members in random order.
  std::string valid_body() {
    std::vector<std::pair<std::string, std::string>> members;
    members.emplace_back("model", quoted(pick({"gpt-3.5-turbo", "gpt-4o", "o1-mini", "m\\/1"})));
    members.emplace_back("messages", messages());
    maybe(members, "max_tokens", std::to_string(uniform(1, 4096)));
    maybe(members, "max_completion_tokens", std::to_string(uniform(1, 2147483647)));
    maybe(members, "n", std::to_string(uniform(1, 128)));
    maybe(members, "stream", pick({"true", "false"}));
    maybe(members, "stream_options", cat({"{\"include_usage\":", pick({"true", "false"}), "}"}));
    maybe(members, "temperature", pick({"0.7", "1", "0", "1.5e-1", "-0", "2E+0"}));
    maybe(members, "top_p", pick({"1", "0.95"}));
    maybe(members, "user", quoted(cat({"user-", std::to_string(uniform(0, 99))})));
    maybe(members, "stop", pick({"null", "[\"\\n\"]", "\"END\""}));
    // seed, response_format and tools shape the content: such bodies go to the DOM path.
    maybe(members, "logit_bias", "{\"50256\": -100}");
    std::shuffle(members.begin(), members.end(), rng_);
    std::string body = cat({"{", space()});
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) {
        body += ',';
        body += space();
      }
      body += quoted(members[i].first);
      body += space();
      body += ':';
      body += space();
      body += members[i].second;
      body += space();
    }
    return cat({body, "}", space()});
  }

  // The body with one to three random mutations.
  std::string mutated_body() {
    std::string body = valid_body();
    const int count = uniform(1, 3);
    for (int i = 0; i < count; ++i) {
      body = mutate(body);
    }
    return body;
  }

 private:
  std::string mutate(std::string body) {
    static const std::vector<std::string> kKeys = {
        "model", "messages", "max_tokens", "max_completion_tokens", "n", "stream",
        "stream_options", "role", "content", "include_usage"};
    static const std::vector<std::string> kValues = {
        "null", "\"5\"", "5.0", "-1", "0", "1e3", "99999999999999999999999", "2147483648",
        "2147483647", "129", "128", "true", "[]", "{}", "\"bot\"", "1E400", "01", "-0", "[1,]",
        "[{\"type\":\"text\",\"text\":\"abc\"}]", "\"\\u00e9\"", "\"\\ud800\"", "\"\xc3\xa9\"",
        "\"\xff\"", "\"a\\x\"", "\"tab\there\"", "{\"include_usage\":null}",
        "{\"include_usage\":1}", "[[[[[[[[]]]]]]]]", "\"\\n\\\"\\\\\""};
    switch (uniform(0, 9)) {
      case 0: {  // duplicate a member: "key":value inserted after the opening brace
        const std::string key = pick(kKeys);
        return insert_after_brace(body, cat({quoted(key), ":", pick(kValues), ","}));
      }
      case 1: {  // replace the value of a key
        const std::string key = quoted(pick(kKeys));
        const auto at = body.find(key);
        if (at == std::string::npos) {
          return body;
        }
        const auto colon = body.find(':', at);
        const auto end = body.find_first_of(",}]", colon + 1);
        if (colon == std::string::npos || end == std::string::npos) {
          return body;
        }
        return cat({body.substr(0, colon + 1), pick(kValues), body.substr(end)});
      }
      case 2:  // truncate
        return body.substr(0, static_cast<std::size_t>(uniform(0, static_cast<int>(body.size()))));
      case 3: {  // a trailing comma
        const auto at = body.rfind(pick({"}", "]"}));
        return at == std::string::npos ? body : body.insert(at, ",");
      }
      case 4:  // text after the object
        return cat({body, pick({"x", " ", "{}", "\n", "\t\r\n", std::string(1, '\0'), "null", ","})});
      case 5: {  // a random byte replaced
        if (body.empty()) return body;  // a truncation may have left nothing
        const auto at = static_cast<std::size_t>(uniform(0, static_cast<int>(body.size()) - 1));
        body[at] = static_cast<char>(uniform(0, 255));
        return body;
      }
      case 6:  // a non-object root, or a byte-order mark
        return pick({cat({"[", body, "]"}), cat({"\xef\xbb\xbf", body}), quoted(body), "5"});
      case 7: {  // a member removed
        const std::string key = quoted(pick({"model", "messages", "role", "content"}));
        const auto at = body.find(key);
        if (at == std::string::npos) {
          return body;
        }
        const auto colon = body.find(':', at);
        const auto end = body.find_first_of(",}", colon + 1);
        if (colon == std::string::npos || end == std::string::npos) {
          return body;
        }
        return cat({body.substr(0, at), "\"x\":0", body.substr(end)});
      }
      case 8:  // an unknown member with an unusual value
        return insert_after_brace(body, cat({"\"extra\":", pick(kValues), ","}));
      default: {  // an escape or odd byte inside the first message's content
        const auto at = body.find("\"content\"");
        if (at == std::string::npos) {
          return body;
        }
        const auto quote = body.find('"', body.find(':', at) + 1);
        return quote == std::string::npos
                   ? body
                   : body.insert(quote + 1, pick({"\\u0041", "\\ud83d\\ude00", "\xe2\x82\xac",
                                                  "\xc0\xaf", "\\/", "\x7f", "\\'", "\x01"}));
      }
    }
  }

  static std::string insert_after_brace(std::string body, const std::string& text) {
    const auto at = body.find('{');
    return at == std::string::npos ? body : body.insert(at + 1, text);
  }

  std::string messages() {
    std::string text = cat({"[", space()});
    const int count = uniform(1, 5);
    for (int i = 0; i < count; ++i) {
      std::string message = cat({"{\"role\":", quoted(pick({"system", "user", "assistant", "tool",
                                                         "developer", "function"}))});
      if (uniform(0, 9) > 0) {
        message += ',';
        message += space();
        message += "\"content\":";
        message += space();
        message += quoted(content());
      }
      if (uniform(0, 5) == 0) {
        message += ",\"name\":\"n\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\"}]";
      }
      if (i > 0) {
        text += ',';
        text += space();
      }
      text += message;
      text += '}';
    }
    return cat({text, space(), "]"});
  }

  std::string content() {
    static const std::string kPieces[] = {"Hello", " ", "world", "!", "\\n", "\\\"", "\\\\",
                                          "\\t", "\\/", "What's 2+2?", "{}[],:", "\\r\\b\\f"};
    std::string text;
    const int count = uniform(0, 12);
    for (int i = 0; i < count; ++i) {
      text += kPieces[uniform(0, std::size(kPieces) - 1)];
    }
    return text;
  }

  void maybe(std::vector<std::pair<std::string, std::string>>& members, const std::string& key,
             const std::string& value) {
    if (uniform(0, 2) == 0) {
      members.emplace_back(key, value);
    }
  }

  std::string space() { return uniform(0, 4) == 0 ? pick({" ", "\n  ", "\t", "\r\n"}) : ""; }

  static std::string quoted(const std::string& text) { return cat({"\"", text, "\""}); }

  std::string pick(std::initializer_list<std::string> options) {
    return *(options.begin() + uniform(0, static_cast<int>(options.size()) - 1));
  }
  std::string pick(const std::vector<std::string>& options) {
    return options[static_cast<std::size_t>(uniform(0, static_cast<int>(options.size()) - 1))];
  }

  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  int uniform(int low, std::size_t high) { return uniform(low, static_cast<int>(high)); }

  std::mt19937_64 rng_;
};

TEST(TryParseChatFast, AgreesWithTheDomPathOnEveryValidSdkShapedBody) {
  BodyGenerator generator(20261127);
  constexpr int kCases = 3000;
  int fast = 0;
  for (int i = 0; i < kCases; ++i) {
    const std::string body = generator.valid_body();
    ASSERT_TRUE(dom_result(body).has_value()) << body;  // the generator makes valid bodies
    fast += check_body(body) ? 1 : 0;
  }
  // The valid bodies are all of the handled shape: the quick scan must answer every one.
  EXPECT_EQ(fast, kCases);
}

TEST(TryParseChatFast, NeverDisagreesWithTheDomPathOnMutatedBodies) {
  BodyGenerator generator(7);
  constexpr int kCases = 6000;
  int fast = 0;
  int dom_accepts = 0;
  int dom_accepts_fast_declines = 0;
  for (int i = 0; i < kCases; ++i) {
    const std::string body = generator.mutated_body();
    const bool answered = check_body(body);
    const bool accepted = dom_result(body).has_value();
    fast += answered ? 1 : 0;
    dom_accepts += accepted ? 1 : 0;
    dom_accepts_fast_declines += accepted && !answered ? 1 : 0;
  }
  // The mutations must exercise both sides: bodies still answered quickly, bodies refused (400),
  // and valid bodies the quick scan leaves to the DOM path (\u escapes, UTF-8, array content ...).
  EXPECT_GT(fast, kCases / 20) << fast;
  EXPECT_GT(kCases - dom_accepts, kCases / 4) << dom_accepts;
  EXPECT_GT(dom_accepts_fast_declines, kCases / 50) << dom_accepts_fast_declines;
}

}  // namespace
}  // namespace llmsim::mockapi
