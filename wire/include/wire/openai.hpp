// OpenAI's wire contract: how a provider Decision becomes status, headers and an error body, and
// how a response is read back into what the client model sees.
//
// Pure: no sockets, no clocks, no sessions. The mock server renders with it (render, and the
// x-ratelimit-* headers of its successes), the real-socket driver and the trace recorder read
// with it (read_response), and the simulator takes from_decision, the same reading without the
// text; a test holds from_decision(d) == read_response(render(d)) for every outcome and limit.
//
// The contract (shared/reference/openai-api-notes.md):
// - ok: 200 with x-ratelimit-*; the body (a completion, a stream, embeddings) is the server's.
// - rate_limited: 429 rate_limit_exceeded, retry-after (whole seconds >= 1, the wait rounded up)
//   and, when the provider sends it, retry-after-ms; too_large: 429 without a wait; quota: 429
//   insufficient_quota with x-should-retry: false (billing: no retry helps); server_error: 500;
//   overloaded: 503. Every one carries the key's x-ratelimit-* values.
// - drop_mid_stream: 200 whose body is cut (the client sees a connection error); hang: no
//   response at all (the client sees its own timeout).
// - Reading back: retry-after-ms (float ms) before retry-after (seconds); x-should-retry
//   true/false; the category from the status, the error's type, code and message
//   (classify_http_error); a header that is absent or unreadable is left empty. Resets are Go
//   durations; a negative one reads as absent: OpenAI documents the reset as the time until the
//   bucket is full again, never in the past, so a negative value is not the API's (one parser for
//   every reader: read_rate_limit_headers).
//
//   Response r = render(decision, RenderContext{.model = "gpt-4o-mini", .organization = "org"});
//   Reading seen = read_response(r);           // == from_decision(decision, false)
//   bool again = should_retry(retry_config, seen.status, seen.error, seen.should_retry);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/endpoint.hpp"
#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/scenario_config.hpp"
#include "models/time.hpp"
#include "wire/openai_errors.hpp"

namespace llmsim::wire {

// --- header names (lower case, as OpenAI sends them) ----------------------------------------

inline constexpr std::string_view kContentType = "content-type";
inline constexpr std::string_view kRequestId = "x-request-id";
inline constexpr std::string_view kRetryAfter = "retry-after";        // whole seconds
inline constexpr std::string_view kRetryAfterMs = "retry-after-ms";   // Azure's; the SDKs read it first
inline constexpr std::string_view kShouldRetry = "x-should-retry";    // "true" / "false"
inline constexpr std::string_view kLimitRequests = "x-ratelimit-limit-requests";
inline constexpr std::string_view kLimitTokens = "x-ratelimit-limit-tokens";
inline constexpr std::string_view kRemainingRequests = "x-ratelimit-remaining-requests";
inline constexpr std::string_view kRemainingTokens = "x-ratelimit-remaining-tokens";
inline constexpr std::string_view kResetRequests = "x-ratelimit-reset-requests";  // Go duration
inline constexpr std::string_view kResetTokens = "x-ratelimit-reset-tokens";      // Go duration
// A stream's content type starts with this.
inline constexpr std::string_view kEventStream = "text/event-stream";

// Headers in order; names are the constants above (or other static text), values owned.
using HeaderList = std::vector<std::pair<std::string_view, std::string>>;

// --- rendering ------------------------------------------------------------------------------

// The retry-after headers of a refusal, from its wait rounded up so that waiting them always
// suffices: whole seconds, at least 1 (the spec's integer >= 1), and, when the provider sends
// retry-after-ms (Azure does, OpenAI does not), milliseconds, at least 1.
struct RetryAfterHeaders {
  std::int64_t seconds = 1;
  std::optional<std::int64_t> millis;
};

// Returns the retry-after headers of a decision: only rate-limit refusals carry them.
std::optional<RetryAfterHeaders> retry_after_headers(const Decision& decision, bool send_millis);

// Returns the x-should-retry value sent with `outcome`: false for quota exhaustion (both SDKs
// would retry a 429 otherwise), nullopt (not sent) for every other outcome.
std::optional<bool> should_retry_header(Outcome outcome);

// Returns the HTTP status of an outcome: 200 (ok, and a drop: its head went out), 429, 500, 503;
// 0 for a hang (no response).
int status_of(Outcome outcome);

// Appends the x-ratelimit-* headers that have a value, limits, remaining, then resets.
void add_rate_limit_headers(HeaderList& headers, const RateLimitHeaders& values);

// What an error body names besides the decision.
struct RenderContext {
  std::string_view model;
  std::string_view organization;
  std::string_view request_id;       // named by the 503's message
  bool send_retry_after_ms = false;  // ProviderConfig::send_retry_after_ms
};

// Returns the error OpenAI sends for a refusal or error decision, or nullopt for ok, hang, drop.
std::optional<ApiError> error_of(const Decision& decision, const RenderContext& context);

// How much of a response reaches the client.
enum class Delivery {
  whole,  // status, headers and body
  cut,    // status and headers, then the connection closes mid-body
  none,   // nothing: the server never answers
};

// A response as plain data.
struct Response {
  int status = 0;
  HeaderList headers;
  std::string body;
  Delivery delivery = Delivery::whole;
};

// Returns how every vendor's response to a decision starts: `status`, no delivery at all for a
// hang, a body cut short for a drop mid-stream.
Response response_start(const Decision& decision, int status);

// Returns the response to a decision: the status, the headers its outcome adds (retry-after,
// retry-after-ms, x-should-retry, then x-ratelimit-*) and the error body; ok and drop have an
// empty body here (the server writes the completion). The headers every answer carries
// (content-type, x-request-id, openai-*) are the server's.
Response render(const Decision& decision, const RenderContext& context);

// --- sizes ------------------------------------------------------------------------------------

// What a response weighs on the wire, for the simulator's byte figures (bytes_received and
// success_body_bytes), as the mock server sends it: the head (status line and headers), a success
// body's bytes besides its generated text, the bytes each generated token adds, and an error's
// body. A stream is server-sent events in chunked encoding, an event per token, so a streamed token
// weighs its whole event. tests/mockapi/response_size_test.cpp holds each vendor's sizes, whole and
// streamed, within 10% of what the mock server sends.
struct ResponseSizes {
  std::int64_t head = 0;
  std::int64_t framing = 0;
  std::int64_t per_token = 0;
  std::int64_t error_body = 0;
};

// Returns the sizes of OpenAI's chat completions, whole or streamed.
ResponseSizes response_sizes(bool stream);

// --- reading back ---------------------------------------------------------------------------

// The headers of a response the SDKs read, as text (nullopt: absent).
struct ResponseHeaders {
  std::optional<std::string_view> retry_after_ms, retry_after, should_retry;
  std::optional<std::string_view> limit_requests, remaining_requests, reset_requests;
  std::optional<std::string_view> limit_tokens, remaining_tokens, reset_tokens;
  std::optional<std::string_view> content_type;
};

// Returns the headers above looked up by name with `find` (a callable taking the lower-case
// name, returning std::optional<std::string_view>), e.g. over Beast's case-insensitive fields.
template <typename Find>
ResponseHeaders read_headers(Find&& find) {
  return ResponseHeaders{.retry_after_ms = find(kRetryAfterMs),
                         .retry_after = find(kRetryAfter),
                         .should_retry = find(kShouldRetry),
                         .limit_requests = find(kLimitRequests),
                         .remaining_requests = find(kRemainingRequests),
                         .reset_requests = find(kResetRequests),
                         .limit_tokens = find(kLimitTokens),
                         .remaining_tokens = find(kRemainingTokens),
                         .reset_tokens = find(kResetTokens),
                         .content_type = find(kContentType)};
}

// Returns the value of header `name` in a list (names compared exactly: lists hold lower-case
// names), or nullopt. Every vendor's read_headers over a list uses it.
std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name);

// Returns a header's whole decimal integer, or nullopt when absent or anything else.
std::optional<std::int64_t> header_count(std::optional<std::string_view> text);

// Returns the headers above from a list (find_header).
ResponseHeaders read_headers(const HeaderList& headers);

// What the client model sees of one response.
struct Reading {
  int status = 0;                       // 0: no response (a hang)
  std::optional<ErrorCategory> error;   // nullopt: success
  std::optional<Duration> retry_after;  // retry-after-ms, else retry-after
  std::optional<bool> should_retry;     // x-should-retry
  RateLimitHeaders rate_limits;         // x-ratelimit-*; resets as read from their text
  std::string error_type;               // the error body's type and code ("" when none)
  std::string error_code;

  bool operator==(const Reading&) const = default;
};

// Returns the x-ratelimit-* values; a header that is absent or unreadable (not a whole integer,
// not a Go duration, a negative reset) is left empty.
RateLimitHeaders read_rate_limit_headers(const ResponseHeaders& headers);

// Returns a wait read from retry-after-ms (float ms) or retry-after (seconds), or nullopt when
// absent, unparseable, not positive or over a day (HTTP dates are not sent by OpenAI, not read).
std::optional<Duration> parse_retry_after(std::optional<std::string_view> retry_after_ms,
                                          std::optional<std::string_view> retry_after);

// The reading steps both vendors' contracts share, over their headers (retry_after_ms,
// retry_after, should_retry, content_type): the status, the wait (parse_retry_after) and
// x-should-retry; a 2xx that is cut (`is_complete` false), or a stream (text/event-stream) for
// which `is_stream_done(body)` is false, is a connection error; an error status is
// `classify(reading, body)`, which reads the error body into `reading` and returns the category,
// and a status outside HTTP's 100..599 is `other` (its body read all the same). The rate-limit
// headers are the caller's to read.
template <typename Headers, typename IsStreamDone, typename Classify>
Reading read_response_steps(int status, const Headers& headers, std::string_view body,
                            bool is_complete, IsStreamDone&& is_stream_done, Classify&& classify) {
  constexpr int kFirstStatus = 100;
  constexpr int kLastStatus = 599;
  Reading reading;
  reading.status = status;
  reading.retry_after = parse_retry_after(headers.retry_after_ms, headers.retry_after);
  if (headers.should_retry == "true") reading.should_retry = true;
  if (headers.should_retry == "false") reading.should_retry = false;
  if (status >= 200 && status < 300) {
    const bool is_stream = headers.content_type && headers.content_type->starts_with(kEventStream);
    if (!is_complete || (is_stream && !is_stream_done(body))) reading.error = ErrorCategory::connection;
    return reading;
  }
  const ErrorCategory category = classify(reading, body);
  // HTTP has no status outside 100..599: whatever sent one is not an API to trust.
  reading.error = status < kFirstStatus || status > kLastStatus ? ErrorCategory::other : category;
  return reading;
}

// Reads a response: `is_complete` says whether the body was read to its end. A status outside
// HTTP's 100..599 is `other`; a 2xx that is cut, or a stream (content-type text/event-stream)
// without `data: [DONE]`, is a connection error; any other 2xx is a success here (its body's
// content is the caller's to check); an error status is classified with its body's type, code
// and message, which are read whenever the status is not 2xx.
// The Responses API ends a stream with its response.completed (or response.incomplete) event.
Reading read_response(int status, const ResponseHeaders& headers, std::string_view body,
                      bool is_complete = true, Endpoint endpoint = Endpoint::chat_completions);

// Returns whether a stream ended as the API ends one: `data: [DONE]`, or (Responses) a final
// response event.
bool is_stream_done(std::string_view body, Endpoint endpoint);

// Reads a rendered response; Delivery::none reads as the client's timeout, with no status.
Reading read_response(const Response& response);

// Returns what the client reads of a decision, without rendering it: the same as
// read_response(render(decision, context)) for any context with that send_retry_after_ms.
Reading from_decision(const Decision& decision, bool send_retry_after_ms);

// Returns the category of a decision, or nullopt for success (ok).
std::optional<ErrorCategory> category_of(const Decision& decision);

// Classifies an HTTP error response from OpenAI's status, error type, code and message.
ErrorCategory classify_http_error(int status, std::string_view type, std::string_view code,
                                  std::string_view message);

// --- the SDKs' retry rule -------------------------------------------------------------------

// Returns whether the official SDKs retry a response (openai-api-notes.md): x-should-retry
// decides when present; otherwise timeouts (408 included: it reads as one), connection errors,
// 5xx and 429 are retried, each as `config` switches it, and 409 always; nothing else (a success
// is never retried).
bool should_retry(const RetryConfig& config, int status, std::optional<ErrorCategory> error,
                  std::optional<bool> should_retry_header);

}  // namespace llmsim::wire
