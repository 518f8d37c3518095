#include "mockapi/request_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

// Returns the error a parser throws for `body`, or an ApiError with status 0 when none.
template <class Parse>
wire::ApiError error_of(Parse parse, const std::string& body) {
  try {
    parse(body);
  } catch (const RequestError& error) {
    return error.error();
  }
  return wire::ApiError{0, "", "", std::nullopt, std::nullopt};
}

const auto kChat = [](const std::string& body) { return parse_chat_request(body); };
const auto kCompletion = [](const std::string& body) { return parse_completion_request(body); };
const auto kEmbedding = [](const std::string& body) { return parse_embedding_request(body); };

constexpr const char* kMessages = R"("messages":[{"role":"user","content":"Hello, world"}])";

std::string chat_body(const std::string& extra) {
  return R"({"model":"gpt-3.5-turbo",)" + std::string(kMessages) + extra + "}";
}

TEST(ParseChatRequest, ReadsFieldsAndEstimatesPromptTokens) {
  const GenerationParams params = parse_chat_request(chat_body(
      R"(,"max_tokens":5,"n":2,"stream":true,"stream_options":{"include_usage":true})"));
  EXPECT_EQ(params.model, "gpt-3.5-turbo");
  EXPECT_EQ(params.prompt_tokens, 9);  // 3 text tokens + 3 per message + 3 reply priming
  EXPECT_EQ(params.max_tokens, 5);
  EXPECT_EQ(params.n, 2);
  EXPECT_TRUE(params.stream);
  EXPECT_TRUE(params.include_usage);
}

TEST(ParseChatRequest, PrefersMaxCompletionTokensAndTreatsNullAsAbsent) {
  const GenerationParams params =
      parse_chat_request(chat_body(R"(,"max_tokens":5,"max_completion_tokens":7,"n":null)"));
  EXPECT_EQ(params.max_tokens, 7);
  EXPECT_EQ(params.n, 1);
  EXPECT_FALSE(params.stream);
}

TEST(ParseChatRequest, CountsTextPartsOfArrayContent) {
  const GenerationParams params = parse_chat_request(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"12345678"}]}]})");
  EXPECT_EQ(params.prompt_tokens, 8);  // 2 + 3 + 3
}

TEST(ParseChatRequest, RefusesEachBadFieldWithOpenAisError) {
  struct Row {
    std::string body;
    std::optional<std::string> param;
    std::string message;
  };
  const std::vector<Row> rows = {
      // not JSON
      {"{", std::nullopt, "We could not parse the JSON body of your request."},
      // JSON, not an object
      {"[1]", std::nullopt,
       "Invalid type for request body: expected an object, but got an array instead."},
      // no model
      {std::string("{") + kMessages + "}", std::nullopt, "you must provide a model parameter"},
      // model not a string
      {std::string(R"({"model":5,)") + kMessages + "}", "model",
       "Invalid type for 'model': expected a string, but got an integer instead."},
      // no messages
      {R"({"model":"m"})", "messages", "Missing required parameter: 'messages'."},
      // messages not an array
      {R"({"model":"m","messages":"hi"})", "messages",
       "Invalid type for 'messages': expected an array, but got a string instead."},
      // messages empty
      {R"({"model":"m","messages":[]})", "messages",
       "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
       "empty array instead."},
      // a message not an object
      {R"({"model":"m","messages":["hi"]})", "messages[0]",
       "Invalid type for 'messages[0]': expected an object, but got a string instead."},
      // a message without role
      {R"({"model":"m","messages":[{"content":"hi"}]})", "messages[0].role",
       "Missing required parameter: 'messages[0].role'."},
      // an unknown role
      {R"({"model":"m","messages":[{"role":"robot","content":"hi"}]})", "messages[0].role",
       "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', "
       "'function', 'tool', and 'developer'."},
      // content of a wrong type
      {R"({"model":"m","messages":[{"role":"user","content":5}]})", "messages[0].content",
       "Invalid type for 'messages[0].content': expected one of a string or array of objects, "
       "but got an integer instead."},
      // max_tokens a string
      {chat_body(R"(,"max_tokens":"5")"), "max_tokens",
       "Invalid type for 'max_tokens': expected an integer, but got a string instead."},
      // max_tokens a decimal
      {chat_body(R"(,"max_tokens":2.5)"), "max_tokens",
       "Invalid type for 'max_tokens': expected an integer, but got a decimal instead."},
      // max_tokens below 1
      {chat_body(R"(,"max_tokens":0)"), "max_tokens",
       "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 "
       "instead."},
      // max_completion_tokens below 1
      {chat_body(R"(,"max_completion_tokens":-3)"), "max_completion_tokens",
       "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, "
       "but got -3 instead."},
      // n above 128
      {chat_body(R"(,"n":129)"), "n",
       "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 "
       "instead."},
      // n below 1
      {chat_body(R"(,"n":0)"), "n",
       "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead."},
      // stream not a boolean
      {chat_body(R"(,"stream":"yes")"), "stream",
       "Invalid type for 'stream': expected a boolean, but got a string instead."},
      // stream_options not an object
      {chat_body(R"(,"stream_options":true)"), "stream_options",
       "Invalid type for 'stream_options': expected an object, but got a boolean instead."},
      // include_usage not a boolean
      {chat_body(R"(,"stream_options":{"include_usage":1})"), "stream_options.include_usage",
       "Invalid type for 'stream_options.include_usage': expected a boolean, but got an "
       "integer instead."},
  };
  for (const Row& row : rows) {
    const wire::ApiError error = error_of(kChat, row.body);
    EXPECT_EQ(error.status, 400) << row.body;
    EXPECT_EQ(error.param, row.param) << row.body;
    EXPECT_THAT(error.message, testing::StartsWith(row.message)) << row.body;
  }
}

TEST(ParseChatRequest, RefusesContentPartsThatAreNotObjects) {
  const wire::ApiError error =
      error_of(kChat, R"({"model":"m","messages":[{"role":"user","content":[{"type":"text",)"
                      R"("text":"a"},[[["b"]]]]}]})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message,
            "Invalid type for 'messages[0].content[1]': expected an object, but got an array "
            "instead.");
  EXPECT_EQ(error.param, "messages[0].content[1]");
}

TEST(ParseRequests, RefuseNestingDeeperThanTheLimitBeforeParsing) {
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
  };
  // At the limit the body parses (and is refused for what it holds); one deeper is invalid JSON.
  const std::string at_limit =
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":)" + nested(kMaxJsonDepth - 1) + "}";
  const std::string too_deep =
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":)" + nested(kMaxJsonDepth) + "}";
  EXPECT_EQ(error_of(kChat, at_limit).status, 0);
  EXPECT_EQ(error_of(kChat, too_deep).message, wire::invalid_json().message);
  // Brackets inside strings do not count.
  EXPECT_EQ(error_of(kChat, chat_body(R"(,"user":")" + std::string(1000, '[') + R"(\"[")")).status, 0);
  // 8 MB of `[`: refused at once, whatever the endpoint.
  const std::string brackets(8 << 20, '[');
  for (const auto& parse : {+[](const std::string& b) { (void)parse_chat_request(b); },
                            +[](const std::string& b) { (void)parse_completion_request(b); },
                            +[](const std::string& b) { (void)parse_embedding_request(b); }}) {
    EXPECT_EQ(error_of(parse, brackets).message, wire::invalid_json().message);
  }
  const std::string deep_content = R"({"model":"m","messages":[{"role":"user","content":)" +
                                   std::string(200, '[') + std::string(200, ']') + "}]}";
  EXPECT_EQ(error_of(kChat, deep_content).message, wire::invalid_json().message);
}

TEST(ParseCompletionRequest, DefaultsMaxTokensTo16AndCountsPromptForms) {
  struct Row {
    std::string prompt;
    std::int64_t tokens;
  };
  const Row rows[] = {
      {R"("12345678")", 2},               // text: 8 bytes / 4
      {R"(["1234","12345678"])", 3},      // strings: 1 + 2
      {R"([1,2,3])", 3},                  // token ids
      {R"([[1,2],[3]])", 3},              // lists of token ids
  };
  for (const Row& row : rows) {
    const GenerationParams params =
        parse_completion_request(R"({"model":"m","prompt":)" + row.prompt + "}");
    EXPECT_EQ(params.prompt_tokens, row.tokens) << row.prompt;
    EXPECT_EQ(params.max_tokens, kCompletionsDefaultMaxTokens);
  }
  EXPECT_EQ(error_of(kCompletion, R"({"model":"m"})").message,
            "Missing required parameter: 'prompt'.");
  EXPECT_EQ(error_of(kCompletion, R"({"model":"m","prompt":5})").param, "prompt");
}

TEST(ParseCompletionRequest, ReadsLegacyLogprobsAndStopWithTheChatRules) {
  const GenerationParams params =
      parse_completion_request(R"({"model":"m","prompt":"p","logprobs":5,"stop":["a","b"]})");
  EXPECT_TRUE(params.tools.logprobs);
  EXPECT_EQ(params.tools.top_logprobs, 5);
  EXPECT_EQ(params.tools.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(params.tools.is_structured());
  const GenerationParams zero = parse_completion_request(R"({"model":"m","prompt":"p","logprobs":0})");
  EXPECT_TRUE(zero.tools.logprobs);
  EXPECT_EQ(zero.tools.top_logprobs, 0);
  EXPECT_FALSE(parse_completion_request(R"({"model":"m","prompt":"p","logprobs":null})").tools.logprobs);
  const wire::ApiError above = error_of(kCompletion, R"({"model":"m","prompt":"p","logprobs":6})");
  EXPECT_EQ(above.param, "logprobs");
  EXPECT_EQ(above.code, "integer_above_max_value");
  EXPECT_EQ(error_of(kCompletion, R"({"model":"m","prompt":"p","logprobs":-1})").code,
            "integer_below_min_value");
  EXPECT_EQ(error_of(kCompletion, R"({"model":"m","prompt":"p","logprobs":true})").param, "logprobs");
  EXPECT_EQ(error_of(kCompletion, R"({"model":"m","prompt":"p","stop":["1","2","3","4","5"]})").param,
            "stop");
}

TEST(ParseEmbeddingRequest, ReadsInputsDimensionsAndFormat) {
  const EmbeddingParams params = parse_embedding_request(
      R"({"model":"e","input":["abcd",[1,2,3]],"dimensions":4,"encoding_format":"base64"})");
  EXPECT_EQ(params.inputs, (std::vector<std::string>{"abcd", "[1,2,3]"}));
  EXPECT_EQ(params.prompt_tokens, 4);  // 1 + 3
  EXPECT_EQ(params.dimensions, 4);
  EXPECT_TRUE(params.is_base64);
}

TEST(ParseEmbeddingRequest, RefusesUnusableInput) {
  struct Row {
    std::string body;
    std::string message;
  };
  const std::vector<Row> rows = {
      // no input
      {R"({"model":"e"})", "Missing required parameter: 'input'."},
      // empty text
      {R"({"model":"e","input":""})", "'$.input' is invalid."},
      // empty list
      {R"({"model":"e","input":[]})", "'$.input' is invalid."},
      // a number
      {R"({"model":"e","input":5})", "'$.input' is invalid."},
      // unknown encoding
      {R"({"model":"e","input":"x","encoding_format":"hex"})",
       "Invalid value: 'hex'. Supported values are: 'float' and 'base64'."},
      // dimensions below 1
      {R"({"model":"e","input":"x","dimensions":0})",
       "Invalid 'dimensions': integer below minimum value."},
  };
  for (const Row& row : rows) {
    const wire::ApiError error = error_of(kEmbedding, row.body);
    EXPECT_EQ(error.status, 400) << row.body;
    EXPECT_THAT(error.message, testing::StartsWith(row.message)) << row.body;
  }
}

TEST(ParseChatRequest, ReadsLogprobsTopLogprobsAndStop) {
  const GenerationParams params = parse_chat_request(
      chat_body(R"(,"logprobs":true,"top_logprobs":20,"stop":["\n","END"])"));
  EXPECT_TRUE(params.tools.logprobs);
  EXPECT_EQ(params.tools.top_logprobs, 20);
  EXPECT_EQ(params.tools.stop, (std::vector<std::string>{"\n", "END"}));
  EXPECT_TRUE(params.tools.is_structured());
  const GenerationParams one = parse_chat_request(chat_body(R"(,"stop":"x","logprobs":false)"));
  EXPECT_EQ(one.tools.stop, std::vector<std::string>{"x"});
  EXPECT_FALSE(one.tools.logprobs);
  // Nulls are absent, as OpenAI's nullable fields.
  const GenerationParams nulls =
      parse_chat_request(chat_body(R"(,"stop":null,"logprobs":null,"top_logprobs":null)"));
  EXPECT_FALSE(nulls.tools.is_structured());
}

TEST(ParseChatRequest, RefusesBadLogprobsAndStopAsOpenAiDoes) {
  struct Row {
    std::string extra;
    std::string param;
    std::string message;
  };
  const std::vector<Row> rows = {
      // above OpenAI's maximum of 20
      {R"(,"logprobs":true,"top_logprobs":21)", "top_logprobs",
       "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 "
       "instead."},
      // below 0
      {R"(,"logprobs":true,"top_logprobs":-1)", "top_logprobs",
       "Invalid 'top_logprobs': integer below minimum value."},
      // the range is checked before logprobs is
      {R"(,"top_logprobs":99)", "top_logprobs", "Invalid 'top_logprobs': integer above maximum"},
      // without logprobs
      {R"(,"top_logprobs":2)", "top_logprobs",
       "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled."},
      // with logprobs false
      {R"(,"logprobs":false,"top_logprobs":0)", "top_logprobs",
       "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled."},
      // not an integer
      {R"(,"logprobs":true,"top_logprobs":"3")", "top_logprobs",
       "Invalid type for 'top_logprobs': expected an integer, but got a string instead."},
      // logprobs not a boolean
      {R"(,"logprobs":1)", "logprobs",
       "Invalid type for 'logprobs': expected a boolean, but got an integer instead."},
      // five stop sequences
      {R"(,"stop":["a","b","c","d","e"])", "stop",
       "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an "
       "array with length 5 instead."},
      // no stop sequence
      {R"(,"stop":[])", "stop", "Invalid 'stop': empty array."},
      // a number
      {R"(,"stop":5)", "stop", "Invalid type for 'stop': expected one of a string or array"},
      // an item not a string
      {R"(,"stop":["a",1])", "stop[1]", "Invalid type for 'stop[1]': expected a string"},
  };
  for (const Row& row : rows) {
    const wire::ApiError error = error_of(kChat, chat_body(row.extra));
    EXPECT_EQ(error.status, 400) << row.extra;
    EXPECT_EQ(error.param, row.param) << row.extra;
    EXPECT_THAT(error.message, testing::StartsWith(row.message)) << row.extra;
  }
}

}  // namespace
}  // namespace llmsim::mockapi
