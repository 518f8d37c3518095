// Tests for reading the workload phases and the thresholds (scenario_workload.cpp): every rule,
// one table row each with the exact error line, a full workload read back, the metric names.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers
using ::testing::ElementsAre;

const BadRow kWorkloadRows[] = {
    // the workload is required
    {"/workload", nullptr, "/workload: required, got nothing"},
    // phases are required
    {"/workload/phases", nullptr, "/workload/phases: required, got nothing"},
    // phases are a non-empty list
    {"/workload/phases", "[]",
     "/workload/phases: must be a non-empty array of phase objects, got []"},
    // a phase is an object
    {"/workload/phases/0", "5", "/workload/phases/0: must be an object, got 5"},
    // users are required
    {"/workload/phases/0/users", nullptr, "/workload/phases/0/users: required, got nothing"},
    // at least one user
    {"/workload/phases/0/users", "0", "/workload/phases/0/users: must be an integer >= 1, got 0"},
    // whole users
    {"/workload/phases/0/users", "2.5",
     "/workload/phases/0/users: must be an integer >= 1, got 2.5"},
    // phase names are non-empty
    {"/workload/phases/0/name", R"("")",
     R"(/workload/phases/0/name: must be a non-empty string, got "")"},
    // the start mode is a known one
    {"/workload/phases/0/start", R"("rampup")",
     R"(/workload/phases/0/start: must be one of all_at_once, ramp, poisson, constant_rate, got "rampup")"},
    // a ramp needs ramp_s
    {"/workload/phases/0/start", R"("ramp")",
     R"(/workload/phases/0/ramp_s: required with "start": "ramp", got nothing)"},
    // ramp_s only with a ramp
    {"/workload/phases/0/ramp_s", "10",
     R"(/workload/phases/0/ramp_s: only allowed with "start": "ramp", got 10)"},
    // ramp_s is >= 0
    {"/workload/phases/0", R"({"users": 1, "requests_per_user": 1, "start": "ramp", "ramp_s": -1})",
     "/workload/phases/0/ramp_s: must be a number >= 0, got -1"},
    // open-loop arrivals need a rate
    {"/workload/phases/0/start", R"("poisson")",
     R"(/workload/phases/0/rate_per_s: required with "start": "poisson" or "constant_rate", got nothing)"},
    // the rate is positive
    {"/workload/phases/0",
     R"({"users": 1, "requests_per_user": 1, "start": "constant_rate", "rate_per_s": 0})",
     "/workload/phases/0/rate_per_s: must be a number > 0, got 0"},
    // rate_per_s only with open-loop arrivals
    {"/workload/phases/0/rate_per_s", "5",
     R"(/workload/phases/0/rate_per_s: only allowed with "start": "poisson" or "constant_rate", got 5)"},
    // a phase ends after some requests or some time
    {"/workload/phases/0/requests_per_user", nullptr,
     R"(/workload/phases/0: needs "requests_per_user" or "duration_s", got neither)"},
    // requests per user are >= 1
    {"/workload/phases/0/requests_per_user", "0",
     "/workload/phases/0/requests_per_user: must be an integer >= 1, got 0"},
    // the duration is positive
    {"/workload/phases/0/duration_s", "0",
     "/workload/phases/0/duration_s: must be a number > 0, got 0"},
    // the gap is >= 0
    {"/workload/phases/0/gap_before_s", "-1",
     "/workload/phases/0/gap_before_s: must be a number >= 0, got -1"},
    // phase names are unique (the default name counts)
    {"/workload/phases",
     R"([{"users": 1, "requests_per_user": 1}, {"name": "phase 1", "users": 1, "duration_s": 1}])",
     R"(/workload/phases/1/name: must be unique (same as /workload/phases/0/name), got "phase 1")"},
    // an unknown phase key
    {"/workload/phases/0/think_time", "1",
     R"(/workload/phases/0/think_time: unknown key (did you mean "think_time_s"?))"},
    // --- thresholds ---
    // thresholds are a list
    {"/thresholds", R"("x")", R"(/thresholds: must be an array of thresholds, got "x")"},
    // a threshold is "METRIC OP VALUE"
    {"/thresholds", R"(["success_rate is high"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "success_rate is high")"},
    // "=" is not an operator
    {"/thresholds", R"(["failed = 0"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "failed = 0")"},
    // the value is a plain number
    {"/thresholds", R"(["latency_s.p95 <= 2s"])",
     R"(/thresholds/0: must be "METRIC OP VALUE" with OP one of <, <=, >, >=, == and VALUE a number, got "latency_s.p95 <= 2s")"},
    // a metric close to a known one gets a suggestion
    {"/thresholds", R"(["latency.p95 <= 2"])",
     R"(/thresholds/0: unknown metric "latency.p95" (did you mean "latency_s.p95"?), got "latency.p95 <= 2")"},
    // a metric far from every known one
    {"/thresholds", R"(["banana > 1"])",
     R"(/thresholds/0: unknown metric "banana" (see data/README.md), got "banana > 1")"},
    // a threshold is a string or an object
    {"/thresholds", "[5]",
     R"(/thresholds/0: must be a string "METRIC OP VALUE" or an object with "check", got 5)"},
    // an object threshold needs its check
    {"/thresholds", R"([{"phase": "phase 1"}])", "/thresholds/0/check: required, got nothing"},
    // the check is a string
    {"/thresholds", R"([{"check": 1}])",
     R"(/thresholds/0/check: must be a string "METRIC OP VALUE", got 1)"},
    // the phase names a phase
    {"/thresholds", R"([{"phase": "x", "check": "failed == 0"}])",
     R"(/thresholds/0/phase: must be one of the phase names (phase 1), got "x")"},
    // an unknown threshold key
    {"/thresholds", R"([{"phse": "x", "check": "failed == 0"}])",
     R"(/thresholds/0/phse: unknown key (did you mean "phase"?))"},
};

TEST(ScenarioRules, EachBadWorkloadOrThresholdGivesItsOneProblem) {
  expect_one_problem_each(kWorkloadRows);
}

TEST(ScenarioRoundTrip, WorkloadAndThresholds) {
  const Scenario s = parse(kFull);
  const auto& phases = s.workload.phases;
  ASSERT_EQ(phases.size(), 5U);
  EXPECT_EQ(phases[0].name, "100 users");
  EXPECT_EQ(phases[1].start, StartMode::ramp);
  EXPECT_EQ(phases[1].ramp_s, 10.0);
  EXPECT_EQ(phases[1].requests_per_user, std::nullopt);
  EXPECT_EQ(phases[1].duration_s, 60.0);
  const auto& empirical = family_of<Distribution::Empirical>(phases[1].think_time_s);
  EXPECT_FALSE(empirical.discrete);
  EXPECT_THAT(empirical.points,
              ElementsAre(std::pair{0.0, 1.0}, std::pair{0.5, 2.0}, std::pair{1.0, 5.0}));
  EXPECT_EQ(phases[2].gap_before_s, 30.0);
  EXPECT_EQ(phases[3].name, "phase 4");
  EXPECT_EQ(phases[3].start, StartMode::poisson);
  EXPECT_EQ(phases[3].rate_per_s, 2.5);
  EXPECT_EQ(phases[3].requests_per_user, 3);
  EXPECT_TRUE(family_of<Distribution::Empirical>(phases[3].think_time_s).discrete);
  EXPECT_EQ(phases[4].start, StartMode::constant_rate);
  EXPECT_EQ(family_of<Distribution::Normal>(phases[4].think_time_s).stddev, 0.2);
  ASSERT_EQ(s.thresholds.size(), 2U);
  EXPECT_EQ(s.thresholds[0].metric, "success_rate");
  EXPECT_EQ(s.thresholds[0].op, ">=");
  EXPECT_EQ(s.thresholds[0].value, 0.99);
  EXPECT_EQ(s.thresholds[0].phase, std::nullopt);
  EXPECT_EQ(s.thresholds[0].text, "success_rate >= 0.99");
  EXPECT_EQ(s.thresholds[1].metric, "latency_s.p95");
  EXPECT_EQ(s.thresholds[1].op, "<=");
  EXPECT_EQ(s.thresholds[1].value, 2.0);
  EXPECT_EQ(s.thresholds[1].phase, "1000 users");
  EXPECT_EQ(s.thresholds[1].text, "latency_s.p95<=2");
}

TEST(ScenarioMetrics, ListsEveryThresholdMetric) {
  const auto& metrics = threshold_metrics();
  EXPECT_EQ(metrics.size(), 42U);
  EXPECT_NE(std::find(metrics.begin(), metrics.end(), "success_body_bytes"), metrics.end());
  EXPECT_EQ(metrics.front(), "success_rate");
  EXPECT_EQ(metrics.back(), "errors.queue_deadline");
}

}  // namespace
}  // namespace llmsim
