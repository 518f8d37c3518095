// Decision -> what the client sees, and the SDKs' retry rule.
#include "simulator/attempt_result.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "wire/anthropic.hpp"

namespace llmsim {

namespace {

// Bytes of a request per prompt token: OpenAI's rule of thumb of four characters a token.
constexpr std::int64_t kBytesPerToken = 4;

}  // namespace

AttemptResult attempt_of(const wire::Reading& reading) {
  AttemptResult result;
  result.error = reading.error;
  result.status = reading.status;
  result.retry_after = reading.retry_after;
  result.should_retry = reading.should_retry;
  result.rate_limits = reading.rate_limits;
  return result;
}

wire::ResponseSizes response_sizes_of(const ProviderConfig& provider, bool stream, const NetworkConfig& network) {
  wire::ResponseSizes sizes =
      provider.api == ProviderApi::anthropic ? wire::anthropic::response_sizes(stream) : wire::response_sizes(stream);
  if (network.response_overhead_bytes) {
    // The scenario's own head and framing together: the contract's framing at most, the rest head.
    sizes.framing = std::min(*network.response_overhead_bytes, sizes.framing);
    sizes.head = *network.response_overhead_bytes - sizes.framing;
  }
  return sizes;
}

ResponseSize estimated_response_size(const Decision& decision, const wire::ResponseSizes& sizes) {
  switch (decision.outcome) {
    case Outcome::ok:
      return {.header = sizes.head, .body = sizes.framing + sizes.per_token * decision.completion_tokens};
    case Outcome::drop_mid_stream:
      return {.header = sizes.head, .body = sizes.framing + sizes.per_token * decision.tokens_before_drop};
    case Outcome::hang:
      return {};
    default:
      // An error body is the error object alone, no completion framing around it; its head is a
      // success's.
      return {.header = sizes.head, .body = sizes.error_body};
  }
}

std::int64_t estimated_response_bytes(const Decision& decision, const wire::ResponseSizes& sizes) {
  const ResponseSize size = estimated_response_size(decision, sizes);
  return size.header + size.body;
}

std::int64_t estimated_request_bytes(std::int64_t prompt_tokens, const NetworkConfig& network) {
  return network.request_overhead_bytes + kBytesPerToken * prompt_tokens;
}

AttemptResult from_decision(const Decision& decision, const ProviderConfig& provider,
                            const wire::ResponseSizes& sizes, TimePoint now) {
  // Each provider's own contract: statuses, retry-after and rate-limit values as its API sends them.
  AttemptResult result = attempt_of(provider.api == ProviderApi::anthropic
                                        ? wire::anthropic::from_decision(decision, now)
                                        : wire::from_decision(decision, provider.send_retry_after_ms));
  const ResponseSize size = estimated_response_size(decision, sizes);
  result.bytes_received = size.header + size.body;
  result.body_bytes = size.body;
  result.prompt_tokens = decision.prompt_tokens;
  if (decision.outcome == Outcome::ok) result.completion_tokens = decision.completion_tokens;
  return result;
}

std::optional<Duration> retry_delay(const RetryConfig& config, const AttemptResult& result,
                                    int retries_made, RandomStream rng) {
  if (retries_made >= config.max_retries ||
      !wire::should_retry(config, result.status, result.error, result.should_retry)) {
    return std::nullopt;
  }
  if (config.honor_retry_after && result.retry_after && result.retry_after->count() > 0 &&
      *result.retry_after <= from_seconds(config.max_retry_after_s)) {
    return *result.retry_after;
  }
  const double base = std::min(config.initial_backoff_s * std::pow(2.0, retries_made),
                               config.max_backoff_s);
  return from_seconds(base * (1.0 - config.jitter * rng.uniform01()));
}

}  // namespace llmsim
