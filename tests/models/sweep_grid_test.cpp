// Sweep grids: point order, patches, seeds, and every kind of bad grid with its exact message.
#include "models/sweep_grid.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/test_dir.hpp"

namespace llmsim {
namespace {

using ::testing::HasSubstr;

// A small valid base scenario (two phases) written beside the grids.
const std::string kBase = R"({
  "name": "base", "seed": 7,
  "provider": {"limits": {"rpm": 500}},
  "client": {"connections": 10},
  "workload": {"phases": [{"name": "a", "users": 5, "requests_per_user": 1},
                          {"name": "b", "users": 9, "requests_per_user": 1}]}
})";

// A folder of the running test's own (tests/support/test_dir.hpp).
std::string test_dir() { return llmsim::test_dir("sweep"); }

std::string write(const std::string& name, const std::string& text) {
  const std::string path = test_dir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Writes the base and a grid that refers to it; returns the grid's path.
std::string grid_file(const std::string& name, const std::string& body) {
  write("sweep_base.json", kBase);
  return write(name, R"({"base": "sweep_base.json", )" + body + "}");
}

// Returns the text of the ScenarioError that loading `body` throws ("" when it loads).
std::string load_error(const std::string& body) {
  try {
    load_sweep_grid(grid_file("sweep_bad.json", body), {"total_x"});
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

TEST(SweepGrid, PointsAreTheProductInGridOrderWithSeedsFastest) {
  const SweepGrid grid = load_sweep_grid(grid_file("sweep_order.json", R"(
    "parameters": {"users": {"/workload/phases/0/users": [1, 2]},
                   "pool": {"small": {"/client/connections": 1}, "big": {"/client/connections": 50}}},
    "seeds": [3, 4])"));
  ASSERT_EQ(grid.points.size(), 8U);
  ASSERT_EQ(grid.axes.size(), 2U);
  EXPECT_EQ(grid.axes[0].name, "users");
  EXPECT_FALSE(grid.axes[0].is_variants);
  EXPECT_TRUE(grid.axes[1].is_variants);
  // Row 5 = users index 1, pool index 0, seed index 1.
  const SweepPoint& p = grid.points[5];
  EXPECT_EQ(p.index, 5U);
  EXPECT_EQ(p.axis_values, (std::vector<std::string>{"2", "\"small\""}));
  EXPECT_EQ(p.seed, 4U);
  EXPECT_EQ(p.scenario.workload.phases[0].users, 2);
  EXPECT_EQ(p.scenario.client.connections, 1);
  EXPECT_EQ(grid.points[6].scenario.client.connections, 50);
  EXPECT_EQ(grid.points[6].seed, 3U);
  // The base file itself is untouched where no axis patches it.
  EXPECT_EQ(p.scenario.workload.phases[1].users, 9);
}

TEST(SweepGrid, PointsThatDifferOnlyInNonSeedAxesShareTheirSeed) {
  const SweepGrid grid = load_sweep_grid(grid_file("sweep_seeds.json", R"(
    "parameters": {"users": {"/workload/phases/0/users": [1, 2, 3]}}, "seeds": [1, 2])"));
  ASSERT_EQ(grid.points.size(), 6U);
  for (std::size_t i = 0; i < grid.points.size(); ++i) {
    const std::uint64_t seed_value = grid.points[i].seed;
    EXPECT_EQ(grid.points[i].scenario.seed, sweep_point_seed(7, seed_value)) << i;
  }
  EXPECT_EQ(grid.points[0].scenario.seed, grid.points[2].scenario.seed);
  EXPECT_EQ(grid.points[0].scenario.seed, grid.points[4].scenario.seed);
  EXPECT_NE(grid.points[0].scenario.seed, grid.points[1].scenario.seed);
  // The derived seed depends on both the base seed and the seed value.
  EXPECT_NE(sweep_point_seed(7, 1), sweep_point_seed(8, 1));
  EXPECT_NE(sweep_point_seed(7, 1), 1U);
}

TEST(SweepGrid, WithoutSeedsEachPointKeepsTheScenarioSeed) {
  const SweepGrid grid = load_sweep_grid(grid_file("sweep_noseeds.json", R"("parameters": {})"));
  ASSERT_EQ(grid.points.size(), 1U);
  EXPECT_FALSE(grid.has_seeds);
  EXPECT_EQ(grid.points[0].seed, 7U);
  EXPECT_EQ(grid.points[0].scenario.seed, 7U);
  EXPECT_TRUE(grid.points[0].axis_values.empty());
}

TEST(SweepGrid, PatchesCreateObjectsRemoveMembersAndAppend) {
  const SweepGrid grid = load_sweep_grid(grid_file("sweep_patch.json", R"(
    "parameters": {"v": {"more": {"/client/retry/max_retries": 3,
                                  "/client/connections": null,
                                  "/workload/phases/-": {"name": "c", "users": 2, "requests_per_user": 1}}}})"));
  const Scenario& s = grid.points.at(0).scenario;
  EXPECT_EQ(s.client.retry.max_retries, 3);  // "retry" did not exist in the base
  EXPECT_EQ(s.client.connections, 100);      // removed: the default again
  ASSERT_EQ(s.workload.phases.size(), 3U);
  EXPECT_EQ(s.workload.phases[2].name, "c");
  EXPECT_EQ(sweep_value_text(grid.points[0].axis_values[0]), "more");
}

// Each row: a grid body, and a line its error must contain.
struct BadGrid {
  const char* body;
  const char* message;
};

class SweepGridErrors : public ::testing::TestWithParam<BadGrid> {};

TEST_P(SweepGridErrors, NameTheGridThePlaceAndTheValue) {
  const std::string error = load_error(GetParam().body);
  EXPECT_THAT(error, HasSubstr(GetParam().message));
  EXPECT_THAT(error, HasSubstr("sweep_bad.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, SweepGridErrors,
    ::testing::Values(
        // an unknown top-level key, with a suggestion
        BadGrid{R"("seed": [1])", R"(sweep_bad.json: /seed: unknown key (did you mean "seeds"?))"},
        // a value axis without values
        BadGrid{R"("parameters": {"u": {"/workload/phases/0/users": []}})",
                "sweep_bad.json: /parameters/u/~1workload~1phases~10~1users: must be a non-empty array of the "
                "values to take, got []"},
        // an axis name that is not a column name
        BadGrid{R"("parameters": {"two words": {"a": {}}})",
                R"(sweep_bad.json: /parameters/two words: axis name must be letters, digits and _ (not starting with a digit), got "two words")"},
        // an axis name the output uses already: "seed", and a reserved report column
        BadGrid{R"("parameters": {"seed": {"a": {}}})",
                R"(sweep_bad.json: /parameters/seed: axis name "seed" is taken by a column of the sweep's output)"},
        BadGrid{R"("parameters": {"total_x": {"a": {}}})", R"(axis name "total_x" is taken)"},
        // a variant patch whose key is not a JSON pointer
        BadGrid{R"("parameters": {"v": {"a": {"client/connections": 1}}})",
                R"(sweep_bad.json: /parameters/v/a/client~1connections: must be a JSON pointer into the scenario)"},
        // variant names mixed with a pointer
        BadGrid{R"("parameters": {"v": {"a": {}, "/client/connections": [1]}})",
                "sweep_bad.json: /parameters/v/~1client~1connections: mixes a JSON pointer with variant names"},
        // seeds: repeated and negative
        BadGrid{R"("seeds": [1, 1])", "sweep_bad.json: /seeds/1: must be unique, got 1"},
        BadGrid{R"("seeds": [-2])", "sweep_bad.json: /seeds/0: must be an integer >= 0, got -2"},
        BadGrid{R"("seeds": [])", "sweep_bad.json: /seeds: must be a non-empty array of seeds (integers >= 0), got []"},
        // a pointer into an element the base does not have
        BadGrid{R"("parameters": {"u": {"/workload/phases/5/users": [1, 2]}})",
                "sweep_bad.json: /parameters/u/~1workload~1phases~15~1users/0: point 0 (u=1): cannot set "
                "/workload/phases/5/users in "},
        BadGrid{R"("parameters": {"u": {"/workload/phases/5/users": [1, 2]}})", ": /workload/phases has no element 5 (it has 2)"},
        // an index past size_t (2^64) once wrapped around to element 0 and patched phase "a"
        BadGrid{R"("parameters": {"u": {"/workload/phases/18446744073709551616/users": [1]}})",
                ": /workload/phases has no element 18446744073709551616 (it has 2)"},
        // a pointer through a number
        BadGrid{R"("parameters": {"v": {"a": {"/client/connections/x": 1}}})",
                "/client/connections holds 10, not an object or array"},
        // null on an array element
        BadGrid{R"("parameters": {"v": {"a": {"/workload/phases/0": null}}})",
                "null removes object members only, not array elements (/workload/phases)"},
        // a patched scenario the loader refuses: the point, the base file, its pointer and rule
        BadGrid{R"("parameters": {"u": {"/workload/phases/0/users": [1, 0]}}, "seeds": [4, 5])",
                "sweep_bad.json: point 2 (u=0, seed=4): /"},
        BadGrid{R"("parameters": {"u": {"/workload/phases/0/users": [1, 0]}}, "seeds": [4, 5])",
                "/sweep_base.json: /workload/phases/0/users: must be an integer >= 1, got 0 (and 1 more point)"},
        BadGrid{R"("parameters": {"v": {"a": {"/client/conections": 1}}})",
                R"(/client/conections: unknown key (did you mean "connections"?))"},
        // a key written twice
        BadGrid{R"("parameters": {}, "base": "x")", "sweep_bad.json: /base: duplicate key"},
        // a number beyond a double's range (threw out_of_range.406 out of main: exit 134)
        BadGrid{R"("seeds": [1, 1e999])",
                "sweep_bad.json: /seeds/1: number out of range (must fit in a double), got 1e999"}));

TEST(SweepGrid, MissingBaseFileIsNamed) {
  const std::string path = write("sweep_nobase.json", R"({"base": "no-such-base.json"})");
  try {
    load_sweep_grid(path);
    FAIL() << "loaded";
  } catch (const ScenarioError& error) {
    EXPECT_THAT(error.what(), HasSubstr("sweep_nobase.json: /base: cannot read " + test_dir() +
                                        "no-such-base.json: No such file or directory"));
  }
}

TEST(SweepGrid, NumberTooLargeInTheBaseIsNamedWithItsFile) {
  write("sweep_huge_base.json", R"({"name": "huge", "seed": 1e999})");
  const std::string path = write("sweep_huge.json", R"({"base": "sweep_huge_base.json"})");
  try {
    load_sweep_grid(path);
    FAIL() << "loaded";
  } catch (const ScenarioError& error) {
    EXPECT_THAT(error.what(), HasSubstr("sweep_huge_base.json: /seed: number out of range (must fit "
                                        "in a double), got 1e999"));
  }
}

// `llmsim sweep SCENARIO.json` listed the scenario's keys as unknown grid keys.
TEST(SweepGrid, AScenarioGivenAsTheGridIsNamedAsOne) {
  const std::string path = write("scenario_not_grid.json", kBase);
  try {
    load_sweep_grid(path);
    FAIL() << "loaded";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(std::string(error.what()),
              path + ": looks like a scenario (it has \"workload\"), not a sweep grid: run it with "
                     "`llmsim run " + path + "`, or name it as a grid's \"base\" (data/sweeps/README.md)");
  }
}

TEST(SweepGrid, TooManyPointsIsRefusedBeforeBuildingThem) {
  std::string values = "[";
  for (int i = 0; i < 1001; ++i) {
    if (i > 0) values += ',';
    values += std::to_string(i + 1);
  }
  values += "]";
  const std::string body = R"("parameters": {"a": {"/workload/phases/0/users": )" + values +
                           R"(}, "b": {"/workload/phases/1/users": )" + values + "}}";
  EXPECT_THAT(load_error(body), HasSubstr("sweep_bad.json: /parameters: more than 1000000 points"));
}

}  // namespace
}  // namespace llmsim
