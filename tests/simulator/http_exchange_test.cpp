// The load driver's HTTP exchange: the request head it writes, and reading a response back into
// an AttemptResult (usage, streams, retry-after, x-ratelimit-* alike with the simulator's).
#include "simulator/http_exchange.hpp"

#include <sstream>
#include <string>

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/provider_model.hpp"
#include "models/random.hpp"
#include "models/token_model.hpp"
#include "simulator/attempt_result.hpp"
#include "wire/go_duration.hpp"

namespace llmsim {
namespace {

namespace http = boost::beast::http;

// The request as the load generator built it with Beast before writing its head by hand.
std::string beast_request(const std::string& path, const std::string& host, const std::string& key,
                          std::uint32_t attempt, std::uint64_t request_id, const std::string& body,
                          ProviderApi api = ProviderApi::openai) {
  http::request<http::string_body> message{http::verb::post, path, 11};
  message.set(http::field::host, host);
  message.set(http::field::content_type, "application/json");
  message.set(http::field::user_agent, "llmsim-load");
  if (api == ProviderApi::anthropic) {
    if (!key.empty()) message.set("x-api-key", key);
    message.set("anthropic-version", "2023-06-01");
  } else if (!key.empty()) {
    message.set(http::field::authorization, "Bearer " + key);
  }
  message.set("x-stainless-retry-count", std::to_string(attempt));
  message.set("x-llmsim-request-id", std::to_string(request_id));
  message.body() = body;
  message.prepare_payload();
  message.keep_alive(true);
  std::ostringstream out;
  out << message;
  return out.str();
}

TEST(RequestHead, IsWhatBeastWrote) {
  const std::string body = R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello"}]})";
  std::string end;
  for (const std::string& key : {std::string("x"), std::string("sk-proj-123"), std::string()}) {
    for (const std::uint32_t attempt : {0U, 1U, 4294967295U}) {
      for (const std::uint64_t id : {std::uint64_t{0}, std::uint64_t{12345}, ~std::uint64_t{0}}) {
        const std::string start = request_head_start("/prefix/v1/chat/completions", "127.0.0.1", key);
        write_request_head_end(end, attempt, id, body.size());
        EXPECT_EQ(start + end + body,
                  beast_request("/prefix/v1/chat/completions", "127.0.0.1", key, attempt, id, body))
            << key << " " << attempt << " " << id;
        // Anthropic's head: x-api-key and anthropic-version instead of Authorization.
        const std::string anthropic =
            request_head_start("/v1/messages", "127.0.0.1", key, ProviderApi::anthropic);
        EXPECT_EQ(anthropic + end + body, beast_request("/v1/messages", "127.0.0.1", key, attempt,
                                                        id, body, ProviderApi::anthropic))
            << key << " " << attempt << " " << id;
      }
    }
  }
}

// How completion tokens were read before: the whole body parsed into a document. It threw for a
// completion_tokens that is not a number; that now reads as 0.
std::int64_t tokens_from_document(std::string_view json) {
  const nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("usage") || !parsed["usage"].is_object()) return 0;
  try {
    return parsed["usage"].value("completion_tokens", std::int64_t{0});
  } catch (const nlohmann::json::type_error&) {
    return 0;
  }
}

std::int64_t tokens_read(std::string_view body) {
  return read_response(ResponseView{.status = 200, .body = body}).completion_tokens;
}

TEST(ReadResponse, ReadsCompletionTokensAsTheParsedDocumentDid) {
  const std::vector<std::string> bodies = {
      // the mock server's reply
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"a \"usage\":{\"completion_tokens\":9}"},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":16,"total_tokens":24,)"
      R"("prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}})",
      // usage first, unsigned, float, boolean, negative, null, string, nested deeper
      R"({"usage":{"completion_tokens":7},"choices":[]})",
      R"({"usage":{"completion_tokens":18446744073709551615}})",
      R"({"usage":{"completion_tokens":12.9}})",
      R"({"usage":{"completion_tokens":true}})",
      R"({"usage":{"completion_tokens":-3}})",
      R"({"usage":{"completion_tokens":null}})",
      R"({"usage":{"completion_tokens":"5"}})",
      R"({"usage":{"completion_tokens":{"n":5}}})",
      R"({"usage":{"details":{"completion_tokens":5}}})",
      R"({"choices":[{"usage":{"completion_tokens":5}}]})",
      // repeated keys: the last counts
      R"({"usage":{"completion_tokens":1,"completion_tokens":2}})",
      R"({"usage":{"completion_tokens":1},"usage":{"prompt_tokens":2}})",
      R"({"usage":{"completion_tokens":1},"usage":null})",
      R"({"usage":null,"usage":{"completion_tokens":4}})",
      // no usage, not an object, not JSON, cut short, trailing bytes
      R"({"id":"x"})", R"([{"usage":{"completion_tokens":5}}])", "5", "", "not json",
      R"({"usage":{"completion_tokens":5})", R"({"usage":{"completion_tokens":5}} x)",
      R"({"usage":{"completion_tokens":5}}  )"};
  for (const std::string& body : bodies) {
    EXPECT_EQ(tokens_read(body), tokens_from_document(body)) << body;
  }
}

TEST(ReadResponse, ReadsCompletionTokensOfRandomDocumentsAsTheParsedDocumentDid) {
  // Random objects of random depth whose keys are often "usage" or "completion_tokens".
  RandomStream rng(3, "usage-documents");
  const std::vector<std::string> keys = {"usage", "completion_tokens", "id", "choices"};
  const auto value = [&](auto& self, int depth) -> nlohmann::json {
    switch (rng.next_u64() % (depth > 2 ? 4 : 6)) {
      case 0: return static_cast<std::int64_t>(rng.next_u64() % 1000);
      case 1: return "text";
      case 2: return nullptr;
      case 3: return 2.5;
      case 4: {
        nlohmann::json array = nlohmann::json::array();
        for (std::uint64_t i = rng.next_u64() % 3; i > 0; --i) array.push_back(self(self, depth + 1));
        return array;
      }
      default: {
        std::string text = "{";
        for (std::uint64_t i = rng.next_u64() % 4; i > 0; --i) {
          if (text.size() > 1) text += ',';
          text += '"' + keys[rng.next_u64() % keys.size()] + "\":" + self(self, depth + 1).dump();
        }
        // Repeated keys survive only in text: a document would merge them.
        return nlohmann::json::parse(text + "}");
      }
    }
  };
  for (int i = 0; i < 3000; ++i) {
    std::string text = "{";
    for (std::uint64_t k = rng.next_u64() % 4; k > 0; --k) {
      if (text.size() > 1) text += ',';
      text += "\"" + keys[rng.next_u64() % 2] + "\":" + value(value, 1).dump();
    }
    text += "}";
    EXPECT_EQ(tokens_read(text), tokens_from_document(text)) << text;
  }
}

TEST(ReadResponse, ReadsTheUsageChunkOfAStream) {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":11}}\n\n"
      "data: [DONE]\n\n";
  const AttemptResult result =
      read_response(ResponseView{.status = 200, .headers = {.content_type = "text/event-stream"}, .body = stream});
  EXPECT_EQ(result.completion_tokens, 11);
}

// retry-after: 99999999999999999999 overflowed the nanosecond count to a negative wait (undefined
// behaviour); waits over a day, and inf, are ignored as unparseable.
TEST(ReadResponse, HugeRetryAfterIsIgnoredNotOverflowed) {
  // wire_openai_test has the parser's rows; here the driver's reading of such a 429.
  const AttemptResult result =
      read_response(ResponseView{.status = 429, .headers = {.retry_after = "99999999999999999999"}, .body = "{}"});
  EXPECT_EQ(result.retry_after, std::nullopt);
  EXPECT_EQ(result.error, ErrorCategory::rate_limit_requests);
}

// "HTTP/1.1 999" counted as a 5xx, and a 200 whose body is not JSON as a success.
TEST(ReadResponse, StatusesOutsideHttpAndNonJsonSuccessesAreOther) {
  for (const int status : {0, 99, 600, 999}) {
    EXPECT_EQ(read_response(ResponseView{.status = status, .body = "{}"}).error, ErrorCategory::other)
        << status;
  }
  for (const char* body : {"<html>Bad gateway</html>", "", "not json", R"({"usage":)"}) {
    const AttemptResult result = read_response(ResponseView{.status = 200, .body = body});
    EXPECT_EQ(result.error, ErrorCategory::other) << body;
  }
  // JSON successes stay successes, whatever their shape.
  for (const char* body : {R"({"usage":{"completion_tokens":3}})", R"({"id":"x"})", "[]", "5"}) {
    EXPECT_EQ(read_response(ResponseView{.status = 200, .body = body}).error, std::nullopt) << body;
  }
  EXPECT_EQ(read_response(ResponseView{.status = 503, .body = "{}"}).error, ErrorCategory::server_5xx);
}

}  // namespace
}  // namespace llmsim

namespace llmsim {
namespace {

TEST(HttpExchange, ResponsesRequestBodyAndPath) {
  RequestConfig request;
  request.endpoint = Endpoint::responses;
  request.model = "gpt-4o";
  request.prompt = "Hi";
  request.max_tokens = 32;
  request.stream = true;
  EXPECT_EQ(endpoint_path(request), "/v1/responses");
  EXPECT_EQ(request_body(request), R"({"input":"Hi","max_output_tokens":32,"model":"gpt-4o","stream":true})");
}

TEST(HttpExchange, ResponsesUsageIsOutputTokens) {
  const std::string body =
      R"({"id":"resp_1","object":"response","output":[],"usage":{"input_tokens":9,"output_tokens":12,"total_tokens":21}})";
  const AttemptResult plain =
      read_response(ResponseView{.status = 200, .body = body, .endpoint = Endpoint::responses});
  EXPECT_EQ(plain.error, std::nullopt);
  EXPECT_EQ(plain.completion_tokens, 12);
  const std::string stream =
      "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\n"
      "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,"
      "\"response\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":7}}}\n\n";
  const AttemptResult streamed = read_response(
      ResponseView{.status = 200, .headers = {.content_type = "text/event-stream"}, .body = stream,
                   .endpoint = Endpoint::responses});
  EXPECT_EQ(streamed.error, std::nullopt);
  EXPECT_EQ(streamed.completion_tokens, 7);
  // A stream cut before its final event is a connection error, [DONE] or not.
  const AttemptResult cut = read_response(ResponseView{
      .status = 200, .headers = {.content_type = "text/event-stream"},
      .body = stream.substr(0, stream.find("event: response.completed")),
      .endpoint = Endpoint::responses});
  EXPECT_EQ(cut.error, ErrorCategory::connection);
}

// x-ratelimit-* values read alike from a provider decision (simulator) and from HTTP headers
// (real-socket driver).
TEST(RateLimitHeaders, DecisionAndHttpHeadersReadAlike) {
  ProviderConfig provider;
  provider.limits.rpm = 500;
  provider.limits.tpm = 200000;
  ProviderModel model(provider, 1);
  Decision decision;
  for (std::uint64_t id = 0; id < 7; ++id) {
    decision = model.decide(ProviderRequest{.prompt_tokens = 385, .request_id = id},
                            TimePoint{} + from_seconds(0.3));
  }
  const RateLimitHeaders& h = decision.admission.headers;
  const AttemptResult simulated = from_decision(decision, provider, response_sizes_of(provider, false, NetworkConfig{}), TimePoint{});
  // The mock server writes these headers (wire/openai.hpp); the socket driver reads them.
  const std::string limit_requests = std::to_string(*h.limit_requests);
  const std::string remaining_requests = std::to_string(*h.remaining_requests);
  const std::string reset_requests = wire::go_duration(*h.reset_requests);
  const std::string limit_tokens = std::to_string(*h.limit_tokens);
  const std::string remaining_tokens = std::to_string(*h.remaining_tokens);
  const std::string reset_tokens = wire::go_duration(*h.reset_tokens);
  const AttemptResult real = read_response(ResponseView{
      .status = 200,
      .headers = {.limit_requests = limit_requests, .remaining_requests = remaining_requests,
                  .reset_requests = reset_requests, .limit_tokens = limit_tokens,
                  .remaining_tokens = remaining_tokens, .reset_tokens = reset_tokens},
      .body = R"({"usage": {"completion_tokens": 3}})"});
  EXPECT_EQ(simulated.rate_limits.remaining_requests, 493);
  EXPECT_EQ(real.rate_limits.limit_requests, simulated.rate_limits.limit_requests);
  EXPECT_EQ(real.rate_limits.remaining_requests, simulated.rate_limits.remaining_requests);
  EXPECT_EQ(real.rate_limits.reset_requests, simulated.rate_limits.reset_requests);
  EXPECT_EQ(real.rate_limits.limit_tokens, simulated.rate_limits.limit_tokens);
  EXPECT_EQ(real.rate_limits.remaining_tokens, simulated.rate_limits.remaining_tokens);
  EXPECT_EQ(real.rate_limits.reset_tokens, simulated.rate_limits.reset_tokens);
}

// --- Anthropic's Messages API -------------------------------------------------------------------

ProviderConfig anthropic_provider() {
  ProviderConfig provider;
  provider.name = "anthropic";
  provider.api = ProviderApi::anthropic;
  provider.models = {"claude-haiku-4-5", "claude-sonnet-4-5"};
  provider.limits.rpm = 50;
  provider.limits.itpm = 30000;
  provider.limits.otpm = 8000;
  return provider;
}

TEST(AnthropicExchange, MessagesBodyPathAndModel) {
  RequestConfig request;
  request.model = "gpt-3.5-turbo";
  request.prompt = "Hi";
  request.max_tokens = 256;
  request.stream = true;
  const ProviderConfig provider = anthropic_provider();
  EXPECT_EQ(endpoint_path(request, ProviderApi::anthropic), "/v1/messages");
  // A model the provider does not serve: its first, as an app failing over to another vendor.
  EXPECT_EQ(model_for(request, provider), "claude-haiku-4-5");
  EXPECT_EQ(request_body(request, provider),
            R"({"max_tokens":256,"messages":[{"content":"Hi","role":"user"}],"model":"claude-haiku-4-5","stream":true})");
  request.model = "claude-sonnet-4-5";
  EXPECT_EQ(model_for(request, provider), "claude-sonnet-4-5");
  // An OpenAI provider gets OpenAI's body, with the usage chunk asked for.
  ProviderConfig openai;
  openai.models = {"gpt-3.5-turbo"};
  request.model = "gpt-3.5-turbo";
  EXPECT_EQ(request_body(request, openai), request_body(request));
  EXPECT_NE(request_body(request).find(R"("stream_options":{"include_usage":true})"), std::string::npos);
  // Filler without a prompt text is counted as the chat face counts it, whichever the API.
  request.prompt.reset();
  request.prompt_tokens = 400;
  const auto body = nlohmann::json::parse(request_body(request, provider));
  const std::string filler = body["messages"][0]["content"];
  EXPECT_EQ(estimate_chat_tokens({filler}), 400);
}

// Looks headers up in a rendered response's list, as Beast's fields would be.
auto lookup_in(const wire::HeaderList& headers) {
  return [&headers](std::string_view name) -> std::optional<std::string_view> {
    for (const auto& [key, value] : headers) {
      if (key == name) return std::string_view(value);
    }
    return std::nullopt;
  };
}

// What the mock server sends for a decision, read back by the load driver, is what the simulator
// builds from the same decision: status, category, retry-after and every anthropic-ratelimit-*
// value, for admitted requests and for refusals of each limit.
TEST(AnthropicExchange, RenderedDecisionsReadAsTheSimulatorSeesThem) {
  const ProviderConfig provider = anthropic_provider();
  ProviderModel model(provider, 7);
  const TimePoint unix_now = TimePoint{} + std::chrono::seconds(1'764'936'000);
  int refused = 0;
  for (std::uint64_t id = 0; id < 80; ++id) {
    // Large prompts and outputs: the ITPM, OTPM and RPM buckets each refuse some.
    const ProviderRequest request{.prompt_tokens = id % 3 == 0 ? 4000 : 300,
                                  .max_tokens = id % 3 == 1 ? 1500 : 100,
                                  .request_id = id};
    const TimePoint now = TimePoint{} + from_seconds(0.05 * static_cast<double>(id));
    const Decision decision = model.decide(request, now);
    if (decision.outcome != Outcome::ok && decision.outcome != Outcome::rate_limited) continue;
    refused += decision.outcome == Outcome::rate_limited;
    const TimePoint at = unix_now + now.time_since_epoch();
    wire::Response rendered =
        wire::anthropic::render(decision, {.model = "claude-haiku-4-5", .now = at});
    const std::string body = decision.outcome == Outcome::ok
                                 ? R"({"type":"message","usage":{"input_tokens":9,"output_tokens":5}})"
                                 : rendered.body;
    const ResponseView view{.status = rendered.status, .body = body, .api = ProviderApi::anthropic};
    AttemptResult real = read_response(view, reading_of(view, lookup_in(rendered.headers), at));
    const AttemptResult simulated = from_decision(decision, provider, response_sizes_of(provider, false, NetworkConfig{}), at);
    EXPECT_EQ(real.status, simulated.status) << id;
    EXPECT_EQ(real.error, simulated.error) << id;
    EXPECT_EQ(real.retry_after, simulated.retry_after) << id;
    EXPECT_EQ(real.rate_limits, simulated.rate_limits) << id;
    if (decision.outcome == Outcome::ok) {
      EXPECT_EQ(real.completion_tokens, 5) << id;
    }
  }
  EXPECT_GT(refused, 5);
}

TEST(AnthropicExchange, StreamsEndWithMessageStopAndCountMessageDeltaUsage) {
  const std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
      "{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"\\\"type\\\":\\\"message_delta\\\"\"}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
      "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":17}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  const wire::HeaderList headers = {{"content-type", "text/event-stream; charset=utf-8"}};
  const auto read = [&](std::string_view body) {
    const ResponseView view{.status = 200,
                            .headers = {.content_type = "text/event-stream; charset=utf-8"},
                            .body = body,
                            .api = ProviderApi::anthropic};
    return read_response(view, reading_of(view, lookup_in(headers), TimePoint{}));
  };
  const AttemptResult whole = read(stream);
  EXPECT_EQ(whole.error, std::nullopt);
  EXPECT_EQ(whole.completion_tokens, 17);
  // Cut before message_stop: a connection error, as the SDK sees a stream that stops early.
  EXPECT_EQ(read(stream.substr(0, stream.find("event: message_stop"))).error, ErrorCategory::connection);
  // A whole body that is not JSON is no success.
  const ResponseView html{.status = 200, .body = "<html>", .api = ProviderApi::anthropic};
  EXPECT_EQ(read_response(html, reading_of(html, lookup_in({}), TimePoint{})).error, ErrorCategory::other);
}

}  // namespace
}  // namespace llmsim
