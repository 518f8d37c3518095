#include "mockapi/sse.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

StreamPlan make_plan(StreamFormat format, int n, std::int64_t per_choice, bool include_usage) {
  StreamPlan plan;
  plan.format = format;
  plan.completion = Completion{.id = "chatcmpl-x",
                               .created = 100,
                               .model = "gpt-3.5-turbo",
                               .reply = ReplyText(1, "k", 0),
                               .choice_tokens = split_tokens(per_choice * n, n),
                               .max_tokens = 3,
                               .prompt_tokens = 9};
  plan.include_usage = include_usage;
  plan.time_to_first_token = milliseconds(500);
  plan.per_token = milliseconds(20);
  return plan;
}

Json chunk_json(const StreamEvent& event) {
  EXPECT_TRUE(event.data.starts_with("data: ")) << event.data;
  EXPECT_TRUE(event.data.ends_with("\n\n")) << event.data;
  return Json::parse(event.data.substr(6));
}

TEST(StreamEvents, ChatStreamHasRoleTokensFinishUsageAndDone) {
  const StreamPlan plan = make_plan(StreamFormat::chat, 1, 3, /*include_usage=*/true);
  ASSERT_EQ(event_count(plan), 7u);  // role, 3 tokens, finish, usage, [DONE]
  const Json role = chunk_json(stream_event(plan, 0));
  EXPECT_EQ(role["object"], "chat.completion.chunk");
  EXPECT_EQ(role["choices"][0]["delta"],
            Json::parse(R"({"role":"assistant","content":"","refusal":null})"));
  EXPECT_TRUE(role["usage"].is_null());
  std::string text;
  for (std::size_t i = 1; i <= 3; ++i) {
    const Json chunk = chunk_json(stream_event(plan, i));
    EXPECT_EQ(chunk["id"], "chatcmpl-x");
    EXPECT_EQ(chunk["created"], 100);
    EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
    text += chunk["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, ReplyText(1, "k", 0).text(0, 3));
  const Json finish = chunk_json(stream_event(plan, 4));
  EXPECT_EQ(finish["choices"][0]["delta"], Json::object());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");  // 3 tokens == max_tokens
  const Json usage = chunk_json(stream_event(plan, 5));
  EXPECT_EQ(usage["choices"], Json::array());
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 9);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 3);
  EXPECT_EQ(usage["usage"]["total_tokens"], 12);
  EXPECT_EQ(stream_event(plan, 6).data, "data: [DONE]\n\n");
}

TEST(StreamEvents, DelaysAreFirstTokenThenPerStep) {
  const StreamPlan plan = make_plan(StreamFormat::chat, 2, 3, /*include_usage=*/false);
  ASSERT_EQ(event_count(plan), 2u + 6u + 2u + 1u);
  // role 0, role 1, then tokens step by step: (c0,t0) (c1,t0) (c0,t1) (c1,t1) (c0,t2) (c1,t2)
  const std::vector<Duration> expected = {milliseconds(500), {}, {}, {}, milliseconds(20), {},
                                          milliseconds(20),  {}, {}, {}, {}};
  Duration total{0};
  for (std::size_t i = 0; i < event_count(plan); ++i) {
    EXPECT_EQ(stream_event(plan, i).delay, expected[i]) << i;
    total += stream_event(plan, i).delay;
  }
  EXPECT_EQ(total, milliseconds(540));  // ttft + (3 - 1) * per_token: the provider's total
  EXPECT_EQ(chunk_json(stream_event(plan, 3))["choices"][0]["index"], 1);
  EXPECT_EQ(chunk_json(stream_event(plan, 4))["choices"][0]["index"], 0);
}

TEST(StreamEvents, WithoutIncludeUsageChunksHaveNoUsageKey) {
  const StreamPlan plan = make_plan(StreamFormat::chat, 1, 2, /*include_usage=*/false);
  ASSERT_EQ(event_count(plan), 5u);
  for (std::size_t i = 0; i + 1 < event_count(plan); ++i) {
    EXPECT_FALSE(chunk_json(stream_event(plan, i)).contains("usage")) << i;
  }
}

TEST(StreamEvents, DroppedStreamStopsAfterTokensOfEachChoiceWithoutDone) {
  StreamPlan plan = make_plan(StreamFormat::chat, 2, 4, /*include_usage=*/true);
  plan.drop_after_tokens = 2;
  ASSERT_EQ(event_count(plan), 2u + 4u);  // roles, then 2 tokens of each of 2 choices
  for (std::size_t i = 0; i < event_count(plan); ++i) {
    EXPECT_NE(stream_event(plan, i).data, "data: [DONE]\n\n");
  }
}

TEST(StreamEvents, LegacyCompletionStreamStartsWithTextAtFirstTokenTime) {
  const StreamPlan plan = make_plan(StreamFormat::completion, 1, 2, /*include_usage=*/false);
  ASSERT_EQ(event_count(plan), 4u);  // 2 tokens, finish, [DONE]
  const StreamEvent first = stream_event(plan, 0);
  EXPECT_EQ(first.delay, milliseconds(500));
  const Json chunk = chunk_json(first);
  EXPECT_EQ(chunk["object"], "text_completion");
  EXPECT_EQ(chunk["choices"][0]["text"], ReplyText(1, "k", 0).token(0, 0));
  EXPECT_EQ(stream_event(plan, 1).delay, milliseconds(20));
  EXPECT_EQ(chunk_json(stream_event(plan, 2))["choices"][0]["finish_reason"], "stop");
}

}  // namespace
}  // namespace llmsim::mockapi
