#include "mockapi/responses_bodies.hpp"

#include <memory>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mockapi/sse.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;

Completion completion_of(std::int64_t tokens, std::optional<std::int64_t> max_tokens) {
  return Completion{.id = "resp_1", .created = 1700000000, .model = "gpt-4o",
                    .reply = ReplyText(1, "sk-test", 0), .choice_tokens = {tokens},
                    .max_tokens = max_tokens, .prompt_tokens = 9};
}

ResponseExtras extras_of() {
  ResponseExtras extras{.message_id = "msg_1", .completed_at = 1700000001, .echo = {}};
  extras.echo.store = false;
  return extras;
}

TEST(ResponsesBodies, CompletedResponseHasTheMessageAndUsage) {
  const Completion c = completion_of(5, std::nullopt);
  const Json body = Json::parse(response_json(c, extras_of(), final_status(c, extras_of())));
  EXPECT_EQ(body["object"], "response");
  EXPECT_EQ(body["status"], "completed");
  EXPECT_EQ(body["completed_at"], 1700000001);
  EXPECT_EQ(body["store"], false);
  EXPECT_EQ(body["incomplete_details"], nullptr);
  const Json& message = body["output"][0];
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["id"], "msg_1");
  EXPECT_EQ(message["content"][0]["text"], c.reply.text(0, 5));
  EXPECT_EQ(body["usage"], Json::parse(R"({"input_tokens":9,"input_tokens_details":{"cached_tokens":0,
    "cache_write_tokens":0},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},
    "total_tokens":14})"));
}

TEST(ResponsesBodies, ReachingMaxOutputTokensIsIncomplete) {
  const Completion c = completion_of(16, 16);
  EXPECT_EQ(final_status(c, extras_of()), ResponseStatus::incomplete);
  const Json body = Json::parse(response_json(c, extras_of(), final_status(c, extras_of())));
  EXPECT_EQ(body["status"], "incomplete");
  EXPECT_EQ(body["completed_at"], nullptr);
  EXPECT_EQ(body["incomplete_details"]["reason"], "max_output_tokens");
  EXPECT_EQ(body["output"][0]["status"], "incomplete");
}

TEST(ResponsesBodies, InProgressHasNoOutputAndNoUsage) {
  const Completion c = completion_of(5, std::nullopt);
  const Json body = Json::parse(response_json(c, extras_of(), ResponseStatus::in_progress));
  EXPECT_EQ(body["status"], "in_progress");
  EXPECT_TRUE(body["output"].empty());
  EXPECT_FALSE(body.contains("usage"));
}

StreamPlan stream_of(std::int64_t tokens, std::optional<std::int64_t> drop_after) {
  return StreamPlan{.format = StreamFormat::responses, .completion = completion_of(tokens, std::nullopt),
                    .drop_after_tokens = drop_after, .time_to_first_token = Duration{50},
                    .per_token = Duration{5}, .response = extras_of()};
}

// Returns the event type of `e` after checking its framing: `event: T\ndata: {"type":T,...}`.
std::string checked_type(const StreamEvent& e, std::size_t sequence_number) {
  const std::size_t newline = e.data.find('\n');
  const std::string type = e.data.substr(7, newline - 7);
  EXPECT_EQ(e.data.substr(newline + 1, 6), "data: ");
  const Json data = Json::parse(e.data.substr(newline + 7));
  EXPECT_EQ(data["type"], type);
  EXPECT_EQ(data["sequence_number"], sequence_number);
  return type;
}

TEST(ResponsesStream, EventsInOpenAIOrderPacedByTheModel) {
  const StreamPlan plan = stream_of(3, std::nullopt);
  ASSERT_EQ(event_count(plan), 11u);
  const std::vector<std::string> expected = {
      "response.created", "response.in_progress", "response.output_item.added",
      "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
      "response.output_text.delta", "response.output_text.done", "response.content_part.done",
      "response.output_item.done", "response.completed"};
  const std::vector<Duration> delays = {Duration{50}, {}, {}, {}, {}, Duration{5}, Duration{5}, {}, {}, {}, {}};
  std::string text;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const StreamEvent e = stream_event(plan, i);
    EXPECT_EQ(checked_type(e, i), expected[i]);
    EXPECT_EQ(e.delay, delays[i]) << i;
    if (expected[i] == "response.output_text.delta") {
      text += Json::parse(e.data.substr(e.data.find('\n') + 7))["delta"].get<std::string>();
    }
  }
  EXPECT_EQ(text, plan.completion.reply.text(0, 3));
  const Json done = Json::parse(stream_event(plan, 10).data.substr(stream_event(plan, 10).data.find('\n') + 7));
  EXPECT_EQ(done["response"]["output"][0]["content"][0]["text"], text);
  EXPECT_EQ(done["response"]["usage"]["output_tokens"], 3);
}

// Content calling two functions, of 1 + 2 and 1 + 1 tokens (name, argument pieces).
ResponseExtras calls_extras() {
  ResponseExtras extras = extras_of();
  auto content = std::make_shared<ChoiceContent>();
  content->tool_calls = {ToolCall{.id = "call_a", .name = "f", .argument_pieces = {"{\"x\":", "1}"}},
                         ToolCall{.id = "call_b", .name = "g", .argument_pieces = {"{}"}}};
  extras.content = content;
  extras.call_item_ids = {"fc_a", "fc_b"};
  return extras;
}

TEST(ResponsesBodies, ContentWithCallsIsOneFunctionCallItemEach) {
  const ResponseExtras extras = calls_extras();
  const Completion c = completion_of(extras.content->tokens(), std::nullopt);
  EXPECT_EQ(c.choice_tokens[0], 5);
  const std::string body = response_json(c, extras, final_status(c, extras));
  const Json json = Json::parse(body);
  EXPECT_EQ(json["status"], "completed");
  EXPECT_NE(body.find(R"("output":[{"id":"fc_a","type":"function_call","status":"completed",)"
                      R"("arguments":"{\"x\":1}","call_id":"call_a","name":"f"},{"id":"fc_b",)"),
            std::string::npos)
      << body;
  EXPECT_EQ(json["usage"]["output_tokens"], 5);
}

TEST(ResponsesStream, CallsStreamTheirArgumentsBetweenAddedAndDone) {
  const ResponseExtras extras = calls_extras();
  StreamPlan plan = stream_of(extras.content->tokens(), std::nullopt);
  plan.response = extras;
  const std::vector<std::string> expected = {
      "response.created", "response.in_progress",
      "response.output_item.added", "response.function_call_arguments.delta",
      "response.function_call_arguments.delta", "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added", "response.function_call_arguments.delta",
      "response.function_call_arguments.done", "response.output_item.done",
      "response.completed"};
  // Tokens: each call's added event (its name) and each delta; the first at once.
  const std::vector<Duration> delays = {Duration{50}, {}, {}, Duration{5}, Duration{5}, {}, {},
                                        Duration{5}, Duration{5}, {}, {}, {}};
  ASSERT_EQ(event_count(plan), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const StreamEvent e = stream_event(plan, i);
    EXPECT_EQ(checked_type(e, i), expected[i]);
    EXPECT_EQ(e.delay, delays[i]) << i;
  }
  const Json done = Json::parse(stream_event(plan, 5).data.substr(stream_event(plan, 5).data.find('\n') + 7));
  EXPECT_EQ(done["item_id"], "fc_a");
  EXPECT_EQ(done["output_index"], 0);
  EXPECT_EQ(done["name"], "f");
  EXPECT_EQ(done["arguments"], R"({"x":1})");
  const Json second = Json::parse(stream_event(plan, 8).data.substr(stream_event(plan, 8).data.find('\n') + 7));
  EXPECT_EQ(second["item_id"], "fc_b");
  EXPECT_EQ(second["output_index"], 1);
  // Dropped after 4 tokens: the first call whole, then the second call's name (no deltas).
  plan.drop_after_tokens = 4;
  ASSERT_EQ(event_count(plan), 8u);
  EXPECT_EQ(checked_type(stream_event(plan, 7), 7), "response.output_item.added");
}

TEST(ResponsesStream, ADropEndsAfterItsTokensWithoutTheDoneEvents) {
  const StreamPlan plan = stream_of(10, 2);
  ASSERT_EQ(event_count(plan), 6u);  // the four head events and two deltas
  EXPECT_EQ(checked_type(stream_event(plan, 5), 5), "response.output_text.delta");
}

}  // namespace
}  // namespace llmsim::mockapi
