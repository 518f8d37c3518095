// The trace recorder: one CSV row per attempt (models/trace.hpp), written by either driver.
//
// A driver calls it at three points: when it sends an attempt (with the client model's context:
// request, retry number, phase, intended time), when the attempt's response is complete (with
// what it saw: first byte, status, error body, the rate-limit headers and retry-after), and when the
// client gives up on it (timeout). The DES driver builds the response facts from the provider's
// Decision (facts_of_decision: first byte = time to first token), the real-socket driver from the
// HTTP response (facts_of_reading), so a simulated trace and a real one have the same columns
// and meaning. Rows are written as attempts end; times are the run's scenario time in seconds.
//
//   std::ofstream out("trace.csv");
//   TraceRecorder recorder(out);
//   recorder.on_send(id, client.attempt_context(id), now, prompt_tokens);
//   recorder.on_response(id, now, result, facts_of_decision(decision, first_byte, api));
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/time.hpp"
#include "models/trace.hpp"
#include "simulator/attempt_result.hpp"
#include "simulator/client_model.hpp"
#include "wire/openai.hpp"

namespace llmsim {

// What a driver saw of a response besides the AttemptResult.
struct ResponseFacts {
  std::optional<TimePoint> first_byte;
  std::string error_type;
  std::string error_code;
  RateLimitHeaders headers;
};

// Returns the facts of a provider decision received at `first_byte` (the simulator's view of
// what the mock server would send).
ResponseFacts facts_of_decision(const Decision& decision, TimePoint first_byte, ProviderApi api);

// Returns the facts of an HTTP response whose first byte came at `first_byte`, from the driver's
// reading of it (wire::read_response: x-ratelimit-* and the error body's type and code).
ResponseFacts facts_of_reading(TimePoint first_byte, const wire::Reading& reading);

class TraceRecorder {
 public:
  // Writes the header line to `out`, which must outlive the recorder.
  explicit TraceRecorder(std::ostream& out);

  // Notes attempt `attempt_id` sent at `sent`.
  void on_send(std::uint64_t attempt_id, AttemptContext context, TimePoint sent, std::int64_t prompt_tokens);

  // Writes the row of a completed attempt; attempts not sent through on_send are ignored.
  void on_response(std::uint64_t attempt_id, TimePoint end, const AttemptResult& result,
                   const ResponseFacts& facts);

  // Writes the row of an attempt the client gave up on at `end` (a timeout).
  void on_abandon(std::uint64_t attempt_id, TimePoint end);

  // Returns true while the output stream is good.
  bool is_good() const { return static_cast<bool>(out_); }

 private:
  std::ostream& out_;
  std::unordered_map<std::uint64_t, TraceRow> open_;  // by attempt id; never iterated
};

}  // namespace llmsim
