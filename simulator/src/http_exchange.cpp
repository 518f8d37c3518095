// Request bodies and response classification for the real-socket driver.
#include "simulator/http_exchange.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "models/token_model.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::json;

// Chat framing the token estimate adds to one message: 3 for the message, 3 to prime the reply.
constexpr std::int64_t kChatFramingTokens = 6;
constexpr std::int64_t kBytesPerToken = 4;

std::string prompt_text(const RequestConfig& request) {
  if (request.prompt) return *request.prompt;
  const std::int64_t framing = request.endpoint == "chat.completions" ? kChatFramingTokens : 0;
  const std::int64_t tokens = std::max<std::int64_t>(1, request.prompt_tokens - framing);
  std::string text;
  // "word " is 5 bytes; pad to exactly tokens x 4 bytes so the estimate is exact.
  while (static_cast<std::int64_t>(text.size()) < tokens * kBytesPerToken) text += "word ";
  text.resize(static_cast<std::size_t>(tokens * kBytesPerToken));
  return text;
}

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads completion tokens from a JSON body's usage, or from the usage chunk of a stream.
std::int64_t completion_tokens_of(std::string_view body, bool is_stream) {
  std::string_view json = body;
  if (is_stream) {
    // The usage chunk, when asked for, is the last data line before [DONE].
    const std::size_t usage = body.rfind("\"usage\":{");
    if (usage == std::string_view::npos) return 0;
    const std::size_t start = body.rfind("data: ", usage);
    const std::size_t end = body.find('\n', usage);
    if (start == std::string_view::npos || end == std::string_view::npos) return 0;
    json = body.substr(start + 6, end - start - 6);
  }
  const Json parsed = Json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("usage") || !parsed["usage"].is_object()) return 0;
  return parsed["usage"].value("completion_tokens", std::int64_t{0});
}

}  // namespace

std::string endpoint_path(const RequestConfig& request) {
  if (request.endpoint == "completions") return "/v1/completions";
  if (request.endpoint == "embeddings") return "/v1/embeddings";
  return "/v1/chat/completions";
}

std::string request_body(const RequestConfig& request) {
  Json body{{"model", request.model}};
  const std::string prompt = prompt_text(request);
  if (request.endpoint == "embeddings") {
    body["input"] = prompt;
    return body.dump();
  }
  if (request.endpoint == "completions") {
    body["prompt"] = prompt;
  } else {
    body["messages"] = Json::array({Json{{"role", "user"}, {"content", prompt}}});
  }
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = Json{{"include_usage", true}};
  }
  return body.dump();
}

std::optional<Duration> parse_retry_after(std::optional<std::string_view> retry_after_ms,
                                          std::optional<std::string_view> retry_after) {
  // The SDKs read retry-after-ms first, then retry-after in seconds.
  if (retry_after_ms) {
    if (auto ms = to_number(*retry_after_ms); ms && *ms > 0) return from_millis(*ms);
  }
  if (retry_after) {
    if (auto s = to_number(*retry_after); s && *s > 0) return from_seconds(*s);
  }
  return std::nullopt;
}

RateLimitHeaders read_rate_limit_headers(const ResponseView& response) {
  const auto count = [](std::optional<std::string_view> text) -> std::optional<std::int64_t> {
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;
    return value;
  };
  const auto duration = [](std::optional<std::string_view> text) -> std::optional<Duration> {
    return text ? parse_go_duration(*text) : std::nullopt;
  };
  RateLimitHeaders headers;
  headers.limit_requests = count(response.limit_requests);
  headers.remaining_requests = count(response.remaining_requests);
  headers.reset_requests = duration(response.reset_requests);
  headers.limit_tokens = count(response.limit_tokens);
  headers.remaining_tokens = count(response.remaining_tokens);
  headers.reset_tokens = duration(response.reset_tokens);
  return headers;
}

AttemptResult read_response(const ResponseView& response) {
  AttemptResult result;
  result.status = response.status;
  result.rate_limits = read_rate_limit_headers(response);
  result.bytes_received = response.bytes_received;
  result.retry_after = parse_retry_after(response.retry_after_ms, response.retry_after);
  if (response.should_retry == "true") result.should_retry = true;
  if (response.should_retry == "false") result.should_retry = false;
  if (response.status >= 200 && response.status < 300) {
    const bool is_done = !response.is_stream ||
                         response.body.find("data: [DONE]") != std::string_view::npos;
    if (!response.is_complete || !is_done) {
      result.error = ErrorCategory::connection;
      return result;
    }
    result.completion_tokens = completion_tokens_of(response.body, response.is_stream);
    return result;
  }
  const Json parsed = Json::parse(response.body, nullptr, false);
  std::string type, code, message;
  if (!parsed.is_discarded() && parsed.contains("error") && parsed["error"].is_object()) {
    const Json& error = parsed["error"];
    if (error.contains("type") && error["type"].is_string()) type = error["type"];
    if (error.contains("code") && error["code"].is_string()) code = error["code"];
    if (error.contains("message") && error["message"].is_string()) message = error["message"];
  }
  result.error = classify_http_error(response.status, type, code, message);
  return result;
}

}  // namespace llmsim
