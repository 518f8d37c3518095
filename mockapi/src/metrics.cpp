// Request counters, latency histograms and limiter gauges in Prometheus' text format.
#include "mockapi/metrics.hpp"

#include <charconv>
#include <sstream>

namespace llmsim::mockapi {
namespace {

// Escapes a label value: backslash, double quote and newline, as the text format requires.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Formats a number the shortest way that reads back exactly ("0.005", "1", "2.5").
std::string number(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

void Metrics::record(std::string_view endpoint, std::string_view status, double latency_s) {
  std::lock_guard lock(mutex_);
  // Look up first: after the first request of each kind, recording builds no string.
  auto count = requests_.find(std::pair(endpoint, status));
  if (count == requests_.end()) {
    count = requests_.emplace(std::pair(std::string(endpoint), std::string(status)), 0).first;
  }
  ++count->second;
  auto found = latency_.find(endpoint);
  if (found == latency_.end()) found = latency_.emplace(std::string(endpoint), Latency{}).first;
  Latency& latency = found->second;
  for (std::size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
    if (latency_s <= kLatencyBucketsS[i]) {
      ++latency.buckets[i];
      break;
    }
  }
  ++latency.count;
  latency.sum_s += latency_s;
}

std::uint64_t Metrics::total_requests() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& [labels, count] : requests_) {
    total += count;
  }
  return total;
}

std::string Metrics::prometheus_text(
    const std::map<std::string, std::vector<LimiterLevel>>& levels) const {
  // A copy under the lock (a few dozen labels), the text outside it: recording a request never
  // waits for a render.
  decltype(requests_) requests;
  decltype(latency_) latencies;
  {
    std::lock_guard lock(mutex_);
    requests = requests_;
    latencies = latency_;
  }
  std::ostringstream out;
  header(out, "llmsim_requests_total", "counter", "Requests answered, by endpoint and status.");
  for (const auto& [labels, count] : requests) {
    out << "llmsim_requests_total{endpoint=\"" << label(labels.first) << "\",status=\""
        << label(labels.second) << "\"} " << count << "\n";
  }
  header(out, "llmsim_request_duration_seconds", "histogram",
         "Wall time from request read to last byte written, by endpoint.");
  for (const auto& [endpoint, latency] : latencies) {
    const std::string prefix =
        "llmsim_request_duration_seconds_bucket{endpoint=\"" + label(endpoint) + "\",le=\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
      cumulative += latency.buckets[i];
      out << prefix << number(kLatencyBucketsS[i]) << "\"} " << cumulative << "\n";
    }
    out << prefix << "+Inf\"} " << latency.count << "\n";
    out << "llmsim_request_duration_seconds_sum{endpoint=\"" << label(endpoint) << "\"} "
        << number(latency.sum_s) << "\n";
    out << "llmsim_request_duration_seconds_count{endpoint=\"" << label(endpoint) << "\"} "
        << latency.count << "\n";
  }
  header(out, "llmsim_open_connections", "gauge", "Client connections open now.");
  out << "llmsim_open_connections " << connections_.load() << "\n";
  header(out, "llmsim_requests_in_flight", "gauge", "Requests read but not yet answered.");
  out << "llmsim_requests_in_flight " << in_flight_.load() << "\n";
  header(out, "llmsim_ratelimit_keys", "gauge", "API keys whose limits the server keeps now.");
  out << "llmsim_ratelimit_keys " << levels.size() << "\n";
  header(out, "llmsim_ratelimit_limit", "gauge", "Capacity of each rate limit, by key.");
  for (const auto& [key, key_levels] : levels) {
    for (const LimiterLevel& level : key_levels) {
      out << "llmsim_ratelimit_limit{key=\"" << label(key) << "\",limit=\""
          << limit_name(level.kind) << "\"} " << level.limit << "\n";
    }
  }
  header(out, "llmsim_ratelimit_available", "gauge",
         "Units left in each rate limit's bucket now, by key.");
  for (const auto& [key, key_levels] : levels) {
    for (const LimiterLevel& level : key_levels) {
      out << "llmsim_ratelimit_available{key=\"" << label(key) << "\",limit=\""
          << limit_name(level.kind) << "\"} " << number(level.available) << "\n";
    }
  }
  return out.str();
}

void Metrics::reset() {
  std::lock_guard lock(mutex_);
  requests_.clear();
  latency_.clear();
}

}  // namespace llmsim::mockapi
