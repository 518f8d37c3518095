#include "mockapi/metrics.hpp"

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

using testing::HasSubstr;

TEST(Metrics, CountsRequestsByEndpointAndStatus) {
  Metrics metrics;
  metrics.record("chat.completions", "200", 0.02);
  metrics.record("chat.completions", "200", 0.3);
  metrics.record("chat.completions", "429", 0.001);
  EXPECT_EQ(metrics.total_requests(), 3u);
  const std::string text = metrics.prometheus_text({});
  EXPECT_THAT(text, HasSubstr("# TYPE llmsim_requests_total counter\n"));
  EXPECT_THAT(text,
              HasSubstr("llmsim_requests_total{endpoint=\"chat.completions\",status=\"200\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("llmsim_requests_total{endpoint=\"chat.completions\",status=\"429\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;
  // Binary fractions, so the sum is exact.
  metrics.record("embeddings", "200", 0.00390625);  // first bucket
  metrics.record("embeddings", "200", 0.375);       // 0.5 bucket
  metrics.record("embeddings", "200", 512.0);       // only +Inf
  const std::string text = metrics.prometheus_text({});
  const std::string prefix = "llmsim_request_duration_seconds_bucket{endpoint=\"embeddings\",le=";
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.25\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"120\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("llmsim_request_duration_seconds_count{endpoint=\"embeddings\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("llmsim_request_duration_seconds_sum{endpoint=\"embeddings\"} 512.37890625\n"));
}

TEST(Metrics, WritesLimiterLevelsPerKeyAndEscapesLabels) {
  Metrics metrics;
  metrics.add_connections(3);
  metrics.add_in_flight(2);
  const std::map<std::string, std::vector<LimiterLevel>> levels = {
      {"sk-\"a\"", {{LimitKind::rpm, 500, 499.5}, {LimitKind::tpm, 1000, 12.0}}}};
  const std::string text = metrics.prometheus_text(levels);
  EXPECT_THAT(text, HasSubstr("llmsim_ratelimit_limit{key=\"sk-\\\"a\\\"\",limit=\"RPM\"} 500\n"));
  EXPECT_THAT(text,
              HasSubstr("llmsim_ratelimit_available{key=\"sk-\\\"a\\\"\",limit=\"RPM\"} 499.5\n"));
  EXPECT_THAT(text, HasSubstr("llmsim_ratelimit_available{key=\"sk-\\\"a\\\"\",limit=\"TPM\"} 12\n"));
  EXPECT_THAT(text, HasSubstr("llmsim_open_connections 3\n"));
  EXPECT_THAT(text, HasSubstr("llmsim_requests_in_flight 2\n"));
}

TEST(Metrics, ResetForgetsCounts) {
  Metrics metrics;
  metrics.record("models", "200", 0.0);
  metrics.reset();
  EXPECT_EQ(metrics.total_requests(), 0u);
  EXPECT_THAT(metrics.prometheus_text({}), testing::Not(HasSubstr("endpoint=\"models\"")));
}

TEST(Metrics, RecordingDoesNotWaitForARender) {
  // A render of many keys takes a while; requests ending meanwhile must not queue behind it
  // (the render once held the lock every request's record() takes).
  Metrics metrics;
  std::map<std::string, std::vector<LimiterLevel>> levels;
  for (int i = 0; i < 50'000; ++i) {
    levels["sk-" + std::to_string(i)] = {{LimitKind::rpm, 500, 499.5}, {LimitKind::tpm, 9, 1.0}};
  }
  std::atomic<bool> started{false};
  std::atomic<bool> rendered{false};
  std::thread render([&] {
    started = true;
    const std::string text = metrics.prometheus_text(levels);
    rendered = true;
    EXPECT_THAT(text, HasSubstr("llmsim_ratelimit_keys 50000\n"));
  });
  while (!started) std::this_thread::yield();
  int recorded_during_render = 0;
  while (!rendered) {
    metrics.record("healthz", "200", 0.001);
    if (!rendered) ++recorded_during_render;
  }
  render.join();
  EXPECT_GT(recorded_during_render, 100);
}

}  // namespace
}  // namespace llmsim::mockapi
