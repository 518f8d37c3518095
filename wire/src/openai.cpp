// OpenAI's contract, the writing side: decisions as status, headers and error bodies; what the
// client reads of a decision without the text; and the SDKs' retry rule. See openai.hpp.
#include "wire/openai.hpp"

#include <algorithm>
#include <chrono>

#include "wire/go_duration.hpp"

namespace llmsim::wire {
namespace {

// Returns the x-ratelimit-* values as a client reads them off the wire: resets rounded to the
// millisecond the headers carry (go_duration_as_read).
RateLimitHeaders as_sent(const RateLimitHeaders& headers) {
  // OpenAI's headers name requests and tokens only.
  RateLimitHeaders out{.limit_requests = headers.limit_requests,
                       .remaining_requests = headers.remaining_requests,
                       .reset_requests = headers.reset_requests,
                       .limit_tokens = headers.limit_tokens,
                       .remaining_tokens = headers.remaining_tokens,
                       .reset_tokens = headers.reset_tokens};
  if (out.reset_requests) out.reset_requests = go_duration_as_read(*out.reset_requests);
  if (out.reset_tokens) out.reset_tokens = go_duration_as_read(*out.reset_tokens);
  return out;
}

}  // namespace

std::optional<RetryAfterHeaders> retry_after_headers(const Decision& decision, bool send_millis) {
  if (decision.outcome != Outcome::rate_limited) return std::nullopt;
  const Duration wait = std::max(decision.admission.wait, Duration{0});
  RetryAfterHeaders headers;
  headers.seconds = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  if (send_millis) {
    headers.millis = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  }
  return headers;
}

std::optional<bool> should_retry_header(Outcome outcome) {
  // OpenAI's billing errors cannot succeed on retry; both SDKs would retry a 429 otherwise.
  if (outcome == Outcome::quota_exhausted) return false;
  return std::nullopt;
}

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

void add_rate_limit_headers(HeaderList& headers, const RateLimitHeaders& values) {
  if (values.limit_requests) headers.emplace_back(kLimitRequests, std::to_string(*values.limit_requests));
  if (values.limit_tokens) headers.emplace_back(kLimitTokens, std::to_string(*values.limit_tokens));
  if (values.remaining_requests) {
    headers.emplace_back(kRemainingRequests, std::to_string(*values.remaining_requests));
  }
  if (values.remaining_tokens) {
    headers.emplace_back(kRemainingTokens, std::to_string(*values.remaining_tokens));
  }
  if (values.reset_requests) headers.emplace_back(kResetRequests, go_duration(*values.reset_requests));
  if (values.reset_tokens) headers.emplace_back(kResetTokens, go_duration(*values.reset_tokens));
}

std::optional<ApiError> error_of(const Decision& decision, const RenderContext& context) {
  switch (decision.outcome) {
    case Outcome::rate_limited:
      return rate_limited(context.model, context.organization, decision.admission);
    case Outcome::too_large:
      return request_too_large(context.model, context.organization, decision.admission);
    case Outcome::quota_exhausted: return quota_exhausted();
    case Outcome::server_error: return server_error();
    case Outcome::overloaded: return overloaded(context.request_id);
    default: return std::nullopt;
  }
}

Response response_start(const Decision& decision, int status) {
  Response response;
  response.status = status;
  if (decision.outcome == Outcome::hang) response.delivery = Delivery::none;
  if (decision.outcome == Outcome::drop_mid_stream) response.delivery = Delivery::cut;
  return response;
}

Response render(const Decision& decision, const RenderContext& context) {
  Response response = response_start(decision, status_of(decision.outcome));
  if (response.delivery == Delivery::none) return response;
  if (auto error = error_of(decision, context)) response.body = error_json(*error);
  if (auto retry_after = retry_after_headers(decision, context.send_retry_after_ms)) {
    response.headers.emplace_back(kRetryAfter, std::to_string(retry_after->seconds));
    if (retry_after->millis) {
      response.headers.emplace_back(kRetryAfterMs, std::to_string(*retry_after->millis));
    }
  }
  if (auto should_retry = should_retry_header(decision.outcome)) {
    response.headers.emplace_back(kShouldRetry, *should_retry ? "true" : "false");
  }
  add_rate_limit_headers(response.headers, decision.admission.headers);
  return response;
}

Reading from_decision(const Decision& decision, bool send_retry_after_ms) {
  Reading reading;
  reading.error = category_of(decision);
  reading.status = status_of(decision.outcome);
  if (decision.outcome == Outcome::hang) return reading;  // nothing arrives
  // Every answer the provider model makes carries the key's x-ratelimit-* headers.
  reading.rate_limits = as_sent(decision.admission.headers);
  // The SDKs read retry-after-ms first.
  if (auto retry_after = retry_after_headers(decision, send_retry_after_ms)) {
    reading.retry_after = retry_after->millis
                              ? Duration{std::chrono::milliseconds(*retry_after->millis)}
                              : Duration{std::chrono::seconds(retry_after->seconds)};
  }
  reading.should_retry = should_retry_header(decision.outcome);
  if (auto label = error_label(decision.outcome, decision.admission.refused_by)) {
    reading.error_type = label->type;
    reading.error_code = label->code;
  }
  return reading;
}

std::optional<ErrorCategory> category_of(const Decision& decision) {
  switch (decision.outcome) {
    case Outcome::ok: return std::nullopt;
    case Outcome::rate_limited:
      switch (decision.admission.refused_by) {
        case LimitKind::tpm:
        case LimitKind::itpm:
        case LimitKind::otpm: return ErrorCategory::rate_limit_tokens;
        case LimitKind::rpd:
        case LimitKind::tpd: return ErrorCategory::daily_limit;
        default: return ErrorCategory::rate_limit_requests;
      }
    case Outcome::too_large: return ErrorCategory::other;
    case Outcome::quota_exhausted: return ErrorCategory::quota;
    case Outcome::server_error:
    case Outcome::overloaded: return ErrorCategory::server_5xx;
    case Outcome::hang: return ErrorCategory::timeout;
    case Outcome::drop_mid_stream: return ErrorCategory::connection;
  }
  return ErrorCategory::other;
}

bool should_retry(const RetryConfig& config, int status, std::optional<ErrorCategory> error,
                  std::optional<bool> should_retry_header) {
  if (should_retry_header) return *should_retry_header;
  if (!error) return false;
  switch (*error) {
    case ErrorCategory::timeout: return config.retry_on_timeout;  // 408 included
    case ErrorCategory::connection: return config.retry_on_connection_error;
    case ErrorCategory::server_5xx: return config.retry_on_5xx;
    default: break;
  }
  if (status == 429) return config.retry_on_429;
  // The SDKs also retry 408 (request timeout) and 409 (lock conflict).
  return status == 408 || status == 409;
}

ResponseSizes response_sizes(bool stream) {
  // Measured on the mock server (tests/mockapi/response_size_test.cpp holds them within 10%): a
  // whole chat completion has 460 bytes of head and 540 of JSON around its text; a stream has 488
  // of head, 513 of role, finish and [DONE] events and 242 of event a token (each chunk repeats
  // id, model and created), in chunked encoding. The text itself is counted at 4 bytes a token,
  // OpenAI's rule of thumb of four characters a token (the mock's words run longer: 5.4). An
  // error body is about 320 bytes (the 429 for requests per minute: 302).
  if (stream) return {.head = 488, .framing = 513, .per_token = 242 + 4, .error_body = 320};
  return {.head = 460, .framing = 540, .per_token = 4, .error_body = 320};
}

}  // namespace llmsim::wire
