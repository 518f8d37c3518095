// Reports: determinism, layout of the JSON and CSV, thresholds.
#include "simulator/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "models/scenario.hpp"
#include "simulator/des_driver.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;

Report run(const Scenario& s) {
  const SimulationResult r = simulate(s);
  return build_report(s, r.phases, r.limiter_levels, "simulated");
}

Scenario gaja() { return load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json"); }

TEST(Report, SameScenarioAndSeedGiveByteIdenticalJson) {
  const Scenario s = gaja();
  EXPECT_EQ(to_json(run(s)), to_json(run(s)));
  EXPECT_EQ(to_csv(run(s)), to_csv(run(s)));
}

TEST(Report, AnotherSeedGivesAnotherRun) {
  Scenario s = gaja();
  const std::string first = to_json(run(s));
  s.seed += 1;
  EXPECT_NE(to_json(run(s)), first);
}

TEST(Report, JsonHasTheDocumentedFields) {
  const auto j = nlohmann::json::parse(to_json(run(gaja())));
  EXPECT_EQ(j["schema_version"], kReportSchemaVersion);
  ASSERT_EQ(j["phases"].size(), 4u);
  for (const auto& phase : j["phases"]) {
    for (const char* key : {"name", "users", "requests", "succeeded", "success_rate", "latency_s",
                            "queue_s", "throughput_rps", "duration_s", "errors", "retries",
                            "bytes_received", "client_cpu_utilisation"}) {
      EXPECT_TRUE(phase.contains(key)) << key;
    }
    for (const char* key : {"avg", "min", "max", "p50", "p90", "p95", "p99"}) {
      EXPECT_TRUE(phase["latency_s"].contains(key)) << key;
    }
    for (const char* key : {"rate_limit_requests", "rate_limit_tokens", "daily_limit", "quota",
                            "server_5xx", "timeout", "connection", "other"}) {
      EXPECT_TRUE(phase["errors"].contains(key)) << key;
    }
  }
  EXPECT_EQ(j["total"]["requests"], 100 + 200 + 1000 + 10000);
}

TEST(Report, PercentilesAreOrdered) {
  for (const PhaseReport& p : run(gaja()).phases) {
    EXPECT_LE(p.latency_s.min, p.latency_s.p50);
    EXPECT_LE(p.latency_s.p50, p.latency_s.p90);
    EXPECT_LE(p.latency_s.p90, p.latency_s.p95);
    EXPECT_LE(p.latency_s.p95, p.latency_s.p99);
    EXPECT_LE(p.latency_s.p99, p.latency_s.max);
    EXPECT_LE(p.queue_s.avg, p.latency_s.avg);
  }
}

TEST(Report, CsvHasAHeaderAndOneRowPerPhasePlusTotal) {
  const std::string csv = to_csv(run(gaja()));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 4 + 1);
  EXPECT_THAT(csv, HasSubstr("phase,users,requests,succeeded"));
  EXPECT_THAT(csv, HasSubstr("\n\"10000 users\",10000,10000,"));
}

TEST(Report, TextLooksLikeTheLoadTestReport) {
  const std::string text = to_text(run(gaja()));
  for (const char* line : {"Success Rate:", "Response Time:", "Throughput:", "Client CPU:",
                           "Data Transfer:", "Errors:", "HTTP 429 (rate limit, requests)",
                           "Rate limits at the end:"}) {
    EXPECT_THAT(text, HasSubstr(line));
  }
}

TEST(Report, ThresholdsPassAndFail) {
  Scenario s = gaja();
  s.thresholds = {
      Threshold{.metric = "success_rate", .op = ">=", .value = 0.99, .text = "success_rate >= 0.99"},
      Threshold{.metric = "success_rate", .op = ">=", .value = 0.99, .phase = "100 users",
                .text = "success_rate >= 0.99"},
      Threshold{.metric = "latency_s.p95", .op = "<=", .value = 1000, .text = "latency_s.p95 <= 1000"},
  };
  const Report report = run(s);
  ASSERT_EQ(report.thresholds.size(), 3u);
  EXPECT_FALSE(report.thresholds[0].passed);  // the total includes the rate-limited tests
  EXPECT_TRUE(report.thresholds[1].passed);
  EXPECT_EQ(report.thresholds[1].text, "100 users: success_rate >= 0.99");
  EXPECT_TRUE(report.thresholds[2].passed);
  EXPECT_FALSE(report.is_passing());
  EXPECT_THAT(to_text(report), HasSubstr("FAIL success_rate >= 0.99"));
}

TEST(Report, MetricValueKnowsEveryThresholdMetric) {
  const PhaseReport p = run(gaja()).phases[2];
  EXPECT_EQ(metric_value(p, "requests"), 1000.0);
  EXPECT_EQ(metric_value(p, "latency_s.p95"), p.latency_s.p95);
  EXPECT_EQ(metric_value(p, "queue_s.avg"), p.queue_s.avg);
  EXPECT_EQ(metric_value(p, "errors.rate_limit_requests"),
            static_cast<double>(p.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)]));
  EXPECT_EQ(metric_value(p, "latency_s.p42"), std::nullopt);
  EXPECT_EQ(metric_value(p, "bogus"), std::nullopt);
}

}  // namespace
}  // namespace llmsim
