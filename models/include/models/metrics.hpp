// What a run measures, filled identically by the simulator and the real-socket driver.
//
// Counters by outcome (success, or one error category), latency, time-to-first-token and
// client-queue histograms (nanoseconds, HdrHistogram-style so memory does not grow with requests),
// bytes (all responses', and the bodies of the responses that answered succeeded requests),
// retries and the phase's time span. Latency runs from the time a request was *meant* to be
// sent (wrk2's fix for coordinated omission) to the time its final response was handled; time to
// first token runs from the same intended time to the first byte of the response that answered a
// succeeded request (its first token when streamed, the whole response otherwise); queue time is
// the part of the latency spent waiting in the client (for a connection or the client's CPU).
//
//   PhaseMetrics m;
//   m.record_request(RequestRecord{...});
//   double rate = m.success_rate();
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "models/histogram.hpp"
#include "models/provider_model.hpp"
#include "models/time.hpp"

namespace llmsim {

// Why a request failed, as the report groups errors.
enum class ErrorCategory {
  rate_limit_requests,  // 429 on requests per minute
  rate_limit_tokens,    // 429 on tokens per minute
  daily_limit,          // 429 on requests or tokens per day
  quota,                // 429 insufficient_quota
  server_5xx,           // 500, 503 and other 5xx
  timeout,              // the client gave up waiting
  connection,           // connection refused, reset or closed mid-response
  other,                // anything else (400s, 413, too-large 429s ...)
  queue_full,           // shed by the client: its waiting line was full (client.queue)
  queue_deadline,       // shed by the client: it waited longer than client.queue.max_wait_s
};
inline constexpr std::size_t kErrorCategoryCount = 10;

// Returns the category's report name: "rate_limit_requests", ..., "other".
const char* category_name(ErrorCategory category);

// One finished request (after all its attempts), as a driver reports it.
struct RequestRecord {
  TimePoint intended_send;            // when the user meant to send it
  TimePoint finished;                 // when its final response was handled
  // When the first byte of its final response reached the client (the first token of a stream);
  // nullopt: no earlier than `finished` (a cache hit, a local answer, a whole body at once).
  std::optional<TimePoint> first_byte;
  Duration queued{0};                 // time waiting in the client (pool, CPU), all attempts
  std::optional<ErrorCategory> error; // nullopt: succeeded
  int retries = 0;
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;    // every response of every attempt, headers and bodies
  std::int64_t body_bytes = 0;        // the body of its final response (0 when none came)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  bool is_cache_hit = false;          // answered by the client's cache
  int provider_calls = 0;             // attempts that were sent to the provider
};

// Where an attempt went: a provider (index in the scenario) and one of its API keys (index in
// its api_keys, 0 when it has none), or the local model (provider == the number of providers).
struct RouteId {
  std::uint32_t provider = 0;
  std::uint32_t key = 0;
  auto operator<=>(const RouteId&) const = default;
};

// Attempts sent along one route and how many of them succeeded.
struct RouteCount {
  std::uint64_t attempts = 0;
  std::uint64_t succeeded = 0;
};

struct PhaseMetrics {
  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t retries = 0;
  std::uint64_t cache_hits = 0;       // requests answered by the client's cache
  std::uint64_t provider_calls = 0;   // attempts sent to the provider
  std::array<std::uint64_t, kErrorCategoryCount> errors{};
  LatencyHistogram latency;           // ns, all requests
  LatencyHistogram ttft;              // ns, time to first token of succeeded requests
  LatencyHistogram queue;             // ns, all requests
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;
  std::int64_t success_body_bytes = 0;  // body bytes of succeeded requests' final responses
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::optional<TimePoint> first_intended;  // span of the phase
  std::optional<TimePoint> last_finished;
  Duration cpu_busy{0};               // modelled client CPU busy time (all cores)
  std::map<RouteId, RouteCount> routes;  // attempts by route (only with routing)
  // For queueing checks (llmsim analyze): requests that waited at all in the client, and the
  // integral over time of the number of requests in flight (request x ns; / duration = mean L).
  std::uint64_t waited = 0;
  Duration in_flight_time{0};

  // Adds one finished request.
  void record(const RequestRecord& record);

  // Counts one attempt along `route`.
  void record_attempt(RouteId route, bool is_success);

  // Adds every count of `other` (histograms merge exactly).
  void merge(const PhaseMetrics& other);

  // Returns succeeded / requests (0 when there were none).
  double success_rate() const;
};

}  // namespace llmsim
