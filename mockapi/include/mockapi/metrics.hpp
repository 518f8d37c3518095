// The mock server's own metrics, rendered in the Prometheus text format for GET /metrics.
//
// Counts answered requests by endpoint and status, keeps a latency histogram per endpoint (wall
// seconds from the request read to the last byte written; fixed buckets, Prometheus-cumulative),
// gauges of open connections and requests in flight, and, passed in at render time, the provider
// model's limiter levels per API key (masked by the caller) and their count. Thread-safe: a
// render copies the counters under the lock and formats them outside it, so requests recording
// their end never wait for a render. The output is sorted, so it is deterministic.
//
//   Metrics metrics;
//   metrics.record("chat.completions", "200", 0.42);
//   std::string text = metrics.prometheus_text(provider.levels(now));
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/rate_limiter.hpp"

namespace llmsim::mockapi {

// Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
inline constexpr std::array<double, 14> kLatencyBucketsS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0};

class Metrics {
 public:
  // Records one finished request: endpoint label ("chat.completions"), status label ("200",
  // "429", "dropped", "hung") and its wall latency in seconds.
  void record(std::string_view endpoint, std::string_view status, double latency_s);

  // Counts connections and requests in flight (for the gauges).
  void add_connections(std::int64_t delta) { connections_ += delta; }
  void add_in_flight(std::int64_t delta) { in_flight_ += delta; }

  // Returns the number of requests recorded so far.
  std::uint64_t total_requests() const;

  // Returns every metric in the Prometheus text exposition format (version 0.0.4).
  std::string prometheus_text(
      const std::map<std::string, std::vector<LimiterLevel>>& levels) const;

  // Forgets the counts and histograms (the gauges stay).
  void reset();

 private:
  struct Latency {
    std::array<std::uint64_t, kLatencyBucketsS.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum_s = 0.0;
  };

  // Orders (endpoint, status) labels as std::pair<std::string, std::string> does, and lets a
  // pair of string_views find them without building strings.
  struct LabelsLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t, LabelsLess> requests_;
  std::map<std::string, Latency, std::less<>> latency_;  // by endpoint
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace llmsim::mockapi
