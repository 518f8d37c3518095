// Outcome classification and metric accumulation shared by both drivers.
#include "models/metrics.hpp"

#include <algorithm>

namespace llmsim {

const char* category_name(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::rate_limit_requests: return "rate_limit_requests";
    case ErrorCategory::rate_limit_tokens: return "rate_limit_tokens";
    case ErrorCategory::daily_limit: return "daily_limit";
    case ErrorCategory::quota: return "quota";
    case ErrorCategory::server_5xx: return "server_5xx";
    case ErrorCategory::timeout: return "timeout";
    case ErrorCategory::connection: return "connection";
    case ErrorCategory::other: return "other";
    case ErrorCategory::queue_full: return "queue_full";
    case ErrorCategory::queue_deadline: return "queue_deadline";
  }
  return "other";
}

void PhaseMetrics::record(const RequestRecord& r) {
  ++requests;
  if (r.error) {
    ++errors[static_cast<std::size_t>(*r.error)];
  } else {
    ++succeeded;
  }
  retries += static_cast<std::uint64_t>(r.retries);
  if (r.is_cache_hit) ++cache_hits;
  provider_calls += static_cast<std::uint64_t>(r.provider_calls);
  latency.record((r.finished - r.intended_send).count());
  if (!r.error) ttft.record((r.first_byte.value_or(r.finished) - r.intended_send).count());
  queue.record(r.queued.count());
  if (r.queued.count() > 0) ++waited;
  bytes_sent += r.bytes_sent;
  bytes_received += r.bytes_received;
  if (!r.error) success_body_bytes += r.body_bytes;
  prompt_tokens += r.prompt_tokens;
  completion_tokens += r.completion_tokens;
  first_intended = first_intended ? std::min(*first_intended, r.intended_send) : r.intended_send;
  last_finished = last_finished ? std::max(*last_finished, r.finished) : r.finished;
}

void PhaseMetrics::merge(const PhaseMetrics& o) {
  requests += o.requests;
  succeeded += o.succeeded;
  retries += o.retries;
  cache_hits += o.cache_hits;
  provider_calls += o.provider_calls;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
  latency.merge(o.latency);
  ttft.merge(o.ttft);
  queue.merge(o.queue);
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  success_body_bytes += o.success_body_bytes;
  prompt_tokens += o.prompt_tokens;
  completion_tokens += o.completion_tokens;
  if (o.first_intended) {
    first_intended = first_intended ? std::min(*first_intended, *o.first_intended) : o.first_intended;
  }
  if (o.last_finished) {
    last_finished = last_finished ? std::max(*last_finished, *o.last_finished) : o.last_finished;
  }
  cpu_busy += o.cpu_busy;
  waited += o.waited;
  in_flight_time += o.in_flight_time;
  for (const auto& [route, count] : o.routes) {
    RouteCount& mine = routes[route];
    mine.attempts += count.attempts;
    mine.succeeded += count.succeeded;
  }
}

void PhaseMetrics::record_attempt(RouteId route, bool is_success) {
  RouteCount& count = routes[route];
  ++count.attempts;
  if (is_success) ++count.succeeded;
}

double PhaseMetrics::success_rate() const {
  return requests == 0 ? 0.0 : static_cast<double>(succeeded) / static_cast<double>(requests);
}

}  // namespace llmsim
