// Running sweep points: the same reports whatever the number of threads, the report of
// `llmsim run`, common random numbers across strategies, and the ranks' shares.
#include "simulator/sweep.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "../support/test_dir.hpp"

#include "simulator/des_driver.hpp"
#include "simulator/report.hpp"

namespace llmsim {
namespace {

// Open-loop Poisson arrivals for 30 s (so the number of requests is the number of arrivals) and
// closed-loop users with random think times: every random stream a sweep may share.
const std::string kBase = R"({
  "name": "crn", "seed": 11,
  "provider": {"limits": {"rpm": 120},
               "latency": {"time_to_first_token_s": {"dist": "exponential", "mean": 0.5}, "refused_s": 0.05}},
  "client": {"connections": 50},
  "workload": {"phases": [
    {"name": "open", "users": 100000, "start": "poisson", "rate_per_s": 5, "duration_s": 30, "requests_per_user": 1},
    {"name": "closed", "users": 20, "duration_s": 30, "think_time_s": {"dist": "exponential", "mean": 2}}]}
})";

// A folder of the running test's own (tests/support/test_dir.hpp).
std::string test_dir() { return llmsim::test_dir("sweep"); }

SweepGrid load_grid(const std::string& name, const std::string& body) {
  const std::string dir = test_dir();
  std::ofstream(dir + "sweep_crn_base.json", std::ios::binary) << kBase;
  std::ofstream(dir + name, std::ios::binary) << R"({"base": "sweep_crn_base.json", )" + body + "}";
  return load_sweep_grid(dir + name);
}

std::vector<std::size_t> all_points(const SweepGrid& grid) {
  std::vector<std::size_t> indices(grid.points.size());
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

nlohmann::json phase(const std::string& report, int index) {
  return nlohmann::json::parse(report)["phases"][index];
}

const char* kRpmGrid = R"("parameters": {"rpm": {"/provider/limits/rpm": [60, 10000, 20000]}}, "seeds": [1, 2])";

TEST(Sweep, ReportsDoNotDependOnTheNumberOfThreads) {
  const SweepGrid grid = load_grid("sweep_threads.json", kRpmGrid);
  const auto one = run_sweep_points(grid, all_points(grid), {.jobs = 1});
  const auto three = run_sweep_points(grid, all_points(grid), {.jobs = 3});
  ASSERT_EQ(one.size(), 6U);
  EXPECT_EQ(one, three);
  // Asked in another order, the same reports come back in that order.
  const auto reversed = run_sweep_points(grid, {5, 4, 3, 2, 1, 0}, {.jobs = 2});
  EXPECT_EQ(reversed[0], one[5]);
  EXPECT_EQ(reversed[5], one[0]);
}

TEST(Sweep, APointsReportIsTheReportOfLlmsimRunOfThePatchedScenario) {
  const SweepGrid grid = load_grid("sweep_same.json", kRpmGrid);
  const SweepPoint& point = grid.points[3];  // rpm 10000, seed 2
  Scenario scenario = load_scenario(test_dir() + "sweep_crn_base.json");
  scenario.providers[0].limits.rpm = 10000;
  scenario.seed = sweep_point_seed(11, 2);
  const SimulationResult result = simulate(scenario);
  Report report = build_report(scenario, result.phases, result.limiter_levels, "simulated");
  ASSERT_FALSE(report.timelines.empty());
  report.timelines.clear();  // a point's report has no timeline (it would be thousands of columns)
  EXPECT_EQ(run_sweep_point(point), to_json(report));
  EXPECT_EQ(nlohmann::json::parse(run_sweep_point(point)).count("timeline"), 0U);
}

TEST(Sweep, PointsThatDifferOnlyInStrategyDrawTheSameRandomNumbers) {
  const SweepGrid grid = load_grid("sweep_crn.json", kRpmGrid);
  const auto reports = run_sweep_points(grid, all_points(grid), {.jobs = 2});
  // Points: (60, s1) (60, s2) (10000, s1) (10000, s2) (20000, s1) (20000, s2).
  for (int seed = 0; seed < 2; ++seed) {
    const auto tight = phase(reports[seed], 0);
    const auto loose = phase(reports[2 + seed], 0);
    const auto looser = phase(reports[4 + seed], 0);
    // The same Poisson arrivals: as many requests in the 30 s, whatever the limit ...
    EXPECT_EQ(tight["requests"], loose["requests"]) << seed;
    // ... while the limit changes what happens to them (60 RPM refuses most of 150 arrivals).
    EXPECT_LT(tight["success_rate"].get<double>(), 0.7) << seed;
    EXPECT_EQ(loose["success_rate"].get<double>(), 1.0) << seed;
    // Two limits that never bind: every figure equal, arrivals, latencies and think times alike.
    EXPECT_EQ(loose, looser) << seed;
    EXPECT_EQ(phase(reports[2 + seed], 1), phase(reports[4 + seed], 1)) << seed;
  }
  // Another seed draws other arrivals.
  EXPECT_NE(phase(reports[2], 0)["requests"], phase(reports[3], 0)["requests"]);
  EXPECT_NE(phase(reports[2], 1)["latency_s"], phase(reports[3], 1)["latency_s"]);
}

TEST(Sweep, RanksShareThePointsRoundRobin) {
  EXPECT_EQ(sweep_share(7, 0, 3), (std::vector<std::size_t>{0, 3, 6}));
  EXPECT_EQ(sweep_share(7, 1, 3), (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(sweep_share(7, 2, 3), (std::vector<std::size_t>{2, 5}));
  EXPECT_TRUE(sweep_share(1, 1, 2).empty());
  EXPECT_EQ(sweep_share(3, 0, 1), (std::vector<std::size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace llmsim
