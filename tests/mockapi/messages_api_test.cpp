// Anthropic's Messages API on the mock: request checks (one row per rule, Anthropic's 400), the
// reply cut at stop sequences, the stream's events, and the Router's Anthropic face (x-api-key,
// anthropic-version, 404, refusals rendered by wire/anthropic.hpp, the rate-limit headers).
#include "mockapi/messages_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mockapi/router.hpp"
#include "mockapi/sse.hpp"
#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using testing::HasSubstr;

constexpr std::uint64_t kSeed = 42;
constexpr std::int64_t kCreated = 1'755'780'000;  // 2025-08-21T12:40:00Z
const TimePoint kStart{};

std::string body_with(const std::string& fields) {
  return R"({"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hello"}])" + fields + "}";
}

std::string parse_error(const std::string& body) {
  try {
    parse_messages_request(body);
  } catch (const MessagesError& error) {
    EXPECT_EQ(error.error().status, 400);
    EXPECT_EQ(error.error().type, "invalid_request_error");
    return error.error().message;
  }
  return "(accepted)";
}

struct Row {
  const char* body;
  const char* message;
};

class MessagesValidation : public testing::TestWithParam<Row> {};

TEST_P(MessagesValidation, RefusesWithAnthropicsMessage) {
  EXPECT_EQ(parse_error(GetParam().body), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, MessagesValidation,
    testing::Values(
        Row{"not json", "There was an error parsing the body: the request body is not valid JSON"},
        Row{"[1]", "Input should be a valid dictionary or object to extract fields from"},
        Row{R"({"max_tokens":5,"messages":[]})", "model: Field required"},
        Row{R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: Field required"},
        Row{R"({"model":"m","max_tokens":"5","messages":[{"role":"user","content":"x"}]})",
            "max_tokens: Input should be a valid integer"},
        Row{R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})",
            "max_tokens: Input should be greater than or equal to 1"},
        Row{R"({"model":"m","max_tokens":5})", "messages: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[]})", "messages: at least one message is required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]})",
            "messages.0.role: Input should be 'user' or 'assistant'"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})", "messages.0.content: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]})",
            "messages.0.content.0.text: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"temperature":1.5})",
            "temperature: Input should be less than or equal to 1"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":[""]})",
            "stop_sequences.0: must be 1 to 256 bytes long"},
        // Tools: each custom tool needs a name of Anthropic's pattern and an object input_schema.
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]})",
            "tools.0.custom.input_schema: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"input_schema":{"type":"object"}}]})",
            "tools.0.custom.name: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"a b","input_schema":{"type":"object"}}]})",
            "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","input_schema":{"type":"object"}}]})",
            "tools.0.custom.name: String should have at most 128 characters"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"properties":{}}}]})",
            "tools.0.custom.input_schema.type: Field required"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"string"}}]})",
            "tools.0.custom.input_schema.type: Input should be 'object'"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}},{"name":"f","input_schema":{"type":"object"}}]})",
            "tools: Tool names must be unique."},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"}})",
            "tool_choice.tool.name: Tool 'g' not found in tools"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"required"}})",
            "tool_choice: Input tag 'required' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto","disable_parallel_tool_use":"yes"}})",
            "tool_choice.auto.disable_parallel_tool_use: Input should be a valid boolean"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any"}})",
            "tool_choice: tool_choice may only be specified while providing tools."},
        // tool_use and tool_result blocks: each result answers a use of the message before.
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}]})",
            "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. Each "
            "`tool_result` block must have a corresponding `tool_use` block in the previous message."},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":"y"}]})",
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. "
            "Each `tool_use` block must have a corresponding `tool_result` block in the next message."},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":"{}"}]}]})",
            "messages.0.content.0.tool_use.input: Input should be a valid dictionary"},
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]})",
            "messages.0.content.0.tool_use.id: Field required"}));

// An input_schema the schema-driven generator cannot serve is refused with the chat rule's reason.
TEST(MessagesParse, RefusesASchemaTheGeneratorCannotServe) {
  EXPECT_THAT(parse_error(body_with(R"(,"max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object",)"
                                    R"("properties":{"a":{"allOf":[{"type":"string"}]}}}}])")),
              testing::AllOf(testing::StartsWith("tools.0.custom.input_schema: JSON schema is invalid."),
                             HasSubstr("allOf")));
}

const char* const kWeatherTool =
    R"({"name":"get_weather","description":"The weather in a city","input_schema":{"type":"object",)"
    R"("properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},)"
    R"("required":["location","unit"]}})";

TEST(MessagesParse, ReadsToolsIntoTheChatRule) {
  const std::string tools = std::string(R"(,"tools":[)") + kWeatherTool + R"(,{"name":"noop","input_schema":{"type":"object"}}])";
  const MessagesParams any = parse_messages_request(
      body_with(R"(,"max_tokens":5)" + tools + R"(,"tool_choice":{"type":"any","disable_parallel_tool_use":true})"));
  ASSERT_EQ(any.tools.tools.size(), 2u);
  EXPECT_EQ(any.tools.tools[0].name, "get_weather");
  EXPECT_EQ(any.tools.tool_choice, ToolChoice::required);
  EXPECT_FALSE(any.tools.parallel_tool_calls);
  const MessagesParams named =
      parse_messages_request(body_with(R"(,"max_tokens":5)" + tools + R"(,"tool_choice":{"type":"tool","name":"noop"})"));
  EXPECT_EQ(named.tools.tool_choice, ToolChoice::named);
  EXPECT_EQ(named.tools.named_tool, 1u);
  EXPECT_TRUE(named.tools.parallel_tool_calls);
  EXPECT_EQ(parse_messages_request(body_with(R"(,"max_tokens":5)" + tools + R"(,"tool_choice":{"type":"none"})"))
                .tools.tool_choice,
            ToolChoice::none);
  // Anthropic takes names of up to 128 characters (OpenAI's functions: 64).
  const std::string long_name(100, 'n');
  EXPECT_EQ(parse_messages_request(body_with(R"(,"max_tokens":5,"tools":[{"name":")" + long_name +
                                             R"(","input_schema":{"type":"object"}}])"))
                .tools.tools[0].name,
            long_name);
  // The definitions count as input: more than the same request without them, and count_tokens agrees.
  const MessagesParams plain = parse_messages_request(body_with(R"(,"max_tokens":5)"));
  EXPECT_GT(any.input_tokens, plain.input_tokens + 20);
  std::string model;
  EXPECT_EQ(parse_count_tokens_request(body_with(tools), model), named.input_tokens);
}

TEST(MessagesParse, CountsToolBlocksAndSeesAFollowUpTurn) {
  const std::string turn =
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Weather in Paris?"},)"
      R"({"role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris","unit":"celsius"}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"15 degrees and sunny all day long"}]}]}]})";
  const MessagesParams p = parse_messages_request(turn);
  EXPECT_TRUE(p.tools.last_is_tool_result);
  EXPECT_EQ(p.last_user_text, "15 degrees and sunny all day long");
  // The tool_use counts as its name and input JSON, the result as its text.
  const std::vector<std::string_view> texts = {
      "Weather in Paris?", "Let me look.\nget_weather{\"location\":\"Paris\",\"unit\":\"celsius\"}",
      "15 degrees and sunny all day long"};
  EXPECT_EQ(p.input_tokens, estimate_chat_tokens(texts));
}

TEST(MessagesParse, ReadsWhatTheModelNeeds) {
  const MessagesParams p = parse_messages_request(
      R"({"model":"claude-sonnet-4-5","max_tokens":100,"system":[{"type":"text","text":"Be brief."}],)"
      R"("messages":[{"role":"user","content":"First"},{"role":"assistant","content":"Ok"},)"
      R"({"role":"user","content":[{"type":"text","text":"Second"}]}],"stream":true,"stop_sequences":["END"]})");
  EXPECT_EQ(p.model, "claude-sonnet-4-5");
  EXPECT_EQ(p.max_tokens, 100);
  EXPECT_TRUE(p.stream);
  EXPECT_EQ(p.last_user_text, "Second");
  EXPECT_THAT(p.stop_sequences, testing::ElementsAre("END"));
  EXPECT_GT(p.input_tokens, 4);
}

// --- the reply and stop sequences -------------------------------------------------------------

TEST(MessageReply, CutsWhereTheFirstStopSequenceBeginsEvenAcrossTokens) {
  const ReplyText reply(kSeed, "k", 0);
  const std::string whole = reply.text(0, 30);
  MessagesParams params;
  params.max_tokens = 100;
  // A stop sequence spanning a token boundary: the end of word 3 and the start of word 4.
  const std::string third = reply.token(0, 3);
  const std::string fourth = reply.token(0, 4);
  const std::string spanning = third.substr(third.size() - 2) + fourth.substr(0, 3);
  params.stop_sequences = {"not there", spanning};
  const MessageReply cut = message_reply(reply, 30, params);
  const std::size_t at = whole.find(spanning);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(cut.text(), whole.substr(0, at));
  EXPECT_EQ(cut.stop_reason, "stop_sequence");
  EXPECT_EQ(cut.stop_sequence, spanning);
  EXPECT_LE(cut.output_tokens(), 4);
  const MessageReply uncut = message_reply(reply, 30, MessagesParams{.max_tokens = 30});
  EXPECT_EQ(uncut.text(), whole);
  EXPECT_EQ(uncut.stop_reason, "max_tokens");
  EXPECT_EQ(message_reply(reply, 29, MessagesParams{.max_tokens = 30}).stop_reason, "end_turn");
}

TEST(MessageBodies, MessageAndStreamAgree) {
  MessagesParams params;
  params.max_tokens = 50;
  const MessageReply reply = message_reply(ReplyText(kSeed, "k", 1), 5, params);
  const Json message = Json::parse(message_json("msg_01x", "claude-sonnet-4-5", reply, 12));
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["content"][0]["text"], reply.text());
  EXPECT_EQ(message["usage"]["input_tokens"], 12);
  EXPECT_EQ(message["usage"]["output_tokens"], 5);
  EXPECT_EQ(message["stop_reason"], "end_turn");
  MessagesStream stream{.id = "msg_01x", .model = "claude-sonnet-4-5", .reply = reply,
                        .input_tokens = 12, .time_to_first_token = std::chrono::milliseconds(300),
                        .per_token = std::chrono::milliseconds(20)};
  ASSERT_EQ(messages_event_count(stream), 3u + 5u + 3u);
  std::vector<std::string> types;
  std::string text;
  Duration total{0};
  for (std::size_t i = 0; i < messages_event_count(stream); ++i) {
    auto [delay, data] = messages_event(stream, i);
    total += delay;
    const std::size_t line = data.find('\n');
    const Json event = Json::parse(data.substr(line + 7, data.size() - line - 9));
    EXPECT_EQ(data.substr(7, line - 7), event["type"].get<std::string>());
    types.push_back(event["type"]);
    if (event["type"] == "content_block_delta") text += event["delta"]["text"].get<std::string>();
    if (event["type"] == "message_delta") {
      EXPECT_EQ(event["usage"]["output_tokens"], 5);
    }
  }
  EXPECT_EQ(text, reply.text());
  EXPECT_EQ(types.front(), "message_start");
  EXPECT_EQ(types.back(), "message_stop");
  EXPECT_EQ(total, std::chrono::milliseconds(300 + 4 * 20));
  stream.drop_after_tokens = 2;
  EXPECT_EQ(messages_event_count(stream), 3u + 2u);
}

// --- the Router's Anthropic face --------------------------------------------------------------

ProviderConfig anthropic_config() {
  ProviderConfig config;
  config.api = ProviderApi::anthropic;
  config.organization = "org-a";
  config.models = {"claude-sonnet-4-5"};
  config.limits = RateLimits{.rpm = 2, .itpm = 10'000, .otpm = 1'000};
  config.latency.refused_s = Distribution::constant(0.25);
  config.tokens.completion_tokens = Distribution::constant(6.0);
  config.api_keys = {"sk-ant-1"};
  return config;
}

HttpRequest messages(const std::string& body, std::optional<std::string> key = "sk-ant-1",
                     std::optional<std::string> version = "2023-06-01") {
  return HttpRequest{.method = "POST", .target = "/v1/messages", .api_key = std::move(key),
                     .anthropic_version = std::move(version), .body = body};
}

TEST(AnthropicRouter, AnswersAMessageWithAnthropicsHeaders) {
  Router router(anthropic_config(), kSeed, kCreated);
  const ResponsePlan plan = router.handle(messages(body_with(R"(,"max_tokens":100)")), kStart);
  EXPECT_EQ(plan.status, 200);
  EXPECT_EQ(plan.endpoint, "messages");
  EXPECT_THAT(plan.header("request-id").value_or(""), testing::StartsWith("req_"));
  EXPECT_EQ(plan.header("anthropic-ratelimit-requests-remaining"), "1");
  EXPECT_EQ(plan.header("anthropic-ratelimit-output-tokens-remaining"), "1000");  // 900, to the thousand
  EXPECT_EQ(plan.header("anthropic-ratelimit-requests-reset"), "2025-08-21T12:40:30Z");
  const Json message = Json::parse(plan.body);
  EXPECT_EQ(message["usage"]["output_tokens"], 6);
  EXPECT_EQ(plan.header("x-ratelimit-limit-requests"), std::nullopt);
}

TEST(AnthropicRouter, ChecksKeyAndVersionAndRoutes) {
  Router router(anthropic_config(), kSeed, kCreated);
  const auto error_of = [&](const HttpRequest& request) {
    const ResponsePlan plan = router.handle(request, kStart);
    const Json body = Json::parse(plan.body);
    EXPECT_EQ(body["type"], "error");
    EXPECT_THAT(body["request_id"].get<std::string>(), testing::StartsWith("req_"));
    return std::to_string(plan.status) + " " + body["error"]["type"].get<std::string>() + ": " +
           body["error"]["message"].get<std::string>();
  };
  const std::string body = body_with(R"(,"max_tokens":10)");
  EXPECT_EQ(error_of(messages(body, std::nullopt)), "401 authentication_error: x-api-key header is required");
  EXPECT_EQ(error_of(messages(body, "sk-other")), "401 authentication_error: invalid x-api-key");
  EXPECT_EQ(error_of(messages(body, "sk-ant-1", std::nullopt)),
            "400 invalid_request_error: anthropic-version: header is required");
  EXPECT_EQ(error_of(messages(body, "sk-ant-1", "2024-01-01")),
            "400 invalid_request_error: anthropic-version: \"2024-01-01\" is not a valid version");
  HttpRequest bearer = messages(body, std::nullopt, "2026-10-21");
  bearer.authorization = "Bearer sk-ant-1";
  EXPECT_EQ(router.handle(bearer, kStart).status, 200);  // SDK 1.x: the key as a Bearer token
  HttpRequest chat = messages(body);
  chat.target = "/v1/chat/completions";
  EXPECT_EQ(error_of(chat), "404 not_found_error: Not Found");
  EXPECT_EQ(error_of(messages(R"({"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"x"}]})")),
            "404 not_found_error: model: gpt-4o");
}

TEST(AnthropicRouter, RefusalsAndFaultsAreRenderedByTheContract) {
  Router router(anthropic_config(), kSeed, kCreated);
  const std::string body = body_with(R"(,"max_tokens":10)");
  ASSERT_EQ(router.handle(messages(body), kStart).status, 200);
  ASSERT_EQ(router.handle(messages(body), kStart).status, 200);
  const ResponsePlan refused = router.handle(messages(body), kStart);  // RPM 2 spent
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.header("retry-after"), "30");
  EXPECT_EQ(refused.delay, std::chrono::milliseconds(250));
  EXPECT_THAT(refused.body, HasSubstr("rate limit of 2 requests per minute (org: org-a, model: claude-sonnet-4-5)"));
  HttpRequest overloaded = messages(body);
  overloaded.fault = "503";
  const ResponsePlan fault = router.handle(overloaded, kStart + std::chrono::seconds(60));
  EXPECT_EQ(fault.status, 529);
  EXPECT_THAT(fault.body, HasSubstr(R"("type":"overloaded_error")"));
}

TEST(AnthropicRouter, StreamsAndCountsTokensAndListsModels) {
  Router router(anthropic_config(), kSeed, kCreated);
  const ResponsePlan plan = router.handle(messages(body_with(R"(,"max_tokens":100,"stream":true)")), kStart);
  ASSERT_EQ(plan.kind, PlanKind::stream);
  EXPECT_EQ(plan.header("content-type"), "text/event-stream; charset=utf-8");
  ASSERT_TRUE(plan.stream.has_value());
  EXPECT_EQ(event_count(*plan.stream), 3u + 6u + 3u);
  EXPECT_THAT(stream_event(*plan.stream, event_count(*plan.stream) - 1).data, HasSubstr("message_stop"));
  HttpRequest count = messages(R"({"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hello"}]})");
  count.target = "/v1/messages/count_tokens";
  const ResponsePlan counted = router.handle(count, kStart);
  EXPECT_EQ(counted.status, 200);
  EXPECT_GT(Json::parse(counted.body)["input_tokens"].get<int>(), 0);
  HttpRequest list{.method = "GET", .target = "/v1/models", .api_key = "sk-ant-1", .anthropic_version = "2023-06-01"};
  const Json models = Json::parse(router.handle(list, kStart).body);
  EXPECT_EQ(models["data"][0]["id"], "claude-sonnet-4-5");
  EXPECT_EQ(models["has_more"], false);
}

// --- tools through the Router -------------------------------------------------------------------

std::string tool_body(const std::string& choice, const std::string& more = "") {
  return body_with(std::string(R"(,"max_tokens":200,"tools":[)") + kWeatherTool + "]" +
                   (choice.empty() ? "" : R"(,"tool_choice":)" + choice) + more);
}

// Checks a tool_use block: id, the weather tool, and an input valid against its schema.
void expect_weather_use(const Json& block) {
  EXPECT_EQ(block["type"], "tool_use");
  EXPECT_THAT(block["id"].get<std::string>(), testing::MatchesRegex("toolu_01[A-Za-z0-9]{22}"));
  EXPECT_EQ(block["name"], "get_weather");
  ASSERT_TRUE(block["input"].is_object());
  EXPECT_TRUE(block["input"]["location"].is_string());
  EXPECT_THAT(block["input"]["unit"].get<std::string>(), testing::AnyOf("celsius", "fahrenheit"));
}

TEST(AnthropicTools, AnyCallsAToolWithAnInputOfItsSchema) {
  Router router(anthropic_config(), kSeed, kCreated);
  const ResponsePlan plan = router.handle(messages(tool_body(R"({"type":"any"})")), kStart);
  ASSERT_EQ(plan.status, 200) << plan.body;
  const Json message = Json::parse(plan.body);
  EXPECT_EQ(message["stop_reason"], "tool_use");
  ASSERT_GE(message["content"].size(), 1u);
  // Under any, Anthropic prefills the turn: no text before the call.
  for (const Json& block : message["content"]) expect_weather_use(block);
  EXPECT_GT(message["usage"]["output_tokens"].get<int>(), 1);
}

TEST(AnthropicTools, ToolNamesItsToolAndNoneAnswersInText) {
  Router router(anthropic_config(), kSeed, kCreated);
  const Json named = Json::parse(
      router.handle(messages(tool_body(R"({"type":"tool","name":"get_weather","disable_parallel_tool_use":true})")), kStart).body);
  ASSERT_EQ(named["content"].size(), 1u);
  expect_weather_use(named["content"][0]);
  const Json none = Json::parse(router.handle(messages(tool_body(R"({"type":"none"})")), kStart + std::chrono::seconds(60)).body);
  ASSERT_EQ(none["content"].size(), 1u);
  EXPECT_EQ(none["content"][0]["type"], "text");
  EXPECT_EQ(none["stop_reason"], "end_turn");
}

TEST(AnthropicTools, AutoLeadsWithTextAndAFollowUpTurnAnswersInText) {
  ProviderConfig config = anthropic_config();
  config.tool_call_share = 1.0;  // auto always calls
  config.limits.rpm = 100;
  Router router(config, kSeed, kCreated);
  const Json call = Json::parse(router.handle(messages(tool_body("")), kStart).body);
  ASSERT_GE(call["content"].size(), 2u);
  EXPECT_EQ(call["content"][0]["type"], "text");
  EXPECT_FALSE(call["content"][0]["text"].get<std::string>().empty());
  expect_weather_use(call["content"][1]);
  EXPECT_EQ(call["stop_reason"], "tool_use");
  Json results = Json::array();
  for (std::size_t b = 1; b < call["content"].size(); ++b) {
    results.push_back({{"type", "tool_result"}, {"tool_use_id", call["content"][b]["id"]}, {"content", "15C"}});
  }
  const std::string follow_up =
      R"({"model":"claude-sonnet-4-5","max_tokens":200,"tools":[)" + std::string(kWeatherTool) +
      R"(],"messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":)" + call["content"].dump() +
      R"(},{"role":"user","content":)" + results.dump() + "}]}";
  const Json answer = Json::parse(router.handle(messages(follow_up), kStart).body);
  ASSERT_EQ(answer["content"].size(), 1u) << answer.dump();
  EXPECT_EQ(answer["content"][0]["type"], "text");
  EXPECT_EQ(answer["stop_reason"], "end_turn");
}

TEST(AnthropicTools, TheSameRequestAndSeedGiveTheSameBytes) {
  const auto first = [] {
    Router router(anthropic_config(), kSeed, kCreated);
    return router.handle(messages(tool_body(R"({"type":"any"})")), kStart).body;
  };
  EXPECT_EQ(first(), first());
  Router other(anthropic_config(), kSeed + 1, kCreated);
  EXPECT_NE(other.handle(messages(tool_body(R"({"type":"any"})")), kStart).body, first());
}

// Streams `choice` and checks that its events rebuild the whole message of the same request:
// text deltas the text block, input_json_delta pieces each tool_use's input.
void expect_stream_rebuilds_message(const ProviderConfig& config, const std::string& choice) {
  Router whole(config, kSeed, kCreated);
  const Json message = Json::parse(whole.handle(messages(tool_body(choice)), kStart).body);
  Router streamed(config, kSeed, kCreated);
  const ResponsePlan plan = streamed.handle(messages(tool_body(choice, R"(,"stream":true)")), kStart);
  ASSERT_TRUE(plan.stream.has_value());
  std::vector<std::string> partial(message["content"].size());
  std::vector<std::string> types;
  for (std::size_t i = 0; i < event_count(*plan.stream); ++i) {
    const std::string data = stream_event(*plan.stream, i).data;
    const std::size_t line = data.find('\n');
    const Json event = Json::parse(data.substr(line + 7, data.size() - line - 9));
    types.push_back(event["type"]);
    if (event["type"] == "content_block_start") {
      const Json& block = message["content"][event["index"].get<std::size_t>()];
      EXPECT_EQ(event["content_block"]["type"], block["type"]);
      if (block["type"] == "tool_use") {
        EXPECT_EQ(event["content_block"]["id"], block["id"]);
        EXPECT_EQ(event["content_block"]["name"], block["name"]);
        EXPECT_EQ(event["content_block"]["input"], Json::object());
      }
    }
    if (event["type"] == "content_block_delta") {
      const Json& delta = event["delta"];
      partial[event["index"].get<std::size_t>()] +=
          delta["type"] == "text_delta" ? delta["text"].get<std::string>() : delta["partial_json"].get<std::string>();
    }
    if (event["type"] == "message_delta") {
      EXPECT_EQ(event["delta"]["stop_reason"], "tool_use");
      EXPECT_EQ(event["usage"]["output_tokens"], message["usage"]["output_tokens"]);
    }
  }
  for (std::size_t b = 0; b < partial.size(); ++b) {
    const Json& block = message["content"][b];
    if (block["type"] == "text") {
      EXPECT_EQ(partial[b], block["text"]);
    } else {
      EXPECT_EQ(Json::parse(partial[b]), block["input"]);
    }
  }
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[0], "message_start");
  EXPECT_EQ(types[1], "content_block_start");
  EXPECT_EQ(types[2], "ping");
  EXPECT_EQ(std::count(types.begin(), types.end(), "ping"), 1);
  EXPECT_EQ(types.back(), "message_stop");
  EXPECT_EQ(std::count(types.begin(), types.end(), "content_block_stop"),
            static_cast<std::ptrdiff_t>(partial.size()));
}

TEST(AnthropicTools, StreamedToolUseRebuildsTheWholeMessage) {
  expect_stream_rebuilds_message(anthropic_config(), R"({"type":"any"})");
  ProviderConfig always = anthropic_config();
  always.tool_call_share = 1.0;  // auto calls: a text block, then the tool_use blocks
  expect_stream_rebuilds_message(always, "");
}

TEST(AnthropicTools, FaultsAndDropsApplyAsToAnyMessage) {
  Router router(anthropic_config(), kSeed, kCreated);
  HttpRequest overloaded = messages(tool_body(R"({"type":"any"})"));
  overloaded.fault = "503";
  EXPECT_EQ(router.handle(overloaded, kStart).status, 529);
  // A dropped stream ends after half its tokens, inside the tool_use, without the closing events.
  HttpRequest dropped = messages(tool_body(R"({"type":"any"})", R"(,"stream":true)"));
  dropped.fault = "drop";
  const ResponsePlan plan = router.handle(dropped, kStart + std::chrono::seconds(60));
  ASSERT_TRUE(plan.stream.has_value());
  const std::string last = stream_event(*plan.stream, event_count(*plan.stream) - 1).data;
  EXPECT_THAT(last, testing::AnyOf(HasSubstr("input_json_delta"), HasSubstr(R"("type":"tool_use")")));
  for (std::size_t i = 0; i < event_count(*plan.stream); ++i) {
    EXPECT_THAT(stream_event(*plan.stream, i).data, testing::Not(HasSubstr("message_stop")));
  }
}

TEST(AnthropicTools, MaxTokensCutsTheCallAndTheBodyGivesAnEmptyInput) {
  MessagesParams params;
  params.max_tokens = 3;
  const ChoiceContent content{.tool_calls = {ToolCall{.id = "call_x", .name = "f",
                                                      .argument_pieces = {"{\"", "a", "\":"}}},
                              .is_truncated = true};
  const MessageReply reply = message_tool_reply(ReplyText(kSeed, "k", 0), 0, params, content, {"toolu_01x"});
  EXPECT_EQ(reply.stop_reason, "max_tokens");
  EXPECT_EQ(reply.output_tokens(), 4);
  const Json message = Json::parse(message_json("msg_01x", "m", reply, 1));
  ASSERT_EQ(message["content"].size(), 1u);
  EXPECT_EQ(message["content"][0]["id"], "toolu_01x");
  EXPECT_EQ(message["content"][0]["input"], Json::object());
  MessagesStream stream{.id = "msg_01x", .model = "m", .reply = reply, .input_tokens = 1};
  // message_start, the block's start and ping, three deltas, its stop, message_delta and message_stop.
  EXPECT_EQ(messages_event_count(stream), 1u + 2u + 3u + 1u + 2u);
  stream.drop_after_tokens = 2;  // the start and one delta
  EXPECT_EQ(messages_event_count(stream), 1u + 2u + 1u);
}

}  // namespace
}  // namespace llmsim::mockapi
