// The trace recorder and the response facts both drivers give it. See trace_recorder.hpp.
#include "simulator/trace_recorder.hpp"

#include <utility>

#include "wire/anthropic.hpp"
#include "wire/openai_errors.hpp"

namespace llmsim {

namespace {

std::optional<double> seconds_of(const std::optional<Duration>& d) {
  if (!d) return std::nullopt;
  return to_seconds(*d);
}

double seconds_since_start(TimePoint t) { return to_seconds(t.time_since_epoch()); }

}  // namespace

ResponseFacts facts_of_decision(const Decision& decision, TimePoint first_byte, ProviderApi api) {
  ResponseFacts facts;
  facts.first_byte = first_byte;
  // The provider's values as decided, not rounded to the millisecond the header text carries.
  facts.headers = decision.admission.headers;
  // The type and code of the error body the mock server sends for the outcome.
  if (api == ProviderApi::anthropic) {
    // Anthropic's contract's reading: its error type, and the limit a 429 names as the code.
    const wire::Reading read = wire::anthropic::from_decision(decision, TimePoint{});
    facts.error_type = read.error_type;
    facts.error_code = read.error_code;
  } else if (auto label = wire::error_label(decision.outcome, decision.admission.refused_by)) {
    facts.error_type = label->type;
    facts.error_code = label->code;
  }
  return facts;
}

ResponseFacts facts_of_reading(TimePoint first_byte, const wire::Reading& reading) {
  return ResponseFacts{.first_byte = first_byte,
                       .error_type = reading.error_type,
                       .error_code = reading.error_code,
                       .headers = reading.rate_limits};
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
  row.api = api_name(context.api);
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
  row.limit_input_tokens = facts.headers.limit_input_tokens;
  row.remaining_input_tokens = facts.headers.remaining_input_tokens;
  row.reset_input_tokens_s = seconds_of(facts.headers.reset_input_tokens);
  row.limit_output_tokens = facts.headers.limit_output_tokens;
  row.remaining_output_tokens = facts.headers.remaining_output_tokens;
  row.reset_output_tokens_s = seconds_of(facts.headers.reset_output_tokens);
  out_ << trace_csv_line(row);
  open_.erase(it);
}

void TraceRecorder::on_abandon(std::uint64_t attempt_id, TimePoint end) {
  on_response(attempt_id, end, AttemptResult{.error = ErrorCategory::timeout}, ResponseFacts{});
}

}  // namespace llmsim
