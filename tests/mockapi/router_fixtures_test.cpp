// The router with fixtures (models/fixtures.hpp) and queued faults (/admin/faults):
// mockapi/src/router_fixtures.cpp, fixture_plans.cpp, fixture_bodies.cpp.
#include "mockapi/router.hpp"

#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mockapi/sse.hpp"

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

TEST(RouterFixtures, FillsLogprobsOfTheFixtureContentAsSent) {
  Router router(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
                RouterOptions{.fixtures = std::make_shared<const FixtureSet>(parse_fixtures(kRules, "f.json"))});
  const std::string extra = R"(,"max_tokens":2,"logprobs":true,"top_logprobs":1,"seed":7)";
  const ResponsePlan plan = router.handle(chat("hi", extra), kStart);
  ASSERT_EQ(plan.status, 200);
  const Json logprobs = Json::parse(plan.body)["choices"][0]["logprobs"];
  ASSERT_TRUE(logprobs.is_object()) << plan.body;
  // The entries are the pieces sent, after the max_tokens cut.
  ASSERT_EQ(logprobs["content"].size(), 2u);
  EXPECT_EQ(logprobs["content"][0]["token"], "hél");
  EXPECT_EQ(logprobs["content"][1]["token"], "lo w");
  for (const Json& entry : logprobs["content"]) {
    EXPECT_LE(entry["logprob"].get<double>(), 0.0);
    EXPECT_EQ(entry["top_logprobs"].size(), 1u);
  }
  // The request's seed draws the same entries again; a plain request keeps logprobs null.
  EXPECT_EQ(Json::parse(router.handle(chat("hi", extra), kStart).body)["choices"][0]["logprobs"], logprobs);
  EXPECT_TRUE(Json::parse(router.handle(chat("hi"), kStart).body)["choices"][0]["logprobs"].is_null());
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

HttpRequest responses(const std::string& input, const std::string& extra = "") {
  return HttpRequest{.method = "POST", .target = "/v1/responses",
                     .authorization = "Bearer sk-test",
                     .body = R"({"model":"gpt-3.5-turbo","input":")" + input + "\"" + extra + "}"};
}

constexpr const char* kResponsesRules = R"({"fixtures": [
  {"match": {"endpoint": "responses", "last_user_message": {"contains": "weather"}},
   "answer": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call_fx1"}]}},
  {"match": {"endpoint": "responses", "last_user_message": {"contains": "hi"}},
   "answer": {"content": "héllo world", "latency": {"time_to_first_token_ms": 100, "total_ms": 400}}}]})";

Router calm_router(const std::string& rules) {
  return Router(ProviderConfig{.models = {"gpt-3.5-turbo"}}, kSeed, kCreated,
                RouterOptions{.admin_token = "tok",
                              .fixtures = std::make_shared<const FixtureSet>(
                                  parse_fixtures(rules, "f.json"))});
}

TEST(RouterFixtures, AResponsesFixtureIsAMessageOrFunctionCallItems) {
  Router router = calm_router(kResponsesRules);
  const ResponsePlan text = router.handle(responses("hi"), kStart);
  ASSERT_EQ(text.status, 200) << text.body;
  const Json message = Json::parse(text.body);
  EXPECT_EQ(message["output"][0]["type"], "message");
  EXPECT_EQ(message["output"][0]["content"][0]["text"], "héllo world");
  EXPECT_EQ(message["usage"]["output_tokens"], 3);  // "hél", "lo w", "orld"
  EXPECT_EQ(text.delay, milliseconds(400));
  const Json calls = Json::parse(router.handle(responses("weather?"), kStart).body);
  ASSERT_EQ(calls["output"].size(), 1u);
  EXPECT_EQ(calls["output"][0]["type"], "function_call");
  EXPECT_EQ(calls["output"][0]["call_id"], "call_fx1");
  EXPECT_EQ(calls["output"][0]["name"], "get_weather");
  EXPECT_EQ(calls["output"][0]["arguments"], R"({"city":"Paris"})");
}

TEST(RouterFixtures, AStreamedResponsesFixtureSendsItsPiecesPaced) {
  Router router = calm_router(kResponsesRules);
  const ResponsePlan plan = router.handle(responses("hi", R"(,"stream":true)"), kStart);
  ASSERT_EQ(plan.kind, PlanKind::stream);
  std::string text;
  Duration total{0};
  for (std::size_t i = 0; i < event_count(*plan.stream); ++i) {
    const StreamEvent event = stream_event(*plan.stream, i);
    total += event.delay;
    const Json data = Json::parse(event.data.substr(event.data.find("\ndata: ") + 7));
    if (data["type"] == "response.output_text.delta") text += data["delta"].get<std::string>();
  }
  EXPECT_EQ(text, "héllo world");
  EXPECT_EQ(total, milliseconds(400));
}

TEST(RouterFixtures, QueuedFaultsApplyToResponses) {
  Router router = calm_router(kResponsesRules);
  ASSERT_EQ(router.handle(admin("POST", R"({"endpoint":"responses","status":503})"), kStart).status, 200);
  EXPECT_EQ(router.handle(chat("hi"), kStart).status, 200);  // another endpoint: not taken
  const ResponsePlan refused = router.handle(responses("hi"), kStart);
  EXPECT_EQ(refused.status, 503);  // a queued fault wins over the fixture
  EXPECT_EQ(router.handle(responses("hi"), kStart).status, 200);
}

TEST(RouterFixtures, AQueued429NamesTheLimitItReports) {
  ProviderConfig config{.models = {"gpt-3.5-turbo"}};
  config.organization = "org-test";
  config.limits.rpm = 100;
  config.limits.tpd = 1000;
  Router router(config, kSeed, kCreated, RouterOptions{.admin_token = "tok"});
  ASSERT_EQ(router.handle(admin("POST", R"({"status":429,"limit":"tpd"})"), kStart).status, 200);
  EXPECT_THAT(router.handle(admin("GET"), kStart).body, HasSubstr(R"("limit":"tpd")"));
  const ResponsePlan daily = router.handle(responses("hi"), kStart);
  EXPECT_EQ(daily.status, 429);
  EXPECT_THAT(daily.body, HasSubstr("on tokens per day (TPD): Limit 1000, Used 1000, Requested 1. "
                                    "Please try again in 1m26.4s."));
  EXPECT_EQ(daily.header("retry-after"), "87");  // 24 h / 1000, rounded up
  // Without a limit named: the requests per minute.
  ASSERT_EQ(router.handle(admin("POST", R"({"fault":"429"})"), kStart).status, 200);
  const ResponsePlan minute = router.handle(chat("a"), kStart);
  EXPECT_THAT(minute.body, HasSubstr("on requests per min (RPM): Limit 100, Used 100, Requested 1."));
  EXPECT_EQ(minute.header("retry-after"), "1");
  struct Row {
    const char* rule;
    const char* message;
  };
  const Row rows[] = {
      // the provider has no RPD limit
      {R"({"status":429,"limit":"rpd"})", "'limit' \"rpd\": the provider has no RPD limit."},
      // only a 429 names a limit
      {R"({"status":503,"limit":"rpm"})", "'limit' applies to a 429 only."},
      // the four limits by their short names
      {R"({"status":429,"limit":"RPM"})", "'limit' must be one of rpm, tpm, rpd, tpd, got \"RPM\"."},
  };
  for (const Row& row : rows) {
    const ResponsePlan plan = router.handle(admin("POST", row.rule), kStart);
    EXPECT_EQ(plan.status, 400) << row.rule;
    const Json error = Json::parse(plan.body)["error"];
    EXPECT_EQ(error["param"], "limit") << row.rule;
    EXPECT_EQ(error["message"], row.message) << row.rule;
  }
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
