// Faults queued by `POST /admin/faults` for the next N matching requests, so a test can make the
// API fail without changing the app under test.
//
// A rule is `{"count": N (1..1000000, default 1), "endpoint"?: "chat.completions" ("chat") |
// "completions" | "embeddings" | "responses", "model"?: M, "key"?: API key, and exactly one of
// "status": 500 | 503 | 429 or "fault": one of x-llmsim-fault's values ("500", "503", "429",
// "quota", "hang", "drop", "slow"), "latency_ms"?: extra time to the first token (with "slow";
// default: the provider's slow_first_byte_s), "limit"?: the limit a 429 reports, "rpm" | "tpm" |
// "rpd" | "tpd" (one the provider has; default: RPM, else TPM), which picks the error message
// (wire/openai_errors.hpp rate_limited) and the wait in retry-after (one unit of that limit's
// window)}`. A request that reaches the provider model takes
// the first rule (in the order queued) whose conditions all hold, and that rule's count goes down
// by one; a rule at 0 is gone. Requests refused before (401, 400, 404) take none. At most
// kMaxQueuedFaults rules are queued; beyond, a 400. Thread-safe.
//
//   FaultQueue queue;
//   queue.add(R"({"count": 3, "endpoint": "chat", "status": 503})", config.limits);  // nullopt: queued
//   std::optional<QueuedFault> fault = queue.take("chat.completions", "gpt-4o", "sk-1");
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/openai_errors.hpp"
#include "models/rate_limiter.hpp"
#include "models/time.hpp"

namespace llmsim::mockapi {

// Most rules queued at once.
inline constexpr std::size_t kMaxQueuedFaults = 1000;

struct QueuedFault {
  std::uint64_t id = 0;                    // numbered from 1 in the order queued
  std::int64_t remaining = 1;
  std::optional<std::string> endpoint;     // the router's label
  std::optional<std::string> model;
  std::optional<std::string> key;
  std::string fault;                       // x-llmsim-fault's value: "503", "hang", "slow" ...
  std::optional<Duration> latency;         // "slow": added to the time to the first token
  std::optional<LimitKind> limit;          // "429": the limit the refusal names
};

class FaultQueue {
 public:
  // Queues the rule in the JSON `body` for a provider with `limits` (a rule's "limit" must be one
  // of them); returns the 400 to send when it is not one (or the queue is full), else nullopt.
  std::optional<wire::ApiError> add(std::string_view body, const RateLimits& limits);

  // Takes one use of the first rule matching the request, or returns nullopt.
  std::optional<QueuedFault> take(std::string_view endpoint, std::string_view model,
                                  std::string_view key);

  // Returns {"object":"list","data":[{"id","remaining","endpoint","model","key" (masked),
  // "fault","latency_ms"}, ...]} with absent conditions as null.
  std::string list_json();

  // Removes every rule; returns how many there were.
  std::size_t clear();

 private:
  std::mutex mutex_;
  std::vector<QueuedFault> rules_;
  std::uint64_t next_id_ = 1;
};

}  // namespace llmsim::mockapi
