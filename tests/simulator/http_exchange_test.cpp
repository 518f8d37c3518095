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
#include "simulator/attempt_result.hpp"
#include "wire/go_duration.hpp"

namespace llmsim {
namespace {

namespace http = boost::beast::http;

// The request as the load generator built it with Beast before writing its head by hand.
std::string beast_request(const std::string& path, const std::string& host, const std::string& key,
                          std::uint32_t attempt, std::uint64_t request_id, const std::string& body) {
  http::request<http::string_body> message{http::verb::post, path, 11};
  message.set(http::field::host, host);
  message.set(http::field::content_type, "application/json");
  message.set(http::field::user_agent, "llmsim-load");
  if (!key.empty()) message.set(http::field::authorization, "Bearer " + key);
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
  const AttemptResult simulated = from_decision(decision, provider, NetworkConfig{}, TimePoint{});
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

}  // namespace
}  // namespace llmsim
