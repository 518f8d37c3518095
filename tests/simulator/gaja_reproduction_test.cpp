// Regression: the GAJA scenario reproduces the load-test report within the bounds.
//
// The bounds come from data/reference/gaja-load-test-2025-06-10.json ("targets"): success rate
// within 2 percentage points, 429 counts within 5%, average latency within 25% for every test,
// throughput within 25% for the 1,000- and 10,000-user tests, data transfer (the bytes of the
// successful bodies) within 10% for every test.
#include "simulator/des_driver.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/scenario.hpp"
#include "simulator/report.hpp"

namespace llmsim {
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class GajaReproduction : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Scenario scenario =
        load_scenario(LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json");
    const SimulationResult result = simulate(scenario);
    report_ = new Report(build_report(scenario, result.phases, result.limiter_levels, "simulated"));
    reference_ = new nlohmann::json(read_json(LLMSIM_SOURCE_DIR "/data/reference/gaja-load-test-2025-06-10.json"));
  }
  static void TearDownTestSuite() {
    delete report_;
    delete reference_;
  }
  static Report* report_;
  static nlohmann::json* reference_;
};

Report* GajaReproduction::report_ = nullptr;
nlohmann::json* GajaReproduction::reference_ = nullptr;

TEST_F(GajaReproduction, HasTheFourTests) {
  ASSERT_EQ(report_->phases.size(), (*reference_)["tests"].size());
  for (std::size_t i = 0; i < report_->phases.size(); ++i) {
    EXPECT_EQ(report_->phases[i].users, (*reference_)["tests"][i]["users"].get<int>());
    EXPECT_EQ(report_->phases[i].requests, (*reference_)["tests"][i]["requests"].get<std::uint64_t>());
  }
}

TEST_F(GajaReproduction, SuccessRateWithinTwoPoints) {
  const double bound_pp = (*reference_)["targets"]["success_rate_abs_pp"];
  for (std::size_t i = 0; i < report_->phases.size(); ++i) {
    const double expected = (*reference_)["tests"][i]["success_rate"];
    EXPECT_NEAR(100.0 * report_->phases[i].success_rate, 100.0 * expected, bound_pp)
        << report_->phases[i].name;
  }
}

TEST_F(GajaReproduction, RateLimitErrorsWithinFivePercent) {
  const double bound = (*reference_)["targets"]["rate_limit_errors_rel"];
  for (std::size_t i = 0; i < report_->phases.size(); ++i) {
    const auto& errors = (*reference_)["tests"][i]["errors"];
    if (!errors.contains("rate_limit")) continue;
    const double expected = errors["rate_limit"];
    const auto actual = static_cast<double>(
        report_->phases[i].errors[static_cast<std::size_t>(ErrorCategory::rate_limit_requests)]);
    EXPECT_LE(std::abs(actual / expected - 1.0), bound) << report_->phases[i].name << ": " << actual;
  }
}

TEST_F(GajaReproduction, AverageLatencyWithinAQuarter) {
  const double bound = (*reference_)["targets"]["latency_avg_rel"];
  for (std::size_t i = 0; i < report_->phases.size(); ++i) {
    const double expected = (*reference_)["tests"][i]["latency_s"]["avg"];
    const double actual = report_->phases[i].latency_s.avg;
    EXPECT_LE(std::abs(actual / expected - 1.0), bound) << report_->phases[i].name << ": " << actual;
  }
}

TEST_F(GajaReproduction, ThroughputWithinAQuarterWhereRateLimited) {
  const double bound = (*reference_)["targets"]["throughput_rel"];
  int checked = 0;
  for (const auto& name : (*reference_)["targets"]["throughput_rel_for"]) {
    for (std::size_t i = 0; i < report_->phases.size(); ++i) {
      if (report_->phases[i].name != name.get<std::string>()) continue;
      const double expected = (*reference_)["tests"][i]["throughput_rps"];
      const double actual = report_->phases[i].throughput_rps;
      EXPECT_LE(std::abs(actual / expected - 1.0), bound) << report_->phases[i].name << ": " << actual;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
}

// The report's Data Transfer (0.07 to 0.40 MB) scales with the successes, about 660 bytes each: the
// bodies of the answers, which success_body_bytes estimates from the mock's own chat completion.
TEST_F(GajaReproduction, DataTransferOfSuccessfulBodiesWithinATenth) {
  const double bound = (*reference_)["targets"]["data_transfer_rel"];
  for (std::size_t i = 0; i < report_->phases.size(); ++i) {
    const double expected_mb = (*reference_)["tests"][i]["data_transfer_mb"];
    const double actual_mb = static_cast<double>(report_->phases[i].success_body_bytes) / 1e6;
    EXPECT_LE(std::abs(actual_mb / expected_mb - 1.0), bound) << report_->phases[i].name << ": " << actual_mb;
  }
}

}  // namespace
}  // namespace llmsim
