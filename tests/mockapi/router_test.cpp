#include "mockapi/router.hpp"

#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mockapi/text_generator.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HasSubstr;

constexpr std::uint64_t kSeed = 42;
constexpr std::int64_t kCreated = 1'700'000'000;
const TimePoint kStart{};

ProviderConfig test_config() {
  ProviderConfig config;
  config.organization = "org-test";
  config.models = {"gpt-3.5-turbo", "text-embedding-3-small"};
  config.latency.time_to_first_token_s = Distribution::constant(0.5);
  config.latency.per_token_s = Distribution::constant(0.1);
  config.latency.refused_s = Distribution::constant(0.25);
  config.tokens.completion_tokens = Distribution::constant(16.0);
  config.embedding_dimensions = 8;
  return config;
}

std::string chat_body(const std::string& extra = "") {
  return R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello, world"}])" +
         extra + "}";
}

HttpRequest post(const std::string& target, const std::string& body,
                 const std::string& key = "sk-test",
                 std::optional<std::string> fault = std::nullopt) {
  return HttpRequest{.method = "POST",
                     .target = target,
                     .authorization = key.empty() ? "" : "Bearer " + key,
                     .fault = std::move(fault),
                     .body = body};
}

HttpRequest chat(const std::string& extra = "", const std::string& key = "sk-test",
                 std::optional<std::string> fault = std::nullopt) {
  return post("/v1/chat/completions", chat_body(extra), key, std::move(fault));
}

HttpRequest get(const std::string& target, const std::string& key = "sk-test") {
  return HttpRequest{.method = "GET", .target = target,
                     .authorization = key.empty() ? "" : "Bearer " + key};
}

std::string error_body(const std::string& message, const std::string& type,
                       const std::optional<std::string>& param,
                       const std::optional<std::string>& code) {
  return wire::error_json(wire::ApiError{0, message, type, param, code});
}

class RouterTest : public testing::Test {
 protected:
  ProviderConfig config_ = test_config();
  RouterOptions options_{.admin_token = "tok-admin"};
  std::optional<Router> router_;

  Router& router() {
    if (!router_) router_.emplace(config_, kSeed, kCreated, options_);
    return *router_;
  }
  ResponsePlan handle(const HttpRequest& request, TimePoint now = kStart) {
    return router().handle(request, now);
  }
};

// --- routing and authentication ---------------------------------------------------------------

TEST_F(RouterTest, UnknownRouteIs404InvalidUrl) {
  const ResponsePlan plan = handle(post("/v1/chat/completion", chat_body()));
  EXPECT_EQ(plan.status, 404);
  EXPECT_EQ(plan.body, error_body("Invalid URL (POST /v1/chat/completion)",
                                  "invalid_request_error", std::nullopt, std::nullopt));
  EXPECT_EQ(plan.endpoint, "unknown");
  EXPECT_TRUE(plan.header("x-request-id").has_value());
}

TEST_F(RouterTest, WrongMethodIs404InvalidUrlAsOpenAiSends) {
  const ResponsePlan plan = handle(get("/v1/chat/completions"));
  EXPECT_EQ(plan.status, 404);
  EXPECT_EQ(plan.body, error_body("Invalid URL (GET /v1/chat/completions)",
                                  "invalid_request_error", std::nullopt, std::nullopt));
}

TEST_F(RouterTest, MissingKeyIs401) {
  for (const std::string authorization : {"", "Basic abc", "Bearer "}) {
    HttpRequest request = chat();
    request.authorization = authorization;
    const ResponsePlan plan = handle(request);
    EXPECT_EQ(plan.status, 401) << authorization;
    EXPECT_EQ(plan.body, wire::error_json(wire::missing_api_key())) << authorization;
    EXPECT_THAT(plan.body, HasSubstr(R"("message":"You didn't provide an API key.)"));
  }
}

TEST_F(RouterTest, UnknownKeyIs401WhenKeysAreConfigured) {
  config_.api_keys = {"sk-good-key-0001"};
  const ResponsePlan wrong = handle(chat("", "sk-wrong-key-0002"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body,
            error_body("Incorrect API key provided: sk-wrong*****0002. You can find your API key "
                       "at https://platform.openai.com/account/api-keys.",
                       "invalid_request_error", std::nullopt, "invalid_api_key"));
  EXPECT_EQ(handle(chat("", "sk-good-key-0001")).status, 200);
}

TEST_F(RouterTest, AnyKeyIsAcceptedWhenNoneAreConfigured) {
  EXPECT_EQ(handle(chat("", "anything")).status, 200);
  EXPECT_EQ(handle(chat("", "sk-other")).status, 200);
}

TEST_F(RouterTest, UnknownModelIs404ModelNotFound) {
  const ResponsePlan plan = handle(post("/v1/chat/completions",
                                        R"({"model":"gpt-5","messages":[{"role":"user"}]})"));
  EXPECT_EQ(plan.status, 404);
  EXPECT_EQ(plan.body,
            error_body("The model `gpt-5` does not exist or you do not have access to it.",
                       "invalid_request_error", std::nullopt, "model_not_found"));
}

TEST_F(RouterTest, BadFieldIs400NamingTheParam) {
  const ResponsePlan plan = handle(chat(R"(,"max_tokens":"5")"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.body,
            error_body("Invalid type for 'max_tokens': expected an integer, but got a string "
                       "instead.",
                       "invalid_request_error", "max_tokens", "invalid_type"));
}

TEST_F(RouterTest, AnswersWithoutTheProviderStillShowTheKeysLimits) {
  config_.limits.rpm = 3;
  const ResponsePlan invalid = handle(chat(R"(,"n":0)"));
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.header("x-ratelimit-limit-requests"), "3");
  EXPECT_EQ(invalid.header("x-ratelimit-remaining-requests"), "3");  // nothing was debited
  EXPECT_EQ(handle(get("/v1/models")).header("x-ratelimit-remaining-requests"), "3");
  EXPECT_FALSE(handle(chat("", "")).header("x-ratelimit-limit-requests").has_value());  // 401
}

TEST_F(RouterTest, UnknownFaultHeaderIs400NamingTheHeader) {
  const ResponsePlan plan = handle(chat("", "sk-test", "explode"));
  EXPECT_EQ(plan.status, 400);
  EXPECT_EQ(plan.body,
            error_body("Invalid value for header 'x-llmsim-fault': 'explode'. Supported values "
                       "are: '500', '503', 'hang', 'drop', 'slow', 'quota', '429' and 'ok'.",
                       "invalid_request_error", "x-llmsim-fault", "invalid_value"));
}

TEST_F(RouterTest, OversizedBodyIs413) {
  const ResponsePlan plan = router().body_too_large(1024);
  EXPECT_EQ(plan.status, 413);
  EXPECT_EQ(plan.body,
            error_body("Request body too large: the limit is 1024 bytes. Reduce the size of your "
                       "request and try again.",
                       "invalid_request_error", std::nullopt, "request_too_large"));
}

// --- success ----------------------------------------------------------------------------------

TEST_F(RouterTest, ChatCompletionHasOpenAiHeadersBodyAndDelay) {
  config_.limits.rpm = 3;
  config_.limits.tpm = 1000;
  const ResponsePlan plan = handle(chat(R"(,"max_tokens":100)"));
  ASSERT_EQ(plan.status, 200);
  EXPECT_EQ(plan.kind, PlanKind::respond);
  EXPECT_EQ(plan.header("content-type"), "application/json");
  EXPECT_EQ(plan.header("x-request-id"), request_id(kSeed, "sk-test", 0));
  EXPECT_EQ(plan.header("x-ratelimit-limit-requests"), "3");
  EXPECT_EQ(plan.header("x-ratelimit-remaining-requests"), "2");
  EXPECT_EQ(plan.header("x-ratelimit-reset-requests"), "20s");  // one request of 3 per minute
  EXPECT_EQ(plan.header("x-ratelimit-limit-tokens"), "1000");
  EXPECT_EQ(plan.header("x-ratelimit-remaining-tokens"), "900");  // cost max_tokens = 100
  EXPECT_EQ(plan.header("x-ratelimit-reset-tokens"), "6s");
  EXPECT_EQ(plan.delay, milliseconds(2000));  // 0.5 s first token + 15 * 0.1 s
  EXPECT_EQ(plan.header("openai-processing-ms"), "2000");
  const Json body = Json::parse(plan.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "gpt-3.5-turbo");
  EXPECT_EQ(body["created"], kCreated);
  EXPECT_TRUE(std::regex_match(body["id"].get<std::string>(),
                               std::regex("chatcmpl-[A-Za-z0-9]{29}")));
  ASSERT_EQ(body["choices"].size(), 1u);
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["message"]["content"], ReplyText(kSeed, "sk-test", 0).text(0, 16));
  EXPECT_EQ(body["usage"]["prompt_tokens"], 9);  // "Hello, world": 3 + 3 + 3
  EXPECT_EQ(body["usage"]["completion_tokens"], 16);
  EXPECT_EQ(body["usage"]["total_tokens"], 25);
}

TEST_F(RouterTest, WithoutLimitsNoRateLimitHeadersAreSent) {
  const ResponsePlan plan = handle(chat());
  EXPECT_EQ(plan.status, 200);
  EXPECT_FALSE(plan.header("x-ratelimit-limit-requests").has_value());
  EXPECT_FALSE(plan.header("x-ratelimit-limit-tokens").has_value());
}

TEST_F(RouterTest, ReplyHittingMaxTokensFinishesWithLength) {
  const ResponsePlan plan = handle(chat(R"(,"max_tokens":5)"));
  const Json body = Json::parse(plan.body);
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(body["usage"]["completion_tokens"], 5);
  const std::string text = body["choices"][0]["message"]["content"];
  EXPECT_EQ(std::count(text.begin(), text.end(), ' '), 4);  // five words
  EXPECT_EQ(plan.delay, milliseconds(900));
}

TEST_F(RouterTest, NChoicesEachHaveTheirTextAndUsageCountsAll) {
  const Json body = Json::parse(handle(chat(R"(,"max_tokens":5,"n":3)")).body);
  ASSERT_EQ(body["choices"].size(), 3u);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(body["choices"][c]["index"], c);
    EXPECT_EQ(body["choices"][c]["message"]["content"], ReplyText(kSeed, "sk-test", 0).text(c, 5));
  }
  EXPECT_NE(body["choices"][0]["message"]["content"], body["choices"][1]["message"]["content"]);
  EXPECT_EQ(body["usage"]["completion_tokens"], 15);
}

TEST_F(RouterTest, SameSeedReplaysByteForByte) {
  Router a(config_, kSeed, kCreated);
  Router b(config_, kSeed, kCreated);
  Router other(config_, kSeed + 1, kCreated);
  for (int i = 0; i < 3; ++i) {
    const ResponsePlan pa = a.handle(chat(), kStart + seconds(i));
    const ResponsePlan pb = b.handle(chat(), kStart + seconds(i));
    EXPECT_EQ(pa.body, pb.body);
    EXPECT_EQ(pa.headers, pb.headers);
    EXPECT_NE(pa.body, other.handle(chat(), kStart + seconds(i)).body);
  }
}

TEST_F(RouterTest, LlmsimRequestIdNamesTheRandomStreams) {
  // The load generator sends its own request id: the draws follow it, not the key's count.
  config_.latency.time_to_first_token_s = Distribution::lognormal(1.0, 0.5);
  config_.tokens.completion_tokens = Distribution::lognormal(30.0, 0.5);
  Router a(config_, kSeed, kCreated);
  Router b(config_, kSeed, kCreated);
  HttpRequest tagged = chat();
  tagged.stream_id = "7";
  const ResponsePlan first = a.handle(tagged, kStart);
  b.handle(chat(), kStart);
  b.handle(chat(), kStart);
  const ResponsePlan later = b.handle(tagged, kStart);
  EXPECT_EQ(first.delay, later.delay);
  EXPECT_EQ(Json::parse(first.body)["usage"], Json::parse(later.body)["usage"]);
  // Without the header the third request of b draws as the key's third request.
  const ResponsePlan untagged = b.handle(chat(), kStart);
  EXPECT_NE(untagged.delay, later.delay);
  EXPECT_NE(Json::parse(untagged.body)["usage"], Json::parse(later.body)["usage"]);
  // A header that is not a number is ignored.
  HttpRequest bad = chat();
  bad.stream_id = "x7";
  EXPECT_EQ(a.handle(bad, kStart).status, 200);
}

TEST_F(RouterTest, StreamRequestGivesAStreamPlan) {
  const ResponsePlan plan = handle(chat(R"(,"stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_EQ(plan.kind, PlanKind::stream);
  EXPECT_EQ(plan.header("content-type"), "text/event-stream; charset=utf-8");
  ASSERT_TRUE(plan.stream.has_value());
  EXPECT_TRUE(plan.stream->include_usage);
  EXPECT_EQ(event_count(*plan.stream), 1u + 16u + 1u + 1u + 1u);
  EXPECT_EQ(plan.stream->time_to_first_token, milliseconds(500));
  EXPECT_EQ(plan.stream->per_token, milliseconds(100));
}

TEST_F(RouterTest, LegacyCompletionDefaultsTo16Tokens) {
  const ResponsePlan plan = handle(post("/v1/completions", R"({"model":"gpt-3.5-turbo","prompt":"abcd"})"));
  const Json body = Json::parse(plan.body);
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["choices"][0]["text"], ReplyText(kSeed, "sk-test", 0).text(0, 16));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");  // hit the default max_tokens 16
  EXPECT_EQ(body["usage"]["prompt_tokens"], 1);
}

// --- rate limits ------------------------------------------------------------------------------

TEST_F(RouterTest, RequestsPerMinuteRefusalIsOpenAis429) {
  config_.limits.rpm = 3;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(handle(chat()).status, 200);
  const ResponsePlan plan = handle(chat());
  EXPECT_EQ(plan.status, 429);
  EXPECT_EQ(plan.body,
            error_body("Rate limit reached for gpt-3.5-turbo in organization org-test on requests "
                       "per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. "
                       "Visit https://platform.openai.com/account/rate-limits to learn more.",
                       "requests", std::nullopt, "rate_limit_exceeded"));
  EXPECT_EQ(plan.header("retry-after"), "20");
  EXPECT_FALSE(plan.header("retry-after-ms").has_value());
  EXPECT_EQ(plan.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(plan.delay, milliseconds(250));
  EXPECT_EQ(handle(chat(), kStart + seconds(20)).status, 200);  // one request refilled
}

TEST_F(RouterTest, RetryAfterMsIsSentWhenConfigured) {
  config_.limits.rpm = 1;
  config_.send_retry_after_ms = true;
  ASSERT_EQ(handle(chat()).status, 200);
  const ResponsePlan plan = handle(chat(), kStart + milliseconds(100));
  EXPECT_EQ(plan.header("retry-after"), "60");           // ceil(59.9 s)
  EXPECT_EQ(plan.header("retry-after-ms"), "59900");
}

TEST_F(RouterTest, TokensPerMinuteRefusalNamesTokensAndRoundsRetryAfterUp) {
  config_.limits.tpm = 1000;
  ASSERT_EQ(handle(chat(R"(,"max_tokens":600)")).status, 200);
  const ResponsePlan plan = handle(chat(R"(,"max_tokens":601)"));
  EXPECT_EQ(plan.status, 429);
  EXPECT_EQ(plan.body,
            error_body("Rate limit reached for gpt-3.5-turbo in organization org-test on tokens "
                       "per min (TPM): Limit 1000, Used 600, Requested 601. Please try again in "
                       "12.06s. Visit https://platform.openai.com/account/rate-limits to learn "
                       "more.",
                       "tokens", std::nullopt, "rate_limit_exceeded"));
  EXPECT_EQ(plan.header("retry-after"), "13");
}

TEST_F(RouterTest, RequestsPerDayRefusalWaitsHours) {
  config_.limits.rpd = 2;
  for (int i = 0; i < 2; ++i) ASSERT_EQ(handle(chat()).status, 200);
  const ResponsePlan plan = handle(chat());
  EXPECT_EQ(plan.status, 429);
  EXPECT_THAT(plan.body, HasSubstr("on requests per day (RPD): Limit 2, Used 2, Requested 1. "
                                   "Please try again in 12h0m0s."));
  EXPECT_EQ(plan.header("retry-after"), "43200");
}

TEST_F(RouterTest, RequestLargerThanTheLimitIsTooLargeWithoutRetryAfter) {
  config_.limits.tpm = 100;
  const ResponsePlan plan = handle(chat(R"(,"max_tokens":200)"));
  EXPECT_EQ(plan.status, 429);
  EXPECT_EQ(plan.body,
            error_body("Request too large for gpt-3.5-turbo in organization org-test on tokens "
                       "per min (TPM): Limit 100, Requested 200. The input or output tokens must "
                       "be reduced in order to run successfully. Visit "
                       "https://platform.openai.com/account/rate-limits to learn more.",
                       "tokens", std::nullopt, "rate_limit_exceeded"));
  EXPECT_FALSE(plan.header("retry-after").has_value());
}

TEST_F(RouterTest, EachKeyIsItsOwnAccount) {
  config_.limits.rpm = 1;
  EXPECT_EQ(handle(chat("", "sk-a")).status, 200);
  EXPECT_EQ(handle(chat("", "sk-a")).status, 429);
  EXPECT_EQ(handle(chat("", "sk-b")).status, 200);
}

TEST_F(RouterTest, TimeGoingBackwardsAcrossThreadsIsClamped) {
  config_.limits.rpm = 60;
  EXPECT_EQ(handle(chat(), kStart + seconds(10)).status, 200);
  EXPECT_EQ(handle(chat(), kStart + seconds(5)).status, 200);
}

// --- faults -----------------------------------------------------------------------------------

TEST_F(RouterTest, ForcedQuotaIsInsufficientQuotaThatMustNotBeRetried) {
  const ResponsePlan plan = handle(chat("", "sk-test", "quota"));
  EXPECT_EQ(plan.status, 429);
  EXPECT_EQ(plan.body, wire::error_json(wire::quota_exhausted()));
  EXPECT_THAT(plan.body, HasSubstr(R"("type":"insufficient_quota","param":null,"code":"insufficient_quota")"));
  EXPECT_EQ(plan.header("x-should-retry"), "false");
  EXPECT_FALSE(plan.header("retry-after").has_value());
}

TEST_F(RouterTest, ForcedServerErrors) {
  const ResponsePlan internal = handle(chat("", "sk-test", "500"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body, wire::error_json(wire::server_error()));
  const ResponsePlan busy = handle(chat("", "sk-test", "503"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.body, wire::error_json(wire::overloaded(*busy.header("x-request-id"))));
}

TEST_F(RouterTest, ForcedRateLimitRefusesAtOnce) {
  config_.limits.rpm = 500;
  const ResponsePlan plan = handle(chat("", "sk-test", "429"));
  EXPECT_EQ(plan.status, 429);
  EXPECT_THAT(plan.body, HasSubstr("Limit 500, Used 500, Requested 1. Please try again in 120ms."));
  EXPECT_EQ(plan.header("retry-after"), "1");
}

TEST_F(RouterTest, ForcedHangDropAndSlow) {
  EXPECT_EQ(handle(chat("", "sk-test", "hang")).kind, PlanKind::hang);
  const ResponsePlan drop = handle(chat("", "sk-test", "drop"));
  EXPECT_EQ(drop.kind, PlanKind::drop);
  EXPECT_EQ(drop.delay, milliseconds(1200));  // first token + 7 more of the 8 before the drop
  const ResponsePlan stream_drop = handle(chat(R"(,"stream":true)", "sk-test", "drop"));
  ASSERT_EQ(stream_drop.kind, PlanKind::stream);
  EXPECT_EQ(stream_drop.stream->drop_after_tokens, 8);
  const ResponsePlan slow = handle(chat("", "sk-test", "slow"));
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.delay, milliseconds(12000));  // + 10 s slow first byte
  EXPECT_EQ(handle(chat("", "sk-test", "ok")).status, 200);
}

// --- embeddings and models --------------------------------------------------------------------

TEST_F(RouterTest, EmbeddingsHaveTheModelsDimensionAndAreDeterministic) {
  const std::string request = R"({"model":"text-embedding-3-small","input":["abc","def"]})";
  const Json body = Json::parse(handle(post("/v1/embeddings", request)).body);
  EXPECT_EQ(body["object"], "list");
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["data"][1]["index"], 1);
  EXPECT_EQ(body["data"][0]["embedding"].size(), 8u);
  double norm2 = 0.0;
  for (double x : body["data"][0]["embedding"]) norm2 += x * x;
  EXPECT_NEAR(norm2, 1.0, 1e-5);
  EXPECT_EQ(body["usage"]["prompt_tokens"], 2);
  const Json again = Json::parse(handle(post("/v1/embeddings", request, "sk-other")).body);
  EXPECT_EQ(again["data"], body["data"]);  // same text, same vector, whoever asks
  EXPECT_NE(body["data"][0]["embedding"], body["data"][1]["embedding"]);
}

TEST_F(RouterTest, EmbeddingsHonourDimensionsAndBase64) {
  const Json four = Json::parse(handle(post(
      "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"a","dimensions":4})")).body);
  EXPECT_EQ(four["data"][0]["embedding"].size(), 4u);
  const Json packed = Json::parse(handle(post(
      "/v1/embeddings",
      R"({"model":"text-embedding-3-small","input":"a","encoding_format":"base64"})")).body);
  EXPECT_EQ(packed["data"][0]["embedding"].get<std::string>().size(), 44u);  // 32 bytes
  const ResponsePlan too_many = handle(post(
      "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"a","dimensions":9})"));
  EXPECT_EQ(too_many.status, 400);
  EXPECT_THAT(too_many.body, HasSubstr("Expected a value <= 8, but got 9 instead."));
}

TEST_F(RouterTest, ModelsAreListedAndRetrieved) {
  const Json list = Json::parse(handle(get("/v1/models?limit=5")).body);
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["id"], "gpt-3.5-turbo");
  EXPECT_EQ(list["data"][0]["object"], "model");
  EXPECT_EQ(list["data"][0]["owned_by"], "openai");
  const Json one = Json::parse(handle(get("/v1/models/text-embedding-3-small")).body);
  EXPECT_EQ(one["id"], "text-embedding-3-small");
  const ResponsePlan missing = handle(get("/v1/models/gpt-5"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("code":"model_not_found")"));
  EXPECT_EQ(handle(get("/v1/models", "")).status, 401);
}

// --- operations -------------------------------------------------------------------------------

TEST_F(RouterTest, HealthAndMetricsNeedNoKey) {
  config_.limits.rpm = 10;
  handle(chat());
  EXPECT_EQ(handle(get("/healthz", "")).body, R"({"status":"ok"})");
  const ResponsePlan metrics = handle(get("/metrics", ""));
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(metrics.body, HasSubstr("llmsim_ratelimit_available{key=\"sk-test\",limit=\"RPM\"} 9\n"));
}

TEST_F(RouterTest, AdminResetRefillsLimitsAndRestartsNumbering) {
  config_.limits.rpm = 1;
  const ResponsePlan first = handle(chat());
  EXPECT_EQ(handle(chat()).status, 429);
  EXPECT_EQ(handle(post("/admin/reset", "", "tok-admin")).status, 200);
  const ResponsePlan after = handle(chat());
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.header("x-request-id"), first.header("x-request-id"));
}

TEST_F(RouterTest, AdminRoutesNeedTheAdminToken) {
  config_.limits.rpm = 1;
  handle(chat());
  for (const std::string key : {"", "sk-test", "tok-admi", "tok-adminx"}) {
    const ResponsePlan refused = handle(post("/admin/reset", "", key));
    EXPECT_EQ(refused.status, 401) << key;
    EXPECT_THAT(refused.body, HasSubstr(R"("code":"invalid_admin_token")")) << key;
    EXPECT_EQ(refused.endpoint, "admin");
  }
  EXPECT_EQ(handle(chat()).status, 429);  // nothing was reset
  const HttpRequest admin = post("/admin/reset", "", "tok-admin");
  EXPECT_FALSE(router().check_admin(admin, kStart).has_value());
  EXPECT_EQ(handle(admin).status, 200);
}

TEST(RouterAdmin, WithoutATokenEveryAdminRequestIsRefused) {
  Router router(test_config(), kSeed, kCreated, RouterOptions{.admin_token = ""});
  EXPECT_EQ(router.handle(post("/admin/reset", "", ""), kStart).status, 401);
  EXPECT_EQ(router.handle(HttpRequest{.method = "POST", .target = "/admin/reset",
                                      .authorization = "Bearer "}, kStart).status, 401);
}

TEST_F(RouterTest, MetricsShowKeysMasked) {
  config_.limits.rpm = 10;
  handle(chat("", "sk-proj-0123456789abcdef"));
  handle(chat("", "sk-proj-9999999999abcdef"));  // masks alike: told apart in key order
  const std::string body = handle(get("/metrics", "")).body;
  EXPECT_THAT(body, HasSubstr("llmsim_ratelimit_keys 2\n"));
  EXPECT_THAT(body, HasSubstr(R"(llmsim_ratelimit_available{key="sk-proj-************cdef",)"));
  EXPECT_THAT(body, HasSubstr(R"(llmsim_ratelimit_available{key="sk-proj-************cdef#2",)"));
  EXPECT_EQ(body.find("0123456789"), std::string::npos);
}

// --- client input that is not UTF-8 -------------------------------------------------------------

TEST_F(RouterTest, ErrorsCopyingInvalidUtf8AnswerWithReplacementCharacters) {
  config_.api_keys = {"sk-known"};
  const std::vector<std::pair<HttpRequest, int>> requests = {
      {get("/\xff", ""), 404},
      {chat("", "sk-known", std::string("\xff\xfe")), 400},
      {chat("", "sk-\xc3\xa9\xff-bad-key-1234"), 401},
      {chat("", "sk-aaaa\xe2\x82\xac\xe2\x82\xac-bbbbbbbbb"), 401},  // cut inside a euro sign
  };
  for (const auto& [request, status] : requests) {
    ResponsePlan plan;
    ASSERT_NO_THROW(plan = handle(request)) << request.target;
    EXPECT_EQ(plan.status, status);
    const Json body = Json::parse(plan.body);  // valid UTF-8, or this throws
    EXPECT_TRUE(body["error"]["message"].is_string());
  }
  EXPECT_THAT(handle(get("/\xff", "")).body, HasSubstr("Invalid URL (GET /\xef\xbf\xbd)"));
  EXPECT_THAT(handle(chat("", "sk-aaaa\xe2\x82\xac\xe2\x82\xac-bbbbbbbbb")).body,
              HasSubstr("sk-aaaa\xe2\x82\xac*********bbbb"));
}

// --- keys kept ----------------------------------------------------------------------------------

TEST_F(RouterTest, KeepsAtMostMaxKeysForgettingOnlyKeysWithFullLimits) {
  config_.limits.rpm = 60;  // one request refills in 1 s
  options_.max_keys = 50;
  for (int i = 0; i < 2000; ++i) {
    const TimePoint now = kStart + from_seconds(1.001 * i);
    ASSERT_EQ(handle(chat("", "sk-random-" + std::to_string(i)), now).status, 200) << i;
    ASSERT_LE(router().key_count(), 50u);
  }
  const std::string metrics = handle(get("/metrics", ""), kStart + from_seconds(2002)).body;
  EXPECT_THAT(metrics, HasSubstr("llmsim_ratelimit_keys 50\n"));
  EXPECT_LT(metrics.size(), 20'000u);
}

TEST_F(RouterTest, RefusesANewKeyWhileEveryKeptKeyHasPartlyUsedLimits) {
  config_.limits.rpm = 60;
  options_.max_keys = 3;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(handle(chat("", "sk-" + std::to_string(i))).status, 200);
  const ResponsePlan refused = handle(chat("", "sk-new"), kStart + from_seconds(0.5));
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr(R"("code":"too_many_keys")"));
  EXPECT_EQ(handle(chat("", "sk-0"), kStart + from_seconds(1.0)).status, 200);  // kept keys work
  EXPECT_EQ(router().key_count(), 3u);
  // No sweep for a second after a failed one, then sk-1 and sk-2 (full again) make room; sk-0,
  // spent again at 1 s, stays.
  EXPECT_EQ(handle(chat("", "sk-new"), kStart + from_seconds(1.4)).status, 503);
  EXPECT_EQ(handle(chat("", "sk-new"), kStart + from_seconds(1.6)).status, 200);
  EXPECT_EQ(router().key_count(), 2u);
}

TEST_F(RouterTest, AForgottenKeyGetsTheLimitsItWouldHaveHad) {
  config_.limits.rpm = 60;
  config_.limits.tpm = 1000;
  Router small(config_, kSeed, kCreated, RouterOptions{.max_keys = 1});
  Router large(config_, kSeed, kCreated, RouterOptions{.max_keys = 10});
  for (Router* router : {&small, &large}) {
    router->handle(chat("", "sk-a"), kStart);
    router->handle(chat("", "sk-b"), kStart + from_seconds(61));  // small forgets sk-a here
  }
  EXPECT_EQ(small.key_count(), 1u);
  EXPECT_EQ(large.key_count(), 2u);
  const TimePoint later = kStart + from_seconds(122);
  const ResponsePlan forgotten = small.handle(chat("", "sk-a"), later);
  const ResponsePlan kept = large.handle(chat("", "sk-a"), later);
  for (const char* header : {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                             "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                             "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"}) {
    EXPECT_EQ(forgotten.header(header), kept.header(header)) << header;
  }
  EXPECT_EQ(forgotten.status, kept.status);
}

// --- logprobs, stop, seed ---------------------------------------------------------------------

// Returns the JSON chunks of a stream plan (without [DONE]).
std::vector<Json> stream_chunks(const ResponsePlan& plan) {
  std::vector<Json> chunks;
  for (std::size_t i = 0; i < event_count(*plan.stream); ++i) {
    const std::string data = stream_event(*plan.stream, i).data;
    if (data != "data: [DONE]\n\n") chunks.push_back(Json::parse(data.substr(6)));
  }
  return chunks;
}

// Returns the tokens of a choice's logprobs.content, concatenated.
std::string logprob_text(const Json& choice) {
  std::string text;
  for (const Json& entry : choice["logprobs"]["content"]) text += entry["token"].get<std::string>();
  return text;
}

TEST_F(RouterTest, LogprobsGiveOneEntryPerTokenOfEachChoice) {
  const ResponsePlan plan = handle(chat(R"(,"logprobs":true,"top_logprobs":4,"n":2)"));
  ASSERT_EQ(plan.status, 200);
  const Json body = Json::parse(plan.body);
  ASSERT_EQ(body["choices"].size(), 2u);
  for (const Json& choice : body["choices"]) {
    EXPECT_EQ(choice["logprobs"]["content"].size(), 16u);  // the provider's 16 tokens
    EXPECT_EQ(logprob_text(choice), choice["message"]["content"]);
    EXPECT_TRUE(choice["logprobs"]["refusal"].is_null());
    for (const Json& entry : choice["logprobs"]["content"]) {
      EXPECT_LE(entry["logprob"].get<double>(), 0.0);
      EXPECT_EQ(entry["top_logprobs"].size(), 4u);
    }
  }
  // The same words as without logprobs: logprobs change no content.
  Router plain(config_, kSeed, kCreated, options_);
  const Json without = Json::parse(plain.handle(chat(R"(,"n":2)"), kStart).body);
  EXPECT_EQ(without["choices"][1]["message"]["content"], body["choices"][1]["message"]["content"]);
  EXPECT_TRUE(without["choices"][0]["logprobs"].is_null());
}

TEST_F(RouterTest, LogprobsWithASeedRepeatAndWithoutOneDiffer) {
  const std::string seeded = R"(,"logprobs":true,"top_logprobs":2,"seed":9)";
  const Json first = Json::parse(handle(chat(seeded)).body)["choices"][0];
  const Json second = Json::parse(handle(chat(seeded)).body)["choices"][0];
  EXPECT_EQ(first["logprobs"], second["logprobs"]);
  EXPECT_EQ(first["message"], second["message"]);
  const Json unseeded = Json::parse(handle(chat(R"(,"logprobs":true,"top_logprobs":2)")).body);
  EXPECT_NE(unseeded["choices"][0]["logprobs"], first["logprobs"]);
}

TEST_F(RouterTest, StreamedLogprobsAreTheNonStreamedOnesTokenByToken) {
  const std::string extra = R"(,"logprobs":true,"top_logprobs":1,"seed":3,"max_tokens":5)";
  const Json whole = Json::parse(handle(chat(extra)).body)["choices"][0];
  Json streamed = Json::array();
  for (const Json& chunk : stream_chunks(handle(chat(extra + R"(,"stream":true)")))) {
    const Json& choice = chunk["choices"][0];
    if (choice["delta"].contains("content") && choice["delta"]["content"].is_string() &&
        !choice["delta"]["content"].get<std::string>().empty()) {
      ASSERT_EQ(choice["logprobs"]["content"].size(), 1u);
      EXPECT_EQ(choice["logprobs"]["content"][0]["token"], choice["delta"]["content"]);
      streamed.push_back(choice["logprobs"]["content"][0]);
    } else {
      EXPECT_TRUE(choice["logprobs"].is_null()) << chunk.dump();  // role and finish chunks
    }
  }
  EXPECT_EQ(streamed, whole["logprobs"]["content"]);
  EXPECT_EQ(whole["finish_reason"], "length");
}

TEST_F(RouterTest, ToolCallChoicesHaveNoLogprobTokensAndJsonContentHasThem) {
  const std::string tool =
      R"(,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object",)"
      R"("properties":{"a":{"type":"string"}},"required":["a"]}}}],"tool_choice":"required")";
  const Json calls = Json::parse(handle(chat(tool + R"(,"logprobs":true)")).body)["choices"][0];
  EXPECT_EQ(calls["finish_reason"], "tool_calls");
  EXPECT_EQ(calls["logprobs"], Json::parse(R"({"content":[],"refusal":null})"));
  for (const Json& chunk : stream_chunks(handle(chat(tool + R"(,"logprobs":true,"stream":true)")))) {
    const Json& logprobs = chunk["choices"][0]["logprobs"];
    EXPECT_TRUE(logprobs.is_null() || logprobs["content"].empty()) << chunk.dump();
  }
  const std::string json_format =
      R"(,"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":)"
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}}})";
  const Json json = Json::parse(handle(chat(json_format + R"(,"logprobs":true,"n":3)")).body);
  for (const Json& choice : json["choices"]) {
    EXPECT_EQ(logprob_text(choice), choice["message"]["content"]);
    EXPECT_TRUE(Json::accept(choice["message"]["content"].get<std::string>()));
  }
}

TEST_F(RouterTest, StopCutsWordsBeforeTheSequenceWithFinishReasonStop) {
  const Json whole = Json::parse(handle(chat(R"(,"seed":4)")).body)["choices"][0];
  const std::string content = whole["message"]["content"];
  ASSERT_GT(content.size(), 12u);
  const std::string stop = content.substr(9, 3);  // may start inside a word
  const std::string extra = R"(,"seed":4,"logprobs":true,"stop":[")" + stop + R"("])";
  const Json body = Json::parse(handle(chat(extra)).body);
  const Json& choice = body["choices"][0];
  const std::string cut = content.substr(0, content.find(stop));
  EXPECT_EQ(choice["message"]["content"], cut);
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(logprob_text(choice), cut);
  EXPECT_EQ(body["usage"]["completion_tokens"], choice["logprobs"]["content"].size());
  // A sequence that never comes changes nothing.
  const Json untouched = Json::parse(handle(chat(R"(,"seed":4,"stop":"zzz")")).body)["choices"][0];
  EXPECT_EQ(untouched["message"]["content"], content);
}

TEST_F(RouterTest, StopCutsJsonContentEvenIntoInvalidJsonAndLeavesToolArgumentsWhole) {
  const std::string format =
      R"(,"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":)"
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},)"
      R"("required":["a","b"]}}},"seed":1)";
  const std::string content =
      Json::parse(handle(chat(format)).body)["choices"][0]["message"]["content"];
  const Json cut = Json::parse(handle(chat(format + R"(,"stop":"\"b\"","n":2)")).body);
  for (const Json& choice : cut["choices"]) {
    EXPECT_EQ(choice["finish_reason"], "stop");
    EXPECT_FALSE(Json::accept(choice["message"]["content"].get<std::string>()));
  }
  EXPECT_EQ(cut["choices"][0]["message"]["content"], content.substr(0, content.find("\"b\"")));
  const std::string tool =
      R"(,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object",)"
      R"("properties":{"a":{"type":"string"}},"required":["a"]}}}],"tool_choice":"required")";
  const Json call = Json::parse(handle(chat(tool + R"(,"stop":"a")")).body)["choices"][0];
  EXPECT_EQ(call["finish_reason"], "tool_calls");
  const std::string arguments = call["message"]["tool_calls"][0]["function"]["arguments"];
  EXPECT_TRUE(Json::parse(arguments).contains("a"));
}

}  // namespace
}  // namespace llmsim::mockapi
