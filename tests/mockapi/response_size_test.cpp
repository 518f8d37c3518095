// The response sizes the simulator estimates (wire::response_sizes, wire::anthropic::response_sizes)
// against the bytes the mock server really sends, counted on the socket: the head, the body less
// its generated text (the framing, and for a stream every token's event), and an error's body, for
// OpenAI and Anthropic, whole and streamed. The text itself the contract counts at 4 bytes a token,
// the real API's rule of thumb; the mock's words run longer, so it is measured apart.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mockapi/server.hpp"
#include "wire/anthropic.hpp"
#include "wire/openai.hpp"

namespace llmsim::mockapi {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kSeed = 11;

// The bytes of one response as they crossed the socket.
struct Counted {
  int status = 0;
  std::int64_t head = 0;  // status line and headers
  std::int64_t body = 0;  // everything after them (chunk framing included)
  std::string text;       // the body, chunks joined
};

// Sends one request on a new connection and counts what comes back.
Counted exchange(std::uint16_t port, const http::request<http::string_body>& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  Counted counted;
  counted.head = static_cast<std::int64_t>(http::read_header(socket, buffer, parser));
  counted.body = static_cast<std::int64_t>(http::read(socket, buffer, parser));
  counted.status = parser.get().result_int();
  counted.text = parser.get().body();
  return counted;
}

ProviderConfig provider(ProviderApi api, double tokens, std::int64_t rpm) {
  ProviderConfig config;
  config.api = api;
  config.organization = "org-test";
  config.models = {api == ProviderApi::anthropic ? "claude-sonnet-4-5" : "gpt-3.5-turbo"};
  config.limits = RateLimits{.rpm = rpm, .tpm = api == ProviderApi::anthropic ? std::nullopt : std::optional<std::int64_t>(10'000'000)};
  if (api == ProviderApi::anthropic) {
    config.limits.itpm = 10'000'000;
    config.limits.otpm = 10'000'000;
  }
  config.latency.time_to_first_token_s = Distribution::constant(0.0);
  config.latency.per_token_s = Distribution::constant(0.0);
  config.latency.refused_s = Distribution::constant(0.0);
  config.tokens.completion_tokens = Distribution::constant(tokens);
  return config;
}

http::request<http::string_body> request_for(ProviderApi api, bool stream) {
  const bool anthropic = api == ProviderApi::anthropic;
  http::request<http::string_body> request{http::verb::post, anthropic ? "/v1/messages" : "/v1/chat/completions", 11};
  request.set(http::field::host, "127.0.0.1");
  if (anthropic) {
    request.set("x-api-key", "sk-ant-test");
    request.set("anthropic-version", "2023-06-01");
  } else {
    request.set(http::field::authorization, "Bearer sk-test");
  }
  request.body() = std::string(R"({"model":")") + (anthropic ? "claude-sonnet-4-5" : "gpt-3.5-turbo") +
                   R"(","max_tokens":4000,"messages":[{"role":"user","content":"How many users can we serve?"}])" +
                   (stream ? R"(,"stream":true)" : "") + "}";
  request.prepare_payload();
  return request;
}

// One success of `tokens` tokens from a fresh server of `api`.
Counted success(ProviderApi api, bool stream, int tokens) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  Server server(options, provider(api, tokens, 1'000'000), kSeed);
  server.start();
  const Counted counted = exchange(server.port(), request_for(api, stream));
  server.stop();
  return counted;
}

// A 429 for requests per minute: the second request of a 1 RPM key.
Counted refusal(ProviderApi api) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  Server server(options, provider(api, 10, 1), kSeed);
  server.start();
  EXPECT_EQ(exchange(server.port(), request_for(api, false)).status, 200);
  const Counted counted = exchange(server.port(), request_for(api, false));
  server.stop();
  return counted;
}

// Returns the bytes of the generated text in a success body: the message's content, or the
// deltas of a stream's events.
std::int64_t generated_text_bytes(ProviderApi api, bool stream, const std::string& body) {
  using Json = nlohmann::json;
  if (!stream) {
    const Json message = Json::parse(body);
    const Json& text = api == ProviderApi::anthropic ? message["content"][0]["text"] : message["choices"][0]["message"]["content"];
    return static_cast<std::int64_t>(text.get<std::string>().size());
  }
  std::int64_t bytes = 0;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("data: {", 0) != 0) continue;
    const Json event = Json::parse(line.substr(6));
    if (api == ProviderApi::anthropic) {
      if (event.value("type", "") == "content_block_delta") bytes += static_cast<std::int64_t>(event["delta"]["text"].get<std::string>().size());
    } else if (!event["choices"].empty() && event["choices"][0]["delta"].contains("content") &&
               event["choices"][0]["delta"]["content"].is_string()) {
      bytes += static_cast<std::int64_t>(event["choices"][0]["delta"]["content"].get<std::string>().size());
    }
  }
  return bytes;
}

double off(double estimate, double measured) { return std::abs(estimate - measured) / measured; }

struct Case {
  const char* what;
  ProviderApi api;
  bool stream;
};

class ResponseSize : public testing::TestWithParam<Case> {};

TEST_P(ResponseSize, TheEstimateIsWithinATenthOfWhatTheServerSends) {
  const Case c = GetParam();
  const wire::ResponseSizes sizes =
      c.api == ProviderApi::anthropic ? wire::anthropic::response_sizes(c.stream) : wire::response_sizes(c.stream);
  for (int tokens : {20, 200}) {
    const Counted sent = success(c.api, c.stream, tokens);
    ASSERT_EQ(sent.status, 200) << c.what;
    const std::int64_t text = generated_text_bytes(c.api, c.stream, sent.text);
    ASSERT_GT(text, 0) << c.what;
    // Less the text on both sides: the estimate's 4 bytes a token, the server's own words.
    const std::int64_t estimate = sizes.framing + (sizes.per_token - 4) * tokens;
    const std::int64_t measured = sent.body - text;
    std::cout << c.what << ", " << tokens << " tokens: head " << sent.head << " (estimate " << sizes.head
              << "), body less its text " << measured << " (estimate " << estimate << "), text "
              << static_cast<double>(text) / tokens << " bytes a token\n";
    EXPECT_LT(off(static_cast<double>(sizes.head), static_cast<double>(sent.head)), 0.10) << c.what << " head";
    EXPECT_LT(off(static_cast<double>(estimate), static_cast<double>(measured)), 0.10) << c.what << " body, " << tokens;
  }
  if (!c.stream) {
    const Counted refused = refusal(c.api);
    ASSERT_EQ(refused.status, 429) << c.what;
    std::cout << c.what << ", 429: head " << refused.head << ", body " << refused.body << " (estimate "
              << sizes.error_body << ")\n";
    EXPECT_LT(off(static_cast<double>(sizes.head), static_cast<double>(refused.head)), 0.10) << c.what << " 429 head";
    EXPECT_LT(off(static_cast<double>(sizes.error_body), static_cast<double>(refused.body)), 0.10) << c.what << " 429 body";
  }
}

INSTANTIATE_TEST_SUITE_P(EachVendorWholeAndStreamed, ResponseSize,
                         testing::Values(Case{"openai whole", ProviderApi::openai, false},
                                         Case{"openai streamed", ProviderApi::openai, true},
                                         Case{"anthropic whole", ProviderApi::anthropic, false},
                                         Case{"anthropic streamed", ProviderApi::anthropic, true}),
                         [](const testing::TestParamInfo<Case>& param) {
                           std::string name = param.param.what;
                           for (char& ch : name) ch = ch == ' ' ? '_' : ch;
                           return name;
                         });

}  // namespace
}  // namespace llmsim::mockapi
