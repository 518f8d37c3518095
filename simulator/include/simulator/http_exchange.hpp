// What the real-socket driver sends and how it reads what comes back, as pure functions.
//
// request_body() turns the scenario's request into the JSON an OpenAI SDK would send, and
// request_head_start() / write_request_head_end() the HTTP head around it (written by hand, the
// same bytes as Beast's, so an attempt costs no header container).
// read_response() turns an HTTP response (status, the headers the SDKs read, body) into the same
// AttemptResult the simulator builds from a provider decision: errors classified from OpenAI's
// error body, retry-after-ms before retry-after, x-should-retry, a streamed body that ends
// without `data: [DONE]` (Responses: without response.completed or response.incomplete) counted
// as a connection error. A success body is read for its usage.completion_tokens (Responses:
// usage.output_tokens, of a stream's final event) only, without building a JSON document; one that is not JSON, and a
// status outside HTTP's 100..599, count as `other`.
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

// Returns the start of every request head the load generator sends, as Beast writes it: the
// request line (POST `path` HTTP/1.1), Host, Content-Type, User-Agent and, with a key,
// Authorization. Computed once per run.
std::string request_head_start(std::string_view path, std::string_view host,
                               std::string_view api_key);

// Replaces `out` with the rest of one attempt's request head: x-stainless-retry-count,
// x-llmsim-request-id, Content-Length of `body_bytes` and the empty line. The start, this and the
// body are byte for byte what Beast writes for the same request.
void write_request_head_end(std::string& out, std::uint32_t attempt, std::uint64_t request_id,
                            std::size_t body_bytes);

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
  // The Responses API reads usage.output_tokens, and a stream ends with response.completed (or
  // response.incomplete) instead of `data: [DONE]`; the others read usage.completion_tokens.
  Endpoint endpoint = Endpoint::chat_completions;
};

// Returns what the client model needs to know of a response.
AttemptResult read_response(const ResponseView& response);

// Returns the x-ratelimit-* values of a response; a header that is absent or unreadable is left
// empty.
RateLimitHeaders read_rate_limit_headers(const ResponseView& response);

// Returns a duration parsed from retry-after-ms (float ms) or retry-after (seconds), or nullopt
// when absent, unparseable, not positive or over a day (HTTP dates are not sent by OpenAI and not
// read).
std::optional<Duration> parse_retry_after(std::optional<std::string_view> retry_after_ms,
                                          std::optional<std::string_view> retry_after);

}  // namespace llmsim
