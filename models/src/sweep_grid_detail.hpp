// Private to the sweep grid loader: the grid as read from its file, before points are built.
//
// sweep_grid.cpp reads the file into a GridSpec; sweep_points.cpp expands it into validated points.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario_reader.hpp"

namespace llmsim::sweep_detail {

using scenario_detail::Json;

// One pointer -> value patch of the scenario, and where the grid file wrote it.
struct Patch {
  std::string grid_pointer;         // in the grid file, for errors
  std::string target;               // the JSON pointer into the scenario, as written
  std::vector<std::string> tokens;  // its reference tokens, unescaped
  Json value;                       // null removes an object member
};

// One value of an axis: its column value (JSON text) and the patches it applies.
struct AxisEntry {
  std::string value_json;
  std::vector<Patch> patches;
};

struct AxisSpec {
  std::string name;
  bool is_variants = false;
  std::vector<AxisEntry> entries;
};

struct GridSpec {
  std::string path;
  std::string base_path;
  std::vector<AxisSpec> axes;
  bool has_seeds = false;
  std::vector<std::uint64_t> seeds;
};

// Returns the unescaped reference tokens of an RFC 6901 pointer ("/a~1b/0" -> {"a/b", "0"}), or
// nothing when it is not one (empty, no leading '/', '~' not followed by 0 or 1).
std::optional<std::vector<std::string>> split_pointer(const std::string& pointer);

// Reads and checks a grid file; throws ScenarioError listing every problem of the grid.
GridSpec read_grid(const std::string& path, const std::vector<std::string>& reserved);

// Applies `patch` to `document`; returns why it cannot apply, or "" when it did.
std::string apply_patch(Json& document, const Patch& patch);

}  // namespace llmsim::sweep_detail
