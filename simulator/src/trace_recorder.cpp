// The trace recorder and the response facts both drivers give it. See trace_recorder.hpp.
#include "simulator/trace_recorder.hpp"

#include <charconv>
#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

#include "mockapi/openai_errors.hpp"

namespace llmsim {

namespace {

std::optional<std::int64_t> integer_header(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::optional<double> seconds_of(const std::optional<Duration>& d) {
  if (!d) return std::nullopt;
  return to_seconds(*d);
}

// The error body the mock server sends for an outcome (mockapi/openai_errors.hpp), so that the
// simulator's rows carry the same type and code as a recorded run against the server.
std::optional<mockapi::ApiError> api_error_of(const Decision& decision) {
  switch (decision.outcome) {
    case Outcome::rate_limited: return mockapi::rate_limited("", "", decision.admission);
    case Outcome::too_large: return mockapi::request_too_large("", "", decision.admission);
    case Outcome::quota_exhausted: return mockapi::quota_exhausted();
    case Outcome::server_error: return mockapi::server_error();
    case Outcome::overloaded: return mockapi::overloaded("");
    default: return std::nullopt;
  }
}

double seconds_since_start(TimePoint t) { return to_seconds(t.time_since_epoch()); }

}  // namespace

ResponseFacts facts_of_decision(const Decision& decision, TimePoint first_byte) {
  ResponseFacts facts;
  facts.first_byte = first_byte;
  facts.headers = decision.admission.headers;
  if (auto error = api_error_of(decision)) {
    facts.error_type = error->type;
    facts.error_code = error->code.value_or("");
  }
  return facts;
}

ResponseFacts facts_of_response(TimePoint first_byte, int status,
                                const std::function<std::optional<std::string_view>(std::string_view)>& header,
                                std::string_view body) {
  ResponseFacts facts;
  facts.first_byte = first_byte;
  RateLimitHeaders& h = facts.headers;
  h.limit_requests = integer_header(header("x-ratelimit-limit-requests"));
  h.remaining_requests = integer_header(header("x-ratelimit-remaining-requests"));
  h.limit_tokens = integer_header(header("x-ratelimit-limit-tokens"));
  h.remaining_tokens = integer_header(header("x-ratelimit-remaining-tokens"));
  const auto reset = [&](std::string_view name) -> std::optional<Duration> {
    const auto text = header(name);
    const auto seconds = text ? parse_go_duration_s(*text) : std::nullopt;
    return seconds ? std::optional<Duration>(from_seconds(*seconds)) : std::nullopt;
  };
  h.reset_requests = reset("x-ratelimit-reset-requests");
  h.reset_tokens = reset("x-ratelimit-reset-tokens");
  if (status < 200 || status >= 300) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_discarded() && parsed.contains("error") && parsed["error"].is_object()) {
      const auto& error = parsed["error"];
      if (error.contains("type") && error["type"].is_string()) facts.error_type = error["type"];
      if (error.contains("code") && error["code"].is_string()) facts.error_code = error["code"];
    }
  }
  return facts;
}

TraceRecorder::TraceRecorder(std::ostream& out) : out_(out) { out_ << trace_csv_header(); }

void TraceRecorder::on_send(std::uint64_t attempt_id, AttemptContext context, TimePoint sent,
                            std::int64_t prompt_tokens) {
  TraceRow row;
  row.request_id = context.request_id;
  row.attempt = context.attempt;
  row.phase = std::move(context.phase);
  row.intended_s = seconds_since_start(context.intended);
  row.sent_s = seconds_since_start(sent);
  row.prompt_tokens = prompt_tokens;
  row.provider = std::move(context.provider);
  row.key_index = context.key;
  open_[attempt_id] = std::move(row);
}

void TraceRecorder::on_response(std::uint64_t attempt_id, TimePoint end, const AttemptResult& result,
                                const ResponseFacts& facts) {
  auto it = open_.find(attempt_id);
  if (it == open_.end()) return;
  TraceRow& row = it->second;
  if (facts.first_byte) row.first_byte_s = seconds_since_start(*facts.first_byte);
  row.end_s = seconds_since_start(end);
  row.status = result.status;
  row.error = result.error ? category_name(*result.error) : "";
  row.error_type = facts.error_type;
  row.error_code = facts.error_code;
  row.completion_tokens = result.completion_tokens;
  row.limit_requests = facts.headers.limit_requests;
  row.remaining_requests = facts.headers.remaining_requests;
  row.reset_requests_s = seconds_of(facts.headers.reset_requests);
  row.limit_tokens = facts.headers.limit_tokens;
  row.remaining_tokens = facts.headers.remaining_tokens;
  row.reset_tokens_s = seconds_of(facts.headers.reset_tokens);
  row.retry_after_s = seconds_of(result.retry_after);
  out_ << trace_csv_line(row);
  open_.erase(it);
}

void TraceRecorder::on_abandon(std::uint64_t attempt_id, TimePoint end) {
  on_response(attempt_id, end, AttemptResult{.error = ErrorCategory::timeout}, ResponseFacts{});
}

}  // namespace llmsim
