// Reading a sweep grid file: the base, the axes and the seeds (see models/sweep_grid.hpp).
//
// sweep_points.cpp builds the points from what is read here.
#include "models/sweep_grid.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <utility>

#include "models/random.hpp"
#include "sweep_grid_detail.hpp"

namespace llmsim {

namespace sweep_detail {

namespace {

using scenario_detail::child_pointer;
using scenario_detail::IntRule;
using scenario_detail::ObjectReader;
using scenario_detail::Problems;

// Returns whether `name` is a usable column name: letters, digits and '_', not starting with a
// digit (so it is also a Python identifier in the notebooks).
bool is_column_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// Returns the axis's patches: each key a JSON pointer into the scenario, each value what it sets.
std::vector<Patch> read_patches(Problems& problems, const Json& patches, const std::string& pointer) {
  std::vector<Patch> result;
  if (!patches.is_object()) {
    problems.add_got(pointer, "must be an object of JSON pointer -> value", patches);
    return result;
  }
  for (const auto& [target, value] : patches.items()) {
    const std::string place = child_pointer(pointer, target);
    auto tokens = split_pointer(target);
    if (!tokens) {
      problems.add(place, "must be a JSON pointer into the scenario (\"/client/connections\"; ~0 for ~, "
                          "~1 for /), got \"" + target + "\"");
      continue;
    }
    result.push_back(Patch{place, target, std::move(*tokens), value});
  }
  return result;
}

// Reads a value axis: {"/pointer": [v1, v2, ...]}.
void read_value_axis(Problems& problems, const Json& axis, const std::string& pointer, AxisSpec& spec) {
  const std::string target = axis.begin().key();
  const Json& values = axis.begin().value();
  const std::string place = child_pointer(pointer, target);
  if (!values.is_array() || values.empty()) {
    problems.add_got(place, "must be a non-empty array of the values to take", values);
    return;
  }
  auto tokens = split_pointer(target);
  if (!tokens) {
    problems.add(place, "must be a JSON pointer into the scenario, got \"" + target + "\"");
    return;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    spec.entries.push_back(
        AxisEntry{values[i].dump(), {Patch{child_pointer(place, i), target, *tokens, values[i]}}});
  }
}

// Reads named variants: {"name": {"/pointer": value, ...}, ...}.
void read_variants(Problems& problems, const Json& axis, const std::string& pointer, AxisSpec& spec) {
  for (const auto& [name, patches] : axis.items()) {
    const std::string place = child_pointer(pointer, name);
    if (name.empty() || name.front() == '/') {
      problems.add(place, "mixes a JSON pointer with variant names (an axis is either {\"/pointer\": "
                          "[values]} or {\"variant\": {\"/pointer\": value, ...}, ...})");
      continue;
    }
    spec.entries.push_back(AxisEntry{Json(name).dump(), read_patches(problems, patches, place)});
  }
}

// Reads one axis of "parameters".
AxisSpec read_axis(Problems& problems, const std::string& name, const Json& axis,
                   const std::string& pointer, const std::vector<std::string>& reserved) {
  AxisSpec spec;
  spec.name = name;
  if (!is_column_name(name)) {
    problems.add(pointer, "axis name must be letters, digits and _ (not starting with a digit), got \"" +
                              name + "\"");
  } else if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
    problems.add(pointer, "axis name \"" + name + "\" is taken by a column of the sweep's output");
  }
  if (!axis.is_object() || axis.empty()) {
    problems.add_got(pointer, "must be a non-empty object ({\"/pointer\": [values]} or named variants)",
                     axis);
    return spec;
  }
  const bool is_value_axis = axis.size() == 1 && axis.items().begin().key().starts_with('/');
  spec.is_variants = !is_value_axis;
  if (is_value_axis) {
    read_value_axis(problems, axis, pointer, spec);
  } else {
    read_variants(problems, axis, pointer, spec);
  }
  return spec;
}

std::vector<AxisSpec> read_axes(const ObjectReader& root, const std::vector<std::string>& reserved) {
  std::vector<AxisSpec> axes;
  const ObjectReader parameters = root.object("parameters", {});
  if (!parameters.is_object()) return axes;
  for (const auto& [name, axis] : parameters.json().items()) {
    axes.push_back(read_axis(root.problems(), name, axis, parameters.pointer_of(name), reserved));
  }
  return axes;
}

std::vector<std::uint64_t> read_seeds(const ObjectReader& root) {
  std::vector<std::uint64_t> seeds;
  const Json* list = root.get("seeds");
  if (list == nullptr) return seeds;
  const std::string pointer = root.pointer_of("seeds");
  if (!list->is_array() || list->empty()) {
    root.problems().add_got(pointer, "must be a non-empty array of seeds (integers >= 0)", *list);
    return seeds;
  }
  std::set<std::uint64_t> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    std::optional<std::uint64_t> seed;
    if (item.is_number_unsigned()) {
      seed = item.get<std::uint64_t>();
    } else if (auto value = read_integer(root.problems(), item, child_pointer(pointer, i), IntRule::at_least(0))) {
      seed = static_cast<std::uint64_t>(*value);
    }
    if (seed && !seen.insert(*seed).second) {
      root.problems().add_got(child_pointer(pointer, i), "must be unique", item);
    }
    if (seed) seeds.push_back(*seed);
  }
  return seeds;
}

std::string resolve_base(const std::string& grid_path, const std::string& base) {
  const std::filesystem::path path(base);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (std::filesystem::path(grid_path).parent_path() / path).lexically_normal().string();
}

}  // namespace

std::optional<std::vector<std::string>> split_pointer(const std::string& pointer) {
  if (pointer.empty() || pointer.front() != '/') return std::nullopt;
  std::vector<std::string> tokens(1);
  for (std::size_t i = 1; i < pointer.size(); ++i) {
    const char c = pointer[i];
    if (c == '/') {
      tokens.emplace_back();
    } else if (c != '~') {
      tokens.back() += c;
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      tokens.back() += pointer[++i] == '0' ? '~' : '/';
    } else {
      return std::nullopt;  // RFC 6901: '~' only in ~0 and ~1
    }
  }
  return tokens;
}

namespace {

// Throws when `document` is a scenario rather than a grid (a common slip: `llmsim sweep
// SCENARIO.json`), so the error says so instead of listing the scenario's keys as unknown.
void refuse_scenario(const Json& document, const std::string& path) {
  if (!document.is_object() || document.contains("base")) return;
  for (const char* key : {"workload", "provider", "providers"}) {
    if (!document.contains(key)) continue;
    throw ScenarioError(path, {ScenarioProblem{
                                  "", std::string("looks like a scenario (it has \"") + key +
                                          "\"), not a sweep grid: run it with `llmsim run " + path +
                                          "`, or name it as a grid's \"base\" (data/sweeps/README.md)"}});
  }
}

}  // namespace

GridSpec read_grid(const std::string& path, const std::vector<std::string>& reserved) {
  std::string text;
  std::string error;
  if (!scenario_detail::read_text_file(path, text, error)) {
    throw ScenarioError(path, {ScenarioProblem{"", "cannot read: " + error}});
  }
  Json document;
  Problems problems;
  scenario_detail::parse_document(text, path, document, problems);
  refuse_scenario(document, path);
  const ObjectReader root(problems, &document, "", {"description", "base", "parameters", "seeds"});
  GridSpec grid;
  grid.path = path;
  if (root.is_object()) {
    root.string("description");
    if (root.require("base")) {
      if (auto base = root.string("base", true)) grid.base_path = resolve_base(path, *base);
    }
    grid.axes = read_axes(root, reserved);
    grid.seeds = read_seeds(root);
    grid.has_seeds = root.has("seeds");
  }
  if (!problems.empty()) {
    scenario_detail::sort_by_document(problems.list(), document);
    throw ScenarioError(path, std::move(problems.list()));
  }
  return grid;
}

}  // namespace sweep_detail

std::uint64_t sweep_point_seed(std::uint64_t base_seed, std::uint64_t seed_value) {
  RandomStream stream(base_seed, "sweep seed", seed_value);
  return stream.next_u64();
}

std::string sweep_value_text(const std::string& value_json) {
  const auto value = sweep_detail::Json::parse(value_json);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace llmsim
