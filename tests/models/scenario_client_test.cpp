// Tests for reading the CLIENT and REQUEST objects (scenario_client.cpp): every rule, one table
// row each with the exact error line, their defaults, and a full client and request read back.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "models/token_model.hpp"
#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers

const BadRow kClientRows[] = {
    // the pool has at least one connection
    {"/client/connections", "0", "/client/connections: must be an integer >= 1, got 0"},
    // a misspelt client key
    {"/client/conections", "10",
     R"(/client/conections: unknown key (did you mean "connections"?))"},
    // client is an object
    {"/client", "3", "/client: must be an object, got 3"},
    // the timeout is positive
    {"/client/timeout_s", "0", "/client/timeout_s: must be a number > 0, got 0"},
    // retries are >= 0
    {"/client/retry", R"({"max_retries": -1})",
     "/client/retry/max_retries: must be an integer >= 0, got -1"},
    // the first backoff is positive
    {"/client/retry", R"({"initial_backoff_s": 0})",
     "/client/retry/initial_backoff_s: must be a number > 0, got 0"},
    // the longest backoff is at least the first
    {"/client/retry", R"({"max_backoff_s": 0.1})",
     "/client/retry/max_backoff_s: must be >= initial_backoff_s (0.5), got 0.1"},
    // jitter is a fraction
    {"/client/retry", R"({"jitter": 2})",
     "/client/retry/jitter: must be a number in [0, 1], got 2"},
    // honor_retry_after is a boolean
    {"/client/retry", R"({"honor_retry_after": 1})",
     "/client/retry/honor_retry_after: must be true or false, got 1"},
    // the retry-after cap is positive
    {"/client/retry", R"({"max_retry_after_s": 0})",
     "/client/retry/max_retry_after_s: must be a number > 0, got 0"},
    // retry_on names known failures
    {"/client/retry", R"({"retry_on": ["4xx"]})",
     R"(/client/retry/retry_on/0: must be one of 429, 5xx, timeout, connection, got "4xx")"},
    // retry_on entries are unique
    {"/client/retry", R"({"retry_on": ["429", "429"]})",
     R"(/client/retry/retry_on/1: must be unique (same as /client/retry/retry_on/0), got "429")"},
    // the client has at least one core
    {"/client/cpu", R"({"cores": 0})", "/client/cpu/cores: must be an integer >= 1, got 0"},
    // cpu costs are >= 0
    {"/client/cpu", R"({"per_request_ms": -1})",
     "/client/cpu/per_request_ms: must be a number >= 0, got -1"},
    // the round trip is >= 0
    {"/client/network", R"({"rtt_ms": -1})",
     "/client/network/rtt_ms: must be a number >= 0, got -1"},
    // overheads are whole bytes >= 0
    {"/client/network", R"({"response_overhead_bytes": 1.5})",
     "/client/network/response_overhead_bytes: must be an integer >= 0, got 1.5"},
    // --- request ---
    // the endpoint is a known one
    {"/request/endpoint", R"("chat")",
     R"(/request/endpoint: must be one of chat.completions, completions, embeddings, responses, got "chat")"},
    // the model is served by a provider
    {"/request/model", R"("gpt-4")",
     R"(/request/model: must be a model a provider serves (gpt-3.5-turbo), got "gpt-4")"},
    // prompts have at least one token
    {"/request/prompt_tokens", "0", "/request/prompt_tokens: must be an integer >= 1, got 0"},
    // prompt and prompt_tokens exclude each other
    {"/request", R"({"prompt": "hi", "prompt_tokens": 5})",
     R"(/request: needs at most one of "prompt_tokens" or "prompt", got both)"},
    // the prompt is text
    {"/request/prompt", "5", "/request/prompt: must be a string, got 5"},
    // max_tokens is >= 1
    {"/request/max_tokens", "0", "/request/max_tokens: must be an integer >= 1, got 0"},
    // stream is a boolean
    {"/request/stream", R"("no")", R"(/request/stream: must be true or false, got "no")"},
    // embeddings do not stream
    {"/request", R"({"endpoint": "embeddings", "stream": true})",
     "/request/stream: must be false for the embeddings endpoint, got true"},
};

TEST(ScenarioRules, EachBadClientOrRequestGivesItsOneProblem) {
  expect_one_problem_each(kClientRows);
}

TEST(ScenarioDefaults, RequestModelIsTheFirstProvidersFirstModel) {
  Json document = Json::parse(kMinimal);
  document["provider"]["models"] = {"m1", "m2"};
  EXPECT_EQ(parse(document.dump()).request.model, "m1");
}

TEST(ScenarioDefaults, AnEmptyCpuObjectTurnsTheCpuModelOn) {
  const Scenario s = parse(patched("/client/cpu", "{}"));
  EXPECT_TRUE(s.client.cpu.enabled);
  EXPECT_EQ(s.client.cpu.cores, 1);
  EXPECT_EQ(s.client.cpu.per_request_ms, 0.0);
}

TEST(ScenarioRoundTrip, ClientAndRequest) {
  const Scenario s = parse(kFull);
  const ClientConfig& c = s.client;
  EXPECT_EQ(c.connections, 1000);
  EXPECT_EQ(c.timeout_s, 30.0);
  EXPECT_EQ(c.retry.max_retries, 2);
  EXPECT_EQ(c.retry.initial_backoff_s, 0.25);
  EXPECT_EQ(c.retry.max_backoff_s, 4.0);
  EXPECT_EQ(c.retry.jitter, 0.5);
  EXPECT_FALSE(c.retry.honor_retry_after);
  EXPECT_EQ(c.retry.max_retry_after_s, 20.0);
  EXPECT_TRUE(c.retry.retry_on_429);
  EXPECT_TRUE(c.retry.retry_on_5xx);
  EXPECT_FALSE(c.retry.retry_on_timeout);
  EXPECT_FALSE(c.retry.retry_on_connection_error);
  EXPECT_TRUE(c.cpu.enabled);
  EXPECT_EQ(c.cpu.cores, 4);
  EXPECT_EQ(c.cpu.per_request_ms, 1.5);
  EXPECT_EQ(c.cpu.per_response_ms, 0.5);
  EXPECT_EQ(c.network.rtt_ms, 40.0);
  EXPECT_EQ(c.network.request_overhead_bytes, 350);
  EXPECT_EQ(c.network.response_overhead_bytes, 500);
  EXPECT_EQ(s.request.endpoint, Endpoint::completions);
  EXPECT_EQ(s.request.model, "gpt-4o-mini");  // served by the second provider
  EXPECT_EQ(s.request.prompt, "Hello, world");
  EXPECT_EQ(s.request.prompt_tokens, estimate_chat_tokens({"Hello, world"}));
  EXPECT_EQ(s.request.prompt_tokens, 9);  // ceil(12 / 4) + 3 framing + 3 reply priming
  EXPECT_EQ(s.request.max_tokens, 64);
  EXPECT_TRUE(s.request.stream);
}

// request.endpoint "responses" loads as Endpoint::responses, streamed or not, and is described.
TEST(ScenarioRequest, ResponsesEndpointLoads) {
  Json document = Json::parse(kMinimal);
  document["request"] = Json{{"endpoint", "responses"}, {"max_tokens", 32}, {"stream", true}};
  const Scenario s = parse(document.dump());
  EXPECT_EQ(s.request.endpoint, Endpoint::responses);
  EXPECT_TRUE(s.request.stream);
  EXPECT_THAT(describe_scenario(s), ::testing::HasSubstr("request: responses, model"));
  document["request"]["max_tokens"] = 15;
  EXPECT_THAT(error_of(document.dump()),
              ::testing::HasSubstr("x.json: /request/max_tokens: must be >= 16 for the responses "
                                   "endpoint (sent as max_output_tokens), got 15"));
}

}  // namespace
}  // namespace llmsim
