// OpenAI's contract, the reading side: a response's status, headers and error body as the
// category, wait and limits the client model sees. See openai.hpp.
#include "wire/openai.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "wire/go_duration.hpp"

namespace llmsim::wire {
namespace {

// The longest retry-after (seconds) taken as meant: a day. Longer ones are ignored.
constexpr double kMaxRetryAfterS = 86400;
// The statuses HTTP defines (RFC 9110 section 15).

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<Duration> duration_of(std::optional<std::string_view> text) {
  return text ? parse_go_duration(*text) : std::nullopt;
}

// Fills the error body's type and code into `reading`; returns its message ("" when none).
std::string read_error_body(std::string_view body, Reading& reading) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::string message;
  if (parsed.is_discarded() || !parsed.contains("error") || !parsed["error"].is_object()) {
    return message;
  }
  const auto& error = parsed["error"];
  if (error.contains("type") && error["type"].is_string()) reading.error_type = error["type"];
  if (error.contains("code") && error["code"].is_string()) reading.error_code = error["code"];
  if (error.contains("message") && error["message"].is_string()) message = error["message"];
  return message;
}

}  // namespace

std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::int64_t> header_count(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;
  return value;
}

ResponseHeaders read_headers(const HeaderList& headers) {
  return read_headers([&headers](std::string_view name) { return find_header(headers, name); });
}

RateLimitHeaders read_rate_limit_headers(const ResponseHeaders& headers) {
  RateLimitHeaders values;
  values.limit_requests = header_count(headers.limit_requests);
  values.remaining_requests = header_count(headers.remaining_requests);
  values.reset_requests = duration_of(headers.reset_requests);
  values.limit_tokens = header_count(headers.limit_tokens);
  values.remaining_tokens = header_count(headers.remaining_tokens);
  values.reset_tokens = duration_of(headers.reset_tokens);
  return values;
}

std::optional<Duration> parse_retry_after(std::optional<std::string_view> retry_after_ms,
                                          std::optional<std::string_view> retry_after) {
  // The SDKs read retry-after-ms first, then retry-after in seconds.
  // A wait beyond kMaxRetryAfterS (or inf) counts as unparseable: no API means it, and
  // converting it would overflow the nanosecond count.
  if (retry_after_ms) {
    if (auto ms = to_number(*retry_after_ms); ms && *ms > 0 && *ms <= kMaxRetryAfterS * 1000) {
      return from_millis(*ms);
    }
  }
  if (retry_after) {
    if (auto s = to_number(*retry_after); s && *s > 0 && *s <= kMaxRetryAfterS) return from_seconds(*s);
  }
  return std::nullopt;
}

bool is_stream_done(std::string_view body, Endpoint endpoint) {
  if (endpoint == Endpoint::responses) {
    // An unescaped `"type":"response.completed"` is JSON structure, never text inside a delta.
    return body.find(R"("type":"response.completed")") != std::string_view::npos ||
           body.find(R"("type":"response.incomplete")") != std::string_view::npos;
  }
  return body.find("data: [DONE]") != std::string_view::npos;
}

Reading read_response(int status, const ResponseHeaders& headers, std::string_view body,
                      bool is_complete, Endpoint endpoint) {
  Reading reading = read_response_steps(
      status, headers, body, is_complete,
      [endpoint](std::string_view text) { return is_stream_done(text, endpoint); },
      [status](Reading& read, std::string_view text) {
        const std::string message = read_error_body(text, read);
        return classify_http_error(status, read.error_type, read.error_code, message);
      });
  reading.rate_limits = read_rate_limit_headers(headers);
  return reading;
}

Reading read_response(const Response& response) {
  if (response.delivery == Delivery::none) {
    Reading reading;
    reading.error = ErrorCategory::timeout;  // the client's own timer ends the wait
    return reading;
  }
  return read_response(response.status, read_headers(response.headers), response.body,
                       response.delivery == Delivery::whole);
}

ErrorCategory classify_http_error(int status, std::string_view type, std::string_view code,
                                  std::string_view message) {
  if (status == 429) {
    if (code == "insufficient_quota" || type == "insufficient_quota") return ErrorCategory::quota;
    // Before the daily check: a too-large refusal on TPD also names "tokens per day (TPD)".
    if (message.starts_with("Request too large")) return ErrorCategory::other;
    // OpenAI's daily refusals share type/code with the per-minute ones; only the message differs.
    if (message.find("per day (") != std::string_view::npos) return ErrorCategory::daily_limit;
    if (type == "tokens") return ErrorCategory::rate_limit_tokens;
    return ErrorCategory::rate_limit_requests;
  }
  // Only 5xx: a status beyond 599 is no HTTP status at all ("HTTP/1.1 999").
  if (status >= 500 && status <= 599) return ErrorCategory::server_5xx;
  if (status == 408) return ErrorCategory::timeout;
  return ErrorCategory::other;
}

}  // namespace llmsim::wire
