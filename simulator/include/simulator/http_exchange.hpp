// What the real-socket driver sends and how it reads what comes back, as pure functions.
//
// request_body() turns the scenario's request into the JSON an OpenAI SDK would send.
// read_response() turns an HTTP response (status, the headers the SDKs read, body) into the same
// AttemptResult the simulator builds from a provider decision: errors classified from OpenAI's
// error body, retry-after-ms before retry-after, x-should-retry, a streamed body that ends
// without `data: [DONE]` counted as a connection error.
//
//   std::string body = request_body(scenario.request);
//   AttemptResult r = read_response(ResponseView{.status = 429, .retry_after = "1", .body = text});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/scenario.hpp"
#include "simulator/attempt_result.hpp"

namespace llmsim {

// Returns the request path for an endpoint: "/v1/chat/completions", "/v1/completions" ...
std::string endpoint_path(const RequestConfig& request);

// Returns the JSON body for the scenario's request. Without a prompt text, the prompt is filler
// whose token estimate (models/token_model.hpp) equals prompt_tokens.
std::string request_body(const RequestConfig& request);

struct ResponseView {
  int status = 0;
  std::optional<std::string_view> retry_after_ms;  // header values, when present
  std::optional<std::string_view> retry_after;
  std::optional<std::string_view> should_retry;
  // x-ratelimit-{limit,remaining,reset}-{requests,tokens}, when present.
  std::optional<std::string_view> limit_requests, remaining_requests, reset_requests;
  std::optional<std::string_view> limit_tokens, remaining_tokens, reset_tokens;
  std::string_view body;
  bool is_stream = false;            // text/event-stream
  bool is_complete = true;           // the body was read to its end
  std::int64_t bytes_received = 0;   // header and body bytes on the wire
};

// Returns what the client model needs to know of a response.
AttemptResult read_response(const ResponseView& response);

// Returns the x-ratelimit-* values of a response; a header that is absent or unreadable is left
// empty.
RateLimitHeaders read_rate_limit_headers(const ResponseView& response);

// Returns a duration parsed from retry-after-ms (float ms) or retry-after (seconds), or nullopt
// when absent, unparseable or not positive (HTTP dates are not sent by OpenAI and not read).
std::optional<Duration> parse_retry_after(std::optional<std::string_view> retry_after_ms,
                                          std::optional<std::string_view> retry_after);

}  // namespace llmsim
