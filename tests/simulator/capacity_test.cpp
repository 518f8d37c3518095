#include "simulator/capacity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "models/queueing.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kGaja = LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json";

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

Scenario scenario_of(const nlohmann::json& document) { return parse_scenario(document.dump(), "test.json"); }

TEST(ParseCriteria, ReadsCommaSeparatedChecks) {
  const std::vector<Threshold> criteria = parse_criteria("success_rate>=0.99, latency_s.p95 <= 3");
  ASSERT_EQ(criteria.size(), 2U);
  EXPECT_EQ(criteria[0].metric, "success_rate");
  EXPECT_EQ(criteria[0].op, ">=");
  EXPECT_EQ(criteria[0].value, 0.99);
  EXPECT_EQ(criteria[1].metric, "latency_s.p95");
  EXPECT_EQ(criteria[1].text, "latency_s.p95 <= 3");
}

TEST(ParseCriteria, SaysWhichCheckIsWrongAndSuggestsAMetric) {
  // An unknown metric: the threshold parser's "did you mean".
  EXPECT_THAT([] { parse_criteria("success_rate>=0.99,latency.p95<=3"); },
              ThrowsMessage<std::invalid_argument>(
                  "--criteria: \"latency.p95<=3\": unknown metric \"latency.p95\" (did you mean \"latency_s.p95\"?)"));
  // A malformed operator.
  EXPECT_THAT([] { parse_criteria("success_rate=>0.99"); },
              ThrowsMessage<std::invalid_argument>(HasSubstr(
                  "--criteria: \"success_rate=>0.99\": must be \"METRIC OP VALUE\" with OP one of <, <=, >, >=, ==")));
  // An empty check (a trailing comma).
  EXPECT_THAT([] { parse_criteria("success_rate>=0.99,"); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("--criteria: \"\": must be")));
}

TEST(CapacityPhase, NeedsANameWithSeveralPhasesAndAKnownOne) {
  const Scenario gaja = load_scenario(kGaja);
  EXPECT_EQ(capacity_phase(gaja, "1000 users"), 2U);
  EXPECT_THAT([&] { capacity_phase(gaja, std::nullopt); },
              ThrowsMessage<std::invalid_argument>(
                  "--phase: the scenario has 4 phases, name the one to load: \"100 users\", \"200 users\", "
                  "\"1000 users\", \"10000 users\""));
  EXPECT_THAT([&] { capacity_phase(gaja, "100"); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("--phase: must be one of the phase names (")));
}

// The GAJA scenario's first phase (100 users at once, one request each) with one or two keys, no
// pool limit and no client CPU: every request reaches the 500 RPM bucket at once, so 500 per key
// succeed and the rest are refused; at 99% success the answer is floor(keys x 500 / 0.99).
Scenario gaja_burst(int keys) {
  nlohmann::json document = read_json(kGaja);
  document["client"]["connections"] = 20000;
  document["client"].erase("cpu");
  if (keys == 2) {
    document["provider"]["api_keys"] = {"sk-a", "sk-b"};
    document["client"]["routing"] = {{"key_choice", "round_robin"}};
  }
  return scenario_of(document);
}

TEST(FindCapacity, BurstAnswerIsTheBucketOverTheSuccessRate) {
  for (const int keys : {1, 2}) {
    const CapacityResult r =
        find_capacity(gaja_burst(keys), {.criteria = parse_criteria("success_rate>=0.99"), .phase = "100 users"});
    ASSERT_TRUE(r.answer) << keys;
    // floor(keys x 500 / 0.99); the refill during the 40 ms round trip adds under one request.
    const double expected = std::floor(keys * 500 / 0.99);
    EXPECT_EQ(*r.answer, expected) << keys;
    ASSERT_TRUE(r.above);
    EXPECT_EQ(*r.above, expected + 1);
    EXPECT_EQ(r.failing, std::vector<std::string>{"success_rate>=0.99"});
    EXPECT_EQ(r.bound.kind, "burst");
    // The bound adds the refill over one service time (about 0.9 s), which a burst that arrives at
    // one instant does not get: a little above the answer.
    EXPECT_GE(r.bound.load, expected) << r.bound.formula;
    EXPECT_LE(r.bound.load, 1.05 * expected) << r.bound.formula;
    EXPECT_FALSE(r.is_rate);
  }
}

// An M/M/c queue (c = 4 connections, exponential service of mean 1 s, Poisson arrivals): Erlang C
// gives the mean wait Wq(lambda); the criterion "queue_s.avg <= Wq(2.8)" has capacity 2.8/s.
TEST(FindCapacity, OpenArrivalsFindTheErlangCRate) {
  nlohmann::json document = read_json(LLMSIM_SOURCE_DIR "/data/scenarios/erlang-c.json");
  constexpr int kRequests = 400'000;
  document["client"]["connections"] = 4;
  document["workload"]["phases"][0]["users"] = kRequests;
  document["workload"]["phases"][0]["rate_per_s"] = 2.0;
  const double target_rate = 2.8;
  const double wq = erlang_c(target_rate, 1.0, 4).mean_wait_s;
  const CapacityResult r = find_capacity(
      scenario_of(document), {.criteria = parse_criteria("queue_s.avg<=" + std::to_string(wq))});
  ASSERT_TRUE(r.answer);
  ASSERT_TRUE(r.above);
  EXPECT_TRUE(r.is_rate);
  EXPECT_EQ(r.bound.kind, "open");
  // Tolerance: the bisection's 0.5% plus three standard errors of the rate. One run's mean wait
  // at rho 0.7 and 400,000 requests varies by about 2% (README, "Queueing theory": 3.1% at 100,000
  // requests and rho 0.5); near rho 0.7, d ln Wq / d ln lambda = 4.1 (Erlang C at 2.8 and 2.828),
  // so the rate's error is about 0.5%: 0.5% + 3 x 0.5% = 2%.
  EXPECT_NEAR(*r.answer, target_rate, 0.02 * target_rate);
  EXPECT_LE(*r.above - *r.answer, 0.005 * *r.answer + 1e-12);
  EXPECT_GT(r.points.size(), 3U);
}

TEST(FindCapacity, IsTheSameWhateverTheJobs) {
  const Scenario scenario = load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/capacity-500rpm.json");
  CapacityOptions options{.criteria = parse_criteria("success_rate>=0.99,latency_s.p95<2"), .seeds = 3};
  const std::string one = to_json({find_capacity(scenario, options)});
  options.jobs = 3;
  EXPECT_EQ(to_json({find_capacity(scenario, options)}), one);
}

TEST(FindCapacity, ReportsNoAnswerWhenTheSmallestLoadFails) {
  const CapacityResult r = find_capacity(
      gaja_burst(1), {.criteria = parse_criteria("latency_s.p95<0.001"), .phase = "100 users", .min = 1, .max = 50});
  EXPECT_FALSE(r.answer);
  ASSERT_TRUE(r.above);
  EXPECT_EQ(*r.above, 1);
  EXPECT_THAT(to_text(r), HasSubstr("answer: none"));
}

TEST(FindCapacity, StopsAtTheMaxWhenItPasses) {
  const CapacityResult r = find_capacity(
      gaja_burst(1), {.criteria = parse_criteria("success_rate>=0.5"), .phase = "100 users", .max = 300});
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(*r.answer, 300);
  EXPECT_FALSE(r.above);
  // Tried: 100 (the phase's own), 200, 300 (the max).
  ASSERT_EQ(r.points.size(), 3U);
  EXPECT_EQ(r.points[2].load, 300);
}

TEST(CapacityBound, SteadyUsersAreTheRateTimesTheirCycle) {
  nlohmann::json document = read_json(LLMSIM_SOURCE_DIR "/data/scenarios/capacity-500rpm.json");
  document["workload"]["phases"][0]["requests_per_user"] = 20;
  document["workload"]["phases"][0]["think_time_s"] = 11;
  const Scenario scenario = scenario_of(document);
  const CapacityBound bound = capacity_bound(scenario, 0, 0.99);
  EXPECT_EQ(bound.kind, "steady");
  // 500 RPM x (11 s + service) / 60, service about 0.83 s (round trip, first token, 30 tokens).
  EXPECT_NEAR(bound.load, 500 * (11 + 0.83) / 60, 2.0) << bound.formula;
  EXPECT_THAT(bound.formula, HasSubstr("500 RPM x (think 11 s + service"));
}

TEST(CapacityJson, HoldsEveryEvaluatedPoint) {
  const CapacityResult r = find_capacity(
      gaja_burst(1), {.criteria = parse_criteria("success_rate>=0.99"), .phase = "100 users"});
  const auto json = nlohmann::json::parse(to_json({r}));
  EXPECT_EQ(json["schema_version"], 1);
  const auto& result = json["results"][0];
  EXPECT_EQ(result["answer"], 505);
  EXPECT_EQ(result["load"], "users");
  EXPECT_EQ(result["points"].size(), r.points.size());
  EXPECT_EQ(result["points"][0]["load"], 100);
  EXPECT_EQ(result["points"][0]["criteria"][0]["criterion"], "success_rate>=0.99");
  EXPECT_EQ(result["points"][0]["criteria"][0]["passed"], true);
}

}  // namespace
}  // namespace llmsim
