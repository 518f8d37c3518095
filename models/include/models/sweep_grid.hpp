// A sweep grid: one base scenario and the axes along which a study varies it (llmsim sweep).
//
// A grid file (data/sweeps/*.json, format in data/sweeps/README.md) names a base scenario, a list
// of axes and optionally a list of seeds. An axis is either a value axis, one JSON pointer into the
// scenario and the values it takes, or named variants, each a set of pointer -> value patches:
//
//   {"base": "../scenarios/capacity-500rpm.json",
//    "parameters": {"users": {"/workload/phases/0/users": [100, 1000]},
//                   "retry": {"none": {}, "sdk": {"/client/retry/max_retries": 2}}},
//    "seeds": [1, 2]}
//
// The points are the cartesian product of the axes (first axis slowest) and the seeds (fastest),
// in that order. Each point is the base scenario with its patches applied, validated by the
// scenario loader and seeded with sweep_point_seed(scenario seed, seed value), so points that
// differ only in non-seed axes share every random stream (common random numbers). Nothing here
// depends on the grid being run; loading is pure.
//
//   SweepGrid grid = load_sweep_grid("data/sweeps/gaja-seeds.json");
//   for (const SweepPoint& p : grid.points) simulate(p.scenario);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/scenario.hpp"

namespace llmsim {

struct SweepAxis {
  std::string name;  // the column name in the sweep's output
  bool is_variants = false;  // named variants (else a value axis)
  std::size_t size = 0;      // number of values or variants
};

struct SweepPoint {
  std::size_t index = 0;  // position in grid order, from 0
  // Per axis, in axis order: the JSON text of the value (value axis) or of the variant's name as a
  // JSON string (named variants).
  std::vector<std::string> axis_values;
  std::uint64_t seed = 0;  // the grid's seed value (the scenario's own seed when "seeds" is absent)
  Scenario scenario;       // patched, validated, with its seed set
};

struct SweepGrid {
  std::string path;       // the grid file
  std::string base_path;  // the base scenario file, as resolved from the grid's folder
  std::vector<SweepAxis> axes;
  bool has_seeds = false;  // "seeds" given: each point's seed is derived from its seed value
  std::vector<SweepPoint> points;  // in grid order
};

// Most points a grid may have (a guard against a typo that multiplies a study by 1,000).
inline constexpr std::size_t kMaxSweepPoints = 1'000'000;

// Loads a grid, builds and validates every point. `reserved_names` are column names an axis may
// not take ("seed" always is). Throws ScenarioError naming the grid file: problems of the grid as
// `GRID: /pointer: rule, got VALUE`; a point whose patches cannot apply or whose scenario is
// invalid as `GRID: /parameters/...: point N (axis=value, ..., seed=S): ...` and
// `GRID: point N (...): BASE: /pointer: rule, got VALUE` (one line per distinct problem, with the
// number of further points that share it).
SweepGrid load_sweep_grid(const std::string& path, const std::vector<std::string>& reserved_names = {});

// Returns the scenario seed of a point with grid seed value `seed_value` of a scenario seeded
// `base_seed`: a named random stream's draw, so it is the same on every platform.
std::uint64_t sweep_point_seed(std::uint64_t base_seed, std::uint64_t seed_value);

// Returns the text of a point's axis value for labels and CSV cells: a JSON string without its
// quotes, anything else as compact JSON.
std::string sweep_value_text(const std::string& value_json);

}  // namespace llmsim
