// Decision -> what the client sees, and the SDKs' retry rule.
#include "simulator/attempt_result.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace llmsim {

namespace {

// Bytes of an OpenAI error body (message, type, param, code), about what the server sends.
constexpr std::int64_t kErrorBodyBytes = 320;
// Bytes per token of generated text: OpenAI's rule of thumb of four characters a token.
constexpr std::int64_t kBytesPerToken = 4;

int status_of(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return 200;
    case Outcome::rate_limited:
    case Outcome::too_large:
    case Outcome::quota_exhausted: return 429;
    case Outcome::server_error: return 500;
    case Outcome::overloaded: return 503;
    case Outcome::drop_mid_stream: return 200;  // headers went out; the body was cut
    case Outcome::hang: return 0;
  }
  return 0;
}

}  // namespace

std::optional<double> parse_go_duration_s(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"h", 3600.0}, {"m", 60.0}, {"s", 1.0}};
  if (text == "0") return 0.0;
  double total = 0;
  bool any = false;
  while (!text.empty()) {
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || !std::isfinite(number)) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    bool matched = false;
    for (const auto& [unit, scale] : kUnits) {
      if (text.starts_with(unit)) {
        total += number * scale;
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) return std::nullopt;
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

std::optional<Duration> parse_go_duration(std::string_view text) {
  const auto seconds = parse_go_duration_s(text);
  if (!seconds || *seconds < 0) return std::nullopt;  // a reset is never in the past
  return from_seconds(*seconds);
}

std::optional<Duration> go_duration_as_read(Duration d) {
  // go_duration rounds to the millisecond, halfway away from zero; a negative text does not parse.
  constexpr std::uint64_t kNsPerMs = 1'000'000;
  const bool negative = d.count() < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(d.count())
                                           : static_cast<std::uint64_t>(d.count());
  const auto ms = static_cast<std::int64_t>((magnitude + kNsPerMs / 2) / kNsPerMs);
  if (ms == 0) return Duration{0};
  if (negative) return std::nullopt;
  // parse_go_duration's arithmetic on the text's numbers: under a second "NNNms" is NNN x 1e-3;
  // otherwise the hours and minutes (exact) plus the seconds "S.fff", whose nearest double is the
  // correctly rounded quotient of the whole milliseconds by 1000.
  if (ms < 1000) return from_seconds(static_cast<double>(ms) * 1e-3);
  const std::int64_t hours = ms / 3'600'000;
  const std::int64_t minutes = ms % 3'600'000 / 60'000;
  const double whole = static_cast<double>(hours) * 3600.0 + static_cast<double>(minutes) * 60.0;
  return from_seconds(whole + static_cast<double>(ms % 60'000) / 1000.0);
}

RateLimitHeaders as_sent(const RateLimitHeaders& headers) {
  RateLimitHeaders out = headers;
  if (out.reset_requests) out.reset_requests = go_duration_as_read(*out.reset_requests);
  if (out.reset_tokens) out.reset_tokens = go_duration_as_read(*out.reset_tokens);
  return out;
}

std::int64_t estimated_response_bytes(const Decision& decision, const NetworkConfig& network) {
  switch (decision.outcome) {
    case Outcome::ok:
      return network.response_overhead_bytes + kBytesPerToken * decision.completion_tokens;
    case Outcome::drop_mid_stream:
      return network.response_overhead_bytes + kBytesPerToken * decision.tokens_before_drop;
    case Outcome::hang:
      return 0;
    default:
      return network.response_overhead_bytes + kErrorBodyBytes;
  }
}

std::int64_t estimated_request_bytes(std::int64_t prompt_tokens, const NetworkConfig& network) {
  return network.request_overhead_bytes + kBytesPerToken * prompt_tokens;
}

AttemptResult from_decision(const Decision& decision, const ProviderConfig& provider,
                            const NetworkConfig& network) {
  AttemptResult result;
  result.error = category_of(decision);
  result.status = status_of(decision.outcome);
  result.bytes_received = estimated_response_bytes(decision, network);
  result.prompt_tokens = decision.prompt_tokens;
  if (decision.outcome == Outcome::ok) result.completion_tokens = decision.completion_tokens;
  // Every answer the provider model makes carries the key's x-ratelimit-* headers.
  result.rate_limits = as_sent(decision.admission.headers);
  // What the mock server sends (models/provider_model.hpp); the SDKs read retry-after-ms first.
  if (auto retry_after = retry_after_headers(decision, provider.send_retry_after_ms)) {
    result.retry_after = retry_after->millis
                             ? Duration{std::chrono::milliseconds(*retry_after->millis)}
                             : Duration{std::chrono::seconds(retry_after->seconds)};
  }
  // The server marks quota exhaustion as final, so the SDKs do not retry it.
  if (decision.outcome == Outcome::quota_exhausted) result.should_retry = false;
  return result;
}

namespace {

bool is_retryable(const RetryConfig& config, const AttemptResult& result) {
  if (result.should_retry) return *result.should_retry;
  if (!result.error) return false;
  switch (*result.error) {
    case ErrorCategory::timeout: return config.retry_on_timeout;
    case ErrorCategory::connection: return config.retry_on_connection_error;
    case ErrorCategory::server_5xx: return config.retry_on_5xx;
    default: break;
  }
  if (result.status == 429) return config.retry_on_429;
  // The SDKs also retry 408 (request timeout) and 409 (lock conflict).
  return result.status == 408 || result.status == 409;
}

}  // namespace

std::optional<Duration> retry_delay(const RetryConfig& config, const AttemptResult& result,
                                    int retries_made, RandomStream rng) {
  if (retries_made >= config.max_retries || !is_retryable(config, result)) return std::nullopt;
  if (config.honor_retry_after && result.retry_after && result.retry_after->count() > 0 &&
      *result.retry_after <= from_seconds(config.max_retry_after_s)) {
    return *result.retry_after;
  }
  const double base = std::min(config.initial_backoff_s * std::pow(2.0, retries_made),
                               config.max_backoff_s);
  return from_seconds(base * (1.0 - config.jitter * rng.uniform01()));
}

}  // namespace llmsim
