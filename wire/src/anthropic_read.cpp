// Anthropic's contract, the reading side: a response's status, headers and error body as the
// category, wait and limits the client model sees. See anthropic.hpp.
#include "wire/anthropic.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "anthropic_limits.hpp"

namespace llmsim::wire::anthropic {
namespace {

// Returns the time from `now` until an RFC 3339 reset, zero when it is already past.
std::optional<Duration> reset_of(std::optional<std::string_view> text, TimePoint now) {
  if (!text) return std::nullopt;
  const auto at = parse_rfc3339(*text);
  if (!at) return std::nullopt;
  return std::max(Duration{0}, *at - now.time_since_epoch());
}

// Fills the error body's type into `reading`; returns its message ("" when none).
std::string read_error_body(std::string_view body, Reading& reading) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::string message;
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("error") ||
      !parsed["error"].is_object()) {
    return message;
  }
  const auto& error = parsed["error"];
  if (error.contains("type") && error["type"].is_string()) reading.error_type = error["type"];
  if (error.contains("message") && error["message"].is_string()) message = error["message"];
  return message;
}

}  // namespace

ResponseHeaders read_headers(const HeaderList& headers) {
  return read_headers([&headers](std::string_view name) { return find_header(headers, name); });
}

RateLimitHeaders read_rate_limit_headers(const ResponseHeaders& headers, TimePoint now) {
  RateLimitHeaders values;
  values.limit_requests = header_count(headers.requests_limit);
  values.remaining_requests = header_count(headers.requests_remaining);
  values.reset_requests = reset_of(headers.requests_reset, now);
  values.limit_tokens = header_count(headers.tokens_limit);
  values.remaining_tokens = header_count(headers.tokens_remaining);
  values.reset_tokens = reset_of(headers.tokens_reset, now);
  values.limit_input_tokens = header_count(headers.input_limit);
  values.remaining_input_tokens = header_count(headers.input_remaining);
  values.reset_input_tokens = reset_of(headers.input_reset, now);
  values.limit_output_tokens = header_count(headers.output_limit);
  values.remaining_output_tokens = header_count(headers.output_remaining);
  values.reset_output_tokens = reset_of(headers.output_reset, now);
  return values;
}

bool is_stream_done(std::string_view body) {
  // An unescaped `"type":"message_stop"` is JSON structure, never text inside a delta.
  return body.find(R"("type":"message_stop")") != std::string_view::npos;
}

Reading read_response(int status, const ResponseHeaders& headers, std::string_view body,
                      TimePoint now, bool is_complete) {
  Reading reading = read_response_steps(
      status, headers, body, is_complete, [](std::string_view text) { return is_stream_done(text); },
      [status](Reading& read, std::string_view text) {
        const std::string message = read_error_body(text, read);
        if (status == 429) read.error_code = limit_code_in(message);
        return classify_error(status, read.error_type, message);
      });
  reading.rate_limits = read_rate_limit_headers(headers, now);
  return reading;
}

Reading read_response(const Response& response, TimePoint now) {
  if (response.delivery == Delivery::none) {
    Reading reading;
    reading.error = ErrorCategory::timeout;  // the client's own timer ends the wait
    return reading;
  }
  return read_response(response.status, read_headers(response.headers), response.body, now,
                       response.delivery == Delivery::whole);
}

ErrorCategory classify_error(int status, std::string_view type, std::string_view message) {
  if (status == 429) {
    if (message.starts_with("Request too large")) return ErrorCategory::other;
    if (message.find("tokens per minute") != std::string_view::npos) {
      return ErrorCategory::rate_limit_tokens;
    }
    if (message.find(" per day") != std::string_view::npos) return ErrorCategory::daily_limit;
    return ErrorCategory::rate_limit_requests;
  }
  // Anthropic's billing refusal (402 billing_error) is one no retry can mend.
  if (status == 402 || type == "billing_error") return ErrorCategory::quota;
  if (status >= 500 && status <= 599) return ErrorCategory::server_5xx;  // 529 overloaded too
  if (status == 408) return ErrorCategory::timeout;
  return ErrorCategory::other;
}

}  // namespace llmsim::wire::anthropic
