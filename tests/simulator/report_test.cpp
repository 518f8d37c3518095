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
                            "bytes_received", "success_body_bytes", "client_cpu_utilisation"}) {
      EXPECT_TRUE(phase.contains(key)) << key;
    }
    for (const char* key : {"avg", "min", "max", "p50", "p90", "p95", "p99"}) {
      EXPECT_TRUE(phase["latency_s"].contains(key)) << key;
      EXPECT_TRUE(phase["ttft_s"].contains(key)) << key;
    }
    for (const char* key : {"rate_limit_requests", "rate_limit_tokens", "daily_limit", "quota",
                            "server_5xx", "timeout", "connection", "other"}) {
      EXPECT_TRUE(phase["errors"].contains(key)) << key;
    }
  }
  EXPECT_EQ(j["total"]["requests"], 100 + 200 + 1000 + 10000);
}

// GAJA's Data Transfer scales with successes: the bodies of succeeded requests, far below all
// bytes received once 429s dominate, and a threshold metric of its own.
TEST(Report, SuccessBodyBytesAreAFigureOfTheirOwn) {
  const Report report = run(gaja());
  for (const PhaseReport& p : report.phases) {
    EXPECT_GT(p.success_body_bytes, 0) << p.name;
    EXPECT_LT(p.success_body_bytes, p.bytes_received) << p.name;
    EXPECT_EQ(metric_value(p, "success_body_bytes"), static_cast<double>(p.success_body_bytes));
  }
  const PhaseReport& last = report.phases.back();  // 10,000 users, mostly refused
  EXPECT_LT(10 * last.success_body_bytes, last.bytes_received);
  EXPECT_THAT(to_text(report), HasSubstr(" MB in successful bodies\n"));
  EXPECT_THAT(to_csv(report), HasSubstr(",bytes_received,success_body_bytes,"));
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
  for (const char* line : {"Success Rate:", "Response Time:", "First Token:", "Throughput:", "Client CPU:",
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
  EXPECT_EQ(metric_value(p, "ttft_s.p99"), p.ttft_s.p99);
  EXPECT_EQ(metric_value(p, "latency_s.p42"), std::nullopt);
  EXPECT_EQ(metric_value(p, "bogus"), std::nullopt);
}

// Time to first token: only succeeded requests, from the intended send, so never after the
// request's response and never more of them than succeeded.
TEST(Report, TimeToFirstTokenComesBeforeTheWholeResponse) {
  const Scenario s = gaja();
  const SimulationResult r = simulate(s);
  const Report report = build_report(s, r.phases, r.limiter_levels, "simulated");
  for (std::size_t i = 0; i < report.phases.size(); ++i) {
    const PhaseReport& p = report.phases[i];
    EXPECT_EQ(r.phases[i].metrics.ttft.count(), p.succeeded) << p.name;
    EXPECT_GT(p.ttft_s.avg, 0.0) << p.name;
    EXPECT_LE(p.ttft_s.min, p.ttft_s.p50);
    EXPECT_LE(p.ttft_s.p50, p.ttft_s.p90);
    EXPECT_LE(p.ttft_s.p95, p.ttft_s.p99);
    EXPECT_LE(p.ttft_s.p99, p.ttft_s.max);
    EXPECT_LE(p.ttft_s.max, p.latency_s.max);
    EXPECT_LE(p.ttft_s.p50, p.latency_s.p50 * 1.01) << p.name;  // histogram resolution
  }
}

// The timeline's counts add up to the phase's figures, second by second, and it is as long as
// the phase (one bucket per started second).
TEST(Report, TimelineAddsUpToThePhase) {
  const Report report = run(gaja());
  ASSERT_EQ(report.timelines.size(), report.phases.size());
  for (std::size_t i = 0; i < report.phases.size(); ++i) {
    const PhaseReport& p = report.phases[i];
    const Timeline& t = report.timelines[i].timeline;
    EXPECT_EQ(report.timelines[i].phase, p.name);
    EXPECT_EQ(t.seconds().size(), static_cast<std::size_t>(p.duration_s) + 1) << p.name;
    std::uint64_t sent = 0, succeeded = 0, refused = 0;
    std::int64_t most_in_flight = 0;
    for (const TimelineSecond& second : t.seconds()) {
      sent += second.sent;
      succeeded += second.succeeded;
      refused += second.rate_limited;
      most_in_flight = std::max(most_in_flight, second.in_flight);
    }
    EXPECT_EQ(sent, p.provider_calls) << p.name;
    EXPECT_EQ(succeeded, p.succeeded) << p.name;
    EXPECT_GE(refused, p.errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)]) << p.name;
    EXPECT_LE(most_in_flight, p.users) << p.name;
    EXPECT_GT(most_in_flight, 0) << p.name;
    ASSERT_EQ(t.keys().size(), 1u);
    bool has_level = false;  // some second saw a response's x-ratelimit-remaining-requests
    for (std::size_t k = 0; k < t.seconds().size(); ++k) has_level |= t.limiter(k, 0).remaining_requests >= 0;
    EXPECT_TRUE(has_level) << p.name;
  }
}

TEST(Report, TimelineIsInTheJsonAndItsCsv) {
  const Report report = run(gaja());
  const auto j = nlohmann::json::parse(to_json(report));
  ASSERT_TRUE(j.contains("timeline"));
  std::size_t rows = 0;
  for (const TimelineReport& t : report.timelines) rows += t.timeline.seconds().size();
  ASSERT_EQ(j["timeline"].size(), rows);
  const auto& first = j["timeline"][0];
  EXPECT_EQ(first["phase"], "100 users");
  EXPECT_EQ(first["t_s"], 0);
  for (const char* key : {"sent", "succeeded", "rate_limited", "errors", "in_flight_max", "queue_length_max"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_TRUE(first["limiters"].begin()->contains("remaining_requests"));
  const std::string csv = timeline_csv(report);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), 1 + rows);
  EXPECT_THAT(csv, HasSubstr("phase,t_s,width_s,sent,succeeded,rate_limited,errors,in_flight_max,queue_length_max,"
                             "\"remaining_requests "));
  EXPECT_THAT(csv, HasSubstr("\n\"100 users\",0,"));
  EXPECT_EQ(csv, timeline_csv(run(gaja())));
}

}  // namespace
}  // namespace llmsim
