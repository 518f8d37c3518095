// Anthropic's Messages API on the mock: request checks (one row per rule, Anthropic's 400), the
// reply cut at stop sequences, the stream's events, and the Router's Anthropic face (x-api-key,
// anthropic-version, 404, refusals rendered by wire/anthropic.hpp, the rate-limit headers).
#include "mockapi/messages_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mockapi/router.hpp"
#include "mockapi/sse.hpp"

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
        Row{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]})",
            "tools: tool use is not served by this mock yet (text replies only)"}));

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

}  // namespace
}  // namespace llmsim::mockapi
