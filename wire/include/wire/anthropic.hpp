// Anthropic's wire contract (the Messages API): how a provider Decision becomes status, headers
// and an error body, and how a response is read back into what the client model sees. The second
// contract of the shape wire/openai.hpp has, with the same Response, Reading and retry rule.
//
// Pure: no sockets, no clocks, no sessions. Anthropic's resets are wall-clock times, so the
// caller passes `now` (time since the Unix epoch: the server's clock when rendering, the client's
// when reading; the simulator uses its virtual clock for both). A test holds
// from_decision(d, now) == read_response(render(d, {.now = now}), now) for every outcome and limit.
//
// The contract (docs/anthropic-api-notes.md says where each rule comes from):
// - ok: 200 with anthropic-ratelimit-*; the body (a message, a stream) is the server's.
// - rate_limited: 429 rate_limit_error naming the limit ("... rate limit of 50 requests per
//   minute (org: ..., model: ...)"), retry-after in whole seconds (the wait rounded up, >= 1);
//   too_large: 429 rate_limit_error "Request too large ..." without retry-after; quota: 402
//   billing_error "Your credit balance is too low ..." (Anthropic's billing refusal);
//   server_error: 500 api_error; overloaded: 529 overloaded_error. Every answer carries the key's
//   anthropic-ratelimit-* values; every error body is {"type":"error","error":{"type","message"},
//   "request_id"}.
// - anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining,reset} for the
//   limits the provider has; the token remainders rounded to the nearest thousand (as Anthropic
//   documents); resets as RFC 3339 times in whole seconds, rounded up (when the bucket is full
//   again); tokens-* combine input and output (limits and remainders added, the later reset).
// - drop_mid_stream: 200 whose body is cut; hang: no response at all.
// - Reading back: retry-after (seconds; the SDK also reads retry-after-ms, which Anthropic does
//   not send) and x-should-retry as OpenAI's; a reset earlier than `now` reads as zero (the bucket
//   is full; the two clocks differ by up to a second of rounding); the category from the status,
//   the error's type and message (classify_error).
//
//   Response r = anthropic::render(decision, {.model = "claude-sonnet-4-5", .now = now});
//   Reading seen = anthropic::read_response(r, now);   // == anthropic::from_decision(decision, now)
//   bool again = wire::should_retry(retry_config, seen.status, seen.error, seen.should_retry);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/time.hpp"
#include "wire/openai.hpp"

namespace llmsim::wire::anthropic {

// --- header names (lower case, as Anthropic sends them) -------------------------------------

inline constexpr std::string_view kRequestId = "request-id";
inline constexpr std::string_view kApiKey = "x-api-key";  // the key (SDK 1.x: Authorization: Bearer)
inline constexpr std::string_view kVersion = "anthropic-version";        // required on requests
inline constexpr std::string_view kRetryAfter = "retry-after";           // whole seconds
inline constexpr std::string_view kInputLimit = "anthropic-ratelimit-input-tokens-limit";
inline constexpr std::string_view kInputRemaining = "anthropic-ratelimit-input-tokens-remaining";
inline constexpr std::string_view kInputReset = "anthropic-ratelimit-input-tokens-reset";
inline constexpr std::string_view kOutputLimit = "anthropic-ratelimit-output-tokens-limit";
inline constexpr std::string_view kOutputRemaining = "anthropic-ratelimit-output-tokens-remaining";
inline constexpr std::string_view kOutputReset = "anthropic-ratelimit-output-tokens-reset";
inline constexpr std::string_view kRequestsLimit = "anthropic-ratelimit-requests-limit";
inline constexpr std::string_view kRequestsRemaining = "anthropic-ratelimit-requests-remaining";
inline constexpr std::string_view kRequestsReset = "anthropic-ratelimit-requests-reset";
inline constexpr std::string_view kTokensLimit = "anthropic-ratelimit-tokens-limit";
inline constexpr std::string_view kTokensRemaining = "anthropic-ratelimit-tokens-remaining";
inline constexpr std::string_view kTokensReset = "anthropic-ratelimit-tokens-reset";

// The API versions a request may name in anthropic-version (one is required): the long-lived
// 2023-06-01 (curl, older SDKs) and 2026-10-21 (what @anthropic-ai/sdk 1.x sends).
inline constexpr std::string_view kApiVersions[] = {"2023-06-01", "2026-10-21"};

// Returns whether `version` is one of kApiVersions.
bool is_api_version(std::string_view version);

// --- RFC 3339 times ---------------------------------------------------------------------------

// Returns `unix_seconds` as "YYYY-MM-DDTHH:MM:SSZ" (years 0000..9999; outside: clamped).
std::string rfc3339(std::int64_t unix_seconds);

// Reads an RFC 3339 date-time ("2025-08-21T12:40:59Z", fractional seconds and a "+HH:MM"
// offset allowed) as time since the Unix epoch; nullopt when it is anything else or beyond what a
// Duration holds (years 1678 to 2262).
std::optional<Duration> parse_rfc3339(std::string_view text);

// --- errors -----------------------------------------------------------------------------------

// One error as Anthropic sends it: the status and the error's type and message.
struct ApiError {
  int status = 400;
  std::string type = "invalid_request_error";
  std::string message;
};

// Returns {"type":"error","error":{"type":...,"message":...},"request_id":...} (no request_id
// key when `request_id` is empty); text that is not valid UTF-8 has U+FFFD for its bad bytes.
std::string error_json(const ApiError& error, std::string_view request_id);

// Returns the error type a provider outcome is sent with ("rate_limit_error", "api_error" ...),
// or nullopt for ok, hang and drop: the one table the bodies and from_decision share.
std::optional<std::string_view> error_type_of(Outcome outcome);

// Returns the 401 for a request without a key (neither x-api-key nor Authorization: Bearer).
ApiError missing_api_key();

// Returns the 401 for a key the provider does not know.
ApiError invalid_api_key();

// Returns the 400 for a request without an anthropic-version header.
ApiError missing_version();

// Returns the 400 for an anthropic-version not in kApiVersions (`got` is quoted back).
ApiError invalid_version(std::string_view got);

// --- rendering --------------------------------------------------------------------------------

// What a response names besides the decision.
struct RenderContext {
  std::string_view model;
  std::string_view organization;  // named by a 429's message
  TimePoint now{};                // time since the Unix epoch, for the resets
};

// Returns the HTTP status of an outcome: 200 (ok, and a drop: its head went out), 429, 402
// (quota), 500, 529; 0 for a hang (no response).
int status_of(Outcome outcome);

// Appends the anthropic-ratelimit-* headers that have a value, at `now` (see the contract above).
void add_rate_limit_headers(HeaderList& headers, const RateLimitHeaders& values, TimePoint now);

// Returns the error Anthropic sends for a refusal or error decision, or nullopt for ok, hang, drop.
std::optional<ApiError> error_of(const Decision& decision, const RenderContext& context);

// Returns the response to a decision: status, retry-after, the anthropic-ratelimit-* headers and
// the error body (without request_id: the server adds its own id to the body and the header).
Response render(const Decision& decision, const RenderContext& context);

// --- reading back -----------------------------------------------------------------------------

// The headers of a response the client reads, as text (nullopt: absent).
struct ResponseHeaders {
  std::optional<std::string_view> retry_after_ms, retry_after, should_retry;
  std::optional<std::string_view> requests_limit, requests_remaining, requests_reset;
  std::optional<std::string_view> tokens_limit, tokens_remaining, tokens_reset;
  std::optional<std::string_view> input_limit, input_remaining, input_reset;
  std::optional<std::string_view> output_limit, output_remaining, output_reset;
  std::optional<std::string_view> content_type;
};

// Returns the headers above looked up with `find` (a callable taking the lower-case name and
// returning std::optional<std::string_view>), e.g. over Beast's case-insensitive fields.
template <typename Find>
ResponseHeaders read_headers(Find&& find) {
  return ResponseHeaders{.retry_after_ms = find(wire::kRetryAfterMs),
                         .retry_after = find(kRetryAfter),
                         .should_retry = find(wire::kShouldRetry),
                         .requests_limit = find(kRequestsLimit),
                         .requests_remaining = find(kRequestsRemaining),
                         .requests_reset = find(kRequestsReset),
                         .tokens_limit = find(kTokensLimit),
                         .tokens_remaining = find(kTokensRemaining),
                         .tokens_reset = find(kTokensReset),
                         .input_limit = find(kInputLimit),
                         .input_remaining = find(kInputRemaining),
                         .input_reset = find(kInputReset),
                         .output_limit = find(kOutputLimit),
                         .output_remaining = find(kOutputRemaining),
                         .output_reset = find(kOutputReset),
                         .content_type = find(wire::kContentType)};
}

// Returns the headers above from a list (names compared exactly: lists hold lower-case names).
ResponseHeaders read_headers(const HeaderList& headers);

// Returns the anthropic-ratelimit-* values read at `now`: the requests, input and output values,
// and the combined tokens-* as limit_tokens / remaining_tokens / reset_tokens. A header that is
// absent or unreadable (not a whole integer, not an RFC 3339 time) is left empty.
RateLimitHeaders read_rate_limit_headers(const ResponseHeaders& headers, TimePoint now);

// Returns whether a stream ended as Anthropic ends one: with its message_stop event.
bool is_stream_done(std::string_view body);

// Reads a response at `now` (the client's clock, for the resets); `is_complete` says whether the
// body was read to its end. As OpenAI's reading: a status outside 100..599 is `other`; a 2xx that
// is cut, or a stream (text/event-stream) without message_stop, is a connection error; an error
// status is classified with its body's type and message.
Reading read_response(int status, const ResponseHeaders& headers, std::string_view body,
                      TimePoint now, bool is_complete = true);

// Reads a rendered response; Delivery::none reads as the client's timeout, with no status.
Reading read_response(const Response& response, TimePoint now);

// Returns what the client reads of a decision at `now`, without rendering it: the same as
// read_response(render(decision, context), now) for any context with that `now`.
Reading from_decision(const Decision& decision, TimePoint now);

// Returns the sizes of the Messages API's answers, whole or streamed (wire::ResponseSizes).
ResponseSizes response_sizes(bool stream);

// Classifies an Anthropic error response from its status, error type and message.
ErrorCategory classify_error(int status, std::string_view type, std::string_view message);

}  // namespace llmsim::wire::anthropic
