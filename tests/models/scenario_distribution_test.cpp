// Tests for reading DIST values (scenario_distribution.cpp): every rule of every family, one table
// row each with the exact error line.
// Part of the scenario_test program (models/scenario.hpp); shared helpers in
// scenario_test_support.hpp.
#include "models/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scenario_test_support.hpp"

namespace llmsim {
namespace {

using namespace scenario_testing;  // NOLINT(google-build-using-namespace): the shared helpers

const BadRow kDistRows[] = {
    // a DIST is a number or an object
    {"/think", R"("fast")", R"(/think: must be a number or an object with "dist", got "fast")"},
    // an object needs "dist"
    {"/think", R"({"mean": 1})", "/think/dist: required, got nothing"},
    // an unknown family lists the known ones
    {"/think", R"({"dist": "lognorm"})",
     R"(/think/dist: must be one of constant, uniform, exponential, normal, lognormal, gamma, empirical, got "lognorm")"},
    // parameters are required
    {"/think", R"({"dist": "constant"})", "/think/value: required, got nothing"},
    // times are >= 0 (constant)
    {"/think", R"({"dist": "constant", "value": -1})",
     "/think/value: must be a number >= 0, got -1"},
    // uniform max >= min
    {"/think", R"({"dist": "uniform", "min": 2, "max": 1})",
     "/think/max: must be >= min (2), got 1"},
    // times are >= 0 (uniform)
    {"/think", R"({"dist": "uniform", "min": -1, "max": 1})",
     "/think/min: must be a number >= 0, got -1"},
    // exponential mean > 0
    {"/think", R"({"dist": "exponential", "mean": 0})", "/think/mean: must be a number > 0, got 0"},
    // a family's keys get suggestions
    {"/think", R"({"dist": "exponential", "mean": 1, "meen": 2})",
     R"(/think/meen: unknown key (did you mean "mean"?))"},
    // normal stddev >= 0
    {"/think", R"({"dist": "normal", "mean": 1, "stddev": -1})",
     "/think/stddev: must be a number >= 0, got -1"},
    // times are >= 0 (normal mean)
    {"/think", R"({"dist": "normal", "mean": -1, "stddev": 1})",
     "/think/mean: must be a number >= 0, got -1"},
    // lognormal median > 0
    {"/think", R"({"dist": "lognormal", "median": 0, "sigma": 1})",
     "/think/median: must be a number > 0, got 0"},
    // lognormal sigma >= 0
    {"/think", R"({"dist": "lognormal", "median": 1, "sigma": -0.5})",
     "/think/sigma: must be a number >= 0, got -0.5"},
    // gamma shape > 0
    {"/think", R"({"dist": "gamma", "shape": 0, "scale": 1})",
     "/think/shape: must be a number > 0, got 0"},
    // gamma scale > 0
    {"/think", R"({"dist": "gamma", "shape": 1, "scale": -1})",
     "/think/scale: must be a number > 0, got -1"},
    // empirical points are an array
    {"/think", R"({"dist": "empirical", "points": 5})",
     "/think/points: must be an array of [p, value] pairs, got 5"},
    // empirical points are pairs
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [1]]})",
     "/think/points/1: must be a pair [p, value] of numbers, got [1]"},
    // continuous: at least 2 points
    {"/think", R"({"dist": "empirical", "points": [[0, 1]]})",
     "/think/points: needs at least 2 points, got [[0,1]]"},
    // continuous: first p is 0
    {"/think", R"({"dist": "empirical", "points": [[0.1, 1], [1, 2]]})",
     "/think/points/0/0: must be 0 (the first cumulative probability), got 0.1"},
    // continuous: last p is 1
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [0.9, 2]]})",
     "/think/points/1/0: must be 1 (the last cumulative probability), got 0.9"},
    // continuous: p strictly increasing
    {"/think", R"({"dist": "empirical", "points": [[0, 1], [0, 1.5], [1, 2]]})",
     "/think/points/1/0: must be > the previous probability (0), got 0"},
    // continuous: values non-decreasing
    {"/think", R"({"dist": "empirical", "points": [[0, 2], [1, 1]]})",
     "/think/points/1/1: must be >= the previous value (2), got 1"},
    // times are >= 0 (empirical values)
    {"/think", R"({"dist": "empirical", "points": [[0, 0], [1, -1]]})",
     "/think/points/1/1: must be a number >= 0, got -1"},
    // discrete: weights > 0
    {"/think", R"({"dist": "empirical", "discrete": true, "points": [[0, 5]]})",
     "/think/points/0/0: must be a weight > 0, got 0"},
    // discrete: at least 1 point
    {"/think", R"({"dist": "empirical", "discrete": true, "points": []})",
     "/think/points: needs at least 1 point, got []"},
    // discrete is a boolean
    {"/think", R"({"dist": "empirical", "discrete": 1, "points": [[0, 1], [1, 2]]})",
     "/think/discrete: must be true or false, got 1"},
};

// DIST rules are checked through a phase's think_time_s (a time: values must be >= 0).
TEST(ScenarioRules, EachBadDistributionGivesItsOneProblem) {
  const std::string prefix = "/workload/phases/0/think_time_s";
  for (const BadRow& row : kDistRows) {
    SCOPED_TRACE(row.value);
    std::string expected = row.expected;
    expected.replace(0, std::string("/think").size(), prefix);
    EXPECT_EQ(error_of(patched(prefix.c_str(), row.value)), "x.json: " + expected);
  }
}

}  // namespace
}  // namespace llmsim
