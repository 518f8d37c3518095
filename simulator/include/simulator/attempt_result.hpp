// What one attempt's response means to the client, however it arrived.
//
// The DES driver builds it from the provider model's Decision (from_decision), the real-socket
// driver from an HTTP response; both fill it the way the mock server's headers and bodies say,
// so the client model cannot tell them apart. The retry policy reads it as the official SDKs do.
//
//   AttemptResult r = from_decision(decision, provider_config, response_sizes_of(provider_config, stream, network), now);
//   std::optional<Duration> wait = retry_delay(retry_config, r, retries_made, rng);
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "models/metrics.hpp"
#include "models/provider_model.hpp"
#include "models/random.hpp"
#include "models/scenario_config.hpp"
#include "models/time.hpp"
#include "wire/openai.hpp"

namespace llmsim {

struct AttemptResult {
  std::optional<ErrorCategory> error;  // nullopt: success
  int status = 0;                      // HTTP status; 0 when no response (timeout, connection)
  std::optional<Duration> retry_after; // retry-after-ms, else retry-after (seconds)
  std::optional<bool> should_retry;    // x-should-retry
  std::int64_t bytes_received = 0;     // header and body bytes of the response
  std::int64_t body_bytes = 0;         // of which the body's (the message body, as sent)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  RateLimitHeaders rate_limits;        // x-ratelimit-* values the response carried
  // When the response's first byte reached the client: its first token when streamed, the whole
  // response otherwise (the drivers fill it; nullopt when there was no response).
  std::optional<TimePoint> first_byte;
};

// The estimated size of a response in bytes, split into its head and its body.
struct ResponseSize {
  std::int64_t header = 0;  // status line and headers
  std::int64_t body = 0;    // the message body
};

// Returns the response sizes the simulator gives `provider`'s answers: its API's contract, whole
// or streamed (wire::response_sizes, wire::anthropic::response_sizes: what the mock server sends;
// a chat completion's sizes stand for every endpoint), or, when the scenario sets
// network.response_overhead_bytes, that many bytes of head and success framing together (the
// framing at most the contract's, the rest head).
wire::ResponseSizes response_sizes_of(const ProviderConfig& provider, bool stream, const NetworkConfig& network);

// Returns the estimated size of a decision's response: a success (or a stream cut short) has the
// head and a body of the framing and the bytes of its generated tokens; an error has the same head
// and an error body; a hang has no response.
ResponseSize estimated_response_size(const Decision& decision, const wire::ResponseSizes& sizes);

// Returns the estimated response size in bytes (headers and body) for a decision: the sum of
// estimated_response_size's two parts.
std::int64_t estimated_response_bytes(const Decision& decision, const wire::ResponseSizes& sizes);

// Returns the request size in bytes for a prompt of `prompt_tokens` (about 4 bytes a token).
std::int64_t estimated_request_bytes(std::int64_t prompt_tokens, const NetworkConfig& network);

// Returns the attempt result of what the client read of a response (wire/openai.hpp): status,
// category, waits and limits; bytes, tokens and first byte are the driver's to fill.
AttemptResult attempt_of(const wire::Reading& reading);

// Builds what the client sees of a provider decision made at `now`: the provider's contract's
// from_decision (wire/openai.hpp, or wire/anthropic.hpp for "api": "anthropic", whose resets are
// times read at `now`: the mock server's status and headers, read back) with the estimated bytes
// (estimated_response_size with `sizes`: bytes_received the whole, body_bytes the body) and the tokens.
AttemptResult from_decision(const Decision& decision, const ProviderConfig& provider,
                            const wire::ResponseSizes& sizes, TimePoint now);

// Returns the wait before the next attempt, or nullopt when the request is not retried: the
// official SDKs' rule (wire::should_retry: x-should-retry first; retried are 408, 409, 429, 5xx,
// timeouts and connection errors, each can be switched off); retry-after(-ms) honoured when
// 0 < wait <= max_retry_after_s; otherwise min(initial * 2^n, max) * (1 - jitter * U[0,1)).
std::optional<Duration> retry_delay(const RetryConfig& config, const AttemptResult& result,
                                    int retries_made, RandomStream rng);

}  // namespace llmsim
