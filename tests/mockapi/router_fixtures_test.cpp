// The router with fixtures (models/fixtures.hpp) and queued faults (/admin/faults):
// mockapi/src/router_fixtures.cpp, fixture_plans.cpp, fixture_bodies.cpp.
#include "mockapi/router.hpp"

#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using testing::HasSubstr;

constexpr std::uint64_t kSeed = 42;
constexpr std::int64_t kCreated = 1'700'000'000;
const TimePoint kStart{};

ProviderConfig test_config() {
  ProviderConfig config;
  config.models = {"gpt-3.5-turbo", "text-embedding-3-small"};
  config.latency.time_to_first_token_s = Distribution::constant(0.5);
  config.latency.per_token_s = Distribution::constant(0.1);
  config.latency.refused_s = Distribution::constant(0.25);
  config.limits.rpm = 3;
  config.faults.server_error = 1.0;  // every generated answer fails: fixtures errors do not
  return config;
}

Router router_with(const std::string& fixtures) {
  return Router(test_config(), kSeed, kCreated,
                RouterOptions{.admin_token = "tok",
                              .fixtures = std::make_shared<const FixtureSet>(
                                  parse_fixtures(fixtures, "f.json"))});
}

HttpRequest chat(const std::string& message, const std::string& extra = "") {
  return HttpRequest{.method = "POST", .target = "/v1/chat/completions",
                     .authorization = "Bearer sk-test",
                     .body = R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":")" +
                             message + R"("}])" + extra + "}"};
}

HttpRequest admin(const std::string& method, const std::string& body = "") {
  return HttpRequest{.method = method, .target = "/admin/faults",
                     .authorization = "Bearer tok", .body = body};
}

constexpr const char* kRules = R"({"fixtures": [
  {"match": {"last_user_message": {"equals": "err"}},
   "answer": {"error": {"status": 409, "message": "busy", "type": "conflict"}}},
  {"match": {"last_user_message": {"contains": "hi"}},
   "answer": {"content": "héllo world", "latency": {"time_to_first_token_ms": 100, "total_ms": 400}}}]})";

TEST(RouterFixtures, AnswersTheFixtureContentWithItsLatencyAndTokens) {
  Router router = router_with(kRules);
  const ResponsePlan plan = router.handle(chat("hi"), kStart);
  // The content fixture still draws the provider's faults (server_error = 1).
  EXPECT_EQ(plan.status, 500);
  Router calm(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
              RouterOptions{.fixtures = std::make_shared<const FixtureSet>(parse_fixtures(kRules, "f.json"))});
  const ResponsePlan ok = calm.handle(chat("hi", R"(,"max_tokens":2)"), kStart);
  ASSERT_EQ(ok.status, 200);
  const Json body = Json::parse(ok.body);
  // "héllo world" is 12 bytes: pieces "hél" (4 bytes), "lo w", "orld"; max_tokens 2 cuts it.
  EXPECT_EQ(body["choices"][0]["message"]["content"], "héllo w");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(body["usage"]["completion_tokens"], 2);
  EXPECT_EQ(ok.delay, milliseconds(400));  // 100 ms to the first token, 300 ms for the other
}

TEST(RouterFixtures, StreamsTheFixtureInPiecesPaced) {
  Router router(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
                RouterOptions{.fixtures = std::make_shared<const FixtureSet>(parse_fixtures(kRules, "f.json"))});
  const ResponsePlan plan = router.handle(chat("hi", R"(,"stream":true)"), kStart);
  ASSERT_EQ(plan.kind, PlanKind::stream);
  std::string text;
  Duration total{0};
  for (std::size_t i = 0; i < event_count(*plan.stream); ++i) {
    const StreamEvent event = stream_event(*plan.stream, i);
    total += event.delay;
    if (event.data.starts_with("data: {")) {
      const Json chunk = Json::parse(event.data.substr(6));
      if (chunk["choices"][0]["delta"].contains("content")) {
        text += chunk["choices"][0]["delta"]["content"].get<std::string>();
      }
    }
  }
  EXPECT_EQ(text, "héllo world");
  EXPECT_EQ(total, milliseconds(400));
}

TEST(RouterFixtures, AnErrorFixtureSkipsRandomFaultsButNotRateLimits) {
  Router router = router_with(kRules);
  const ResponsePlan first = router.handle(chat("err"), kStart);
  EXPECT_EQ(first.status, 409);
  EXPECT_EQ(first.body,
            R"({"error":{"message":"busy","type":"conflict","param":null,"code":null}})");
  EXPECT_EQ(first.delay, milliseconds(250));  // the provider's refused_s
  router.handle(chat("err"), kStart);
  router.handle(chat("err"), kStart);
  EXPECT_EQ(router.handle(chat("err"), kStart).status, 429);  // rpm 3
}

TEST(RouterFixtures, QueuedFaultsHitTheNextMatchingRequests) {
  Router router(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
                RouterOptions{.admin_token = "tok"});
  EXPECT_EQ(router.handle(admin("POST", R"({"count":2,"endpoint":"chat","status":503})"), kStart).status, 200);
  EXPECT_EQ(router.handle(admin("POST", R"({"fault":"slow","latency_ms":1000})"), kStart).status, 200);
  EXPECT_EQ(router.handle(chat("a"), kStart).status, 503);
  EXPECT_EQ(router.handle(chat("a"), kStart).status, 503);
  const ResponsePlan slow = router.handle(chat("a"), kStart);
  EXPECT_EQ(slow.status, 200);
  EXPECT_GE(slow.delay, milliseconds(1000));
  EXPECT_EQ(router.handle(chat("a"), kStart).status, 200);
  EXPECT_EQ(router.handle(admin("GET"), kStart).body, R"({"object":"list","data":[]})");
  HttpRequest no_token = admin("GET");
  no_token.authorization.clear();
  EXPECT_EQ(router.handle(no_token, kStart).status, 401);
}

TEST(RouterFixtures, TheQueueIsBounded) {
  Router router(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
                RouterOptions{.admin_token = "tok"});
  for (std::size_t i = 0; i < kMaxQueuedFaults; ++i) {
    ASSERT_EQ(router.handle(admin("POST", R"({"status":500,"model":"x"})"), kStart).status, 200);
  }
  const ResponsePlan full = router.handle(admin("POST", R"({"status":500})"), kStart);
  EXPECT_EQ(full.status, 400);
  EXPECT_THAT(full.body, HasSubstr("Too many queued fault rules: at most 1000 at once; DELETE "
                                   "/admin/faults clears them."));
  EXPECT_EQ(router.handle(admin("DELETE"), kStart).body, R"({"status":"cleared","cleared":1000})");
}

}  // namespace
}  // namespace llmsim::mockapi
