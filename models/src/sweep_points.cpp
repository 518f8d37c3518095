// Building a sweep's points: the cartesian product of the axes and seeds, each the base scenario
// with its patches applied and validated by the scenario loader (see models/sweep_grid.hpp).
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "models/sweep_grid.hpp"
#include "sweep_grid_detail.hpp"

namespace llmsim {

namespace sweep_detail {

namespace {

using scenario_detail::Problems;

// Returns the pointer made of the first `count` tokens (escaped again), for messages.
std::string pointer_prefix(const std::vector<std::string>& tokens, std::size_t count) {
  std::string pointer;
  for (std::size_t i = 0; i < count; ++i) pointer = scenario_detail::child_pointer(pointer, tokens[i]);
  return pointer;
}

// Returns the array index a token names, or nothing ("0", "12"; no sign, no leading zero).
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token.front() == '0')) return std::nullopt;
  std::size_t index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::size_t>(c - '0');
    // An index past size_t is past every array; wrapping around would name element 0.
    if (index > (std::numeric_limits<std::size_t>::max() - digit) / 10) return std::nullopt;
    index = index * 10 + digit;
  }
  return index;
}

// Sets or removes the last token's member of `object`.
void set_member(Json& object, const std::string& key, const Json& value) {
  if (value.is_null()) {
    object.erase(key);
  } else {
    object[key] = value;
  }
}

// Sets the element the last token names in `array` ("-" appends); returns why it cannot, or "".
std::string set_element(Json& array, const std::string& token, const Json& value,
                        const std::string& where) {
  if (value.is_null()) return "null removes object members only, not array elements (" + where + ")";
  if (token == "-") {
    array.push_back(value);
    return "";
  }
  const auto index = array_index(token);
  if (!index || *index >= array.size()) {
    return where + " has no element " + token + " (it has " + std::to_string(array.size()) + ")";
  }
  array[*index] = value;
  return "";
}

// Describes a node a pointer cannot go through.
std::string not_a_container(const Json& node, const std::string& where) {
  return (where.empty() ? std::string("the document") : where) + " holds " +
         scenario_detail::dump_value(node) + ", not an object or array";
}

// Returns the text naming a point in messages: "point 3 (users=1000, retry=sdk, seed=2)".
std::string point_label(const GridSpec& grid, const SweepPoint& point) {
  std::string values;
  for (std::size_t a = 0; a < grid.axes.size(); ++a) {
    values += (values.empty() ? "" : ", ") + grid.axes[a].name + "=" + sweep_value_text(point.axis_values[a]);
  }
  if (grid.has_seeds) values += (values.empty() ? "" : ", ") + std::string("seed=") + std::to_string(point.seed);
  const std::string label = "point " + std::to_string(point.index);
  return values.empty() ? label : label + " (" + values + ")";
}

// Problems shared by many points are reported once, with how many more points have them.
class PointProblems {
 public:
  void add(const std::string& pointer, const std::string& label, const std::string& message) {
    const auto [found, is_new] = index_.try_emplace(pointer + "\n" + message, entries_.size());
    if (is_new) {
      entries_.push_back({ScenarioProblem{pointer, label + ": " + message}, 0});
    } else {
      ++entries_[found->second].more;
    }
  }

  bool empty() const { return entries_.empty(); }

  std::vector<ScenarioProblem> list() const {
    std::vector<ScenarioProblem> problems;
    for (const auto& [problem, more] : entries_) {
      problems.push_back(problem);
      if (more > 0) {
        problems.back().message +=
            " (and " + std::to_string(more) + " more point" + (more == 1 ? "" : "s") + ")";
      }
    }
    return problems;
  }

 private:
  struct Entry {
    ScenarioProblem problem;
    std::size_t more = 0;
  };
  std::map<std::string, std::size_t> index_;
  std::vector<Entry> entries_;
};

// Returns the number of points of the grid, or 0 when there are more than kMaxSweepPoints.
std::size_t point_count(const GridSpec& grid) {
  std::size_t count = grid.has_seeds ? grid.seeds.size() : 1;
  for (const AxisSpec& axis : grid.axes) {
    if (axis.entries.size() > kMaxSweepPoints / count) return 0;
    count *= axis.entries.size();
  }
  return count <= kMaxSweepPoints ? count : 0;
}

// Reads the base scenario as JSON; its own invalid JSON or duplicate keys are its errors.
Json read_base(const GridSpec& grid) {
  std::string text;
  std::string error;
  if (!scenario_detail::read_text_file(grid.base_path, text, error)) {
    throw ScenarioError(grid.path, {ScenarioProblem{"/base", "cannot read " + grid.base_path + ": " + error}});
  }
  Json document;
  Problems problems;
  scenario_detail::parse_document(text, grid.base_path, document, problems);
  if (!problems.empty()) throw ScenarioError(grid.base_path, std::move(problems.list()));
  return document;
}

// The point at `index` in grid order: the last axis varies fastest, then the seeds.
struct PointChoice {
  std::vector<std::size_t> entries;  // per axis
  std::size_t seed = 0;              // index into grid.seeds
};

PointChoice choose(const GridSpec& grid, std::size_t index) {
  PointChoice choice;
  const std::size_t seeds = grid.has_seeds ? grid.seeds.size() : 1;
  choice.seed = index % seeds;
  index /= seeds;
  choice.entries.resize(grid.axes.size());
  for (std::size_t a = grid.axes.size(); a-- > 0;) {
    choice.entries[a] = index % grid.axes[a].entries.size();
    index /= grid.axes[a].entries.size();
  }
  return choice;
}

// Builds one point: patches the base, validates it and seeds it; records problems instead.
std::optional<SweepPoint> build_point(const GridSpec& grid, const Json& base, std::size_t index,
                                      PointProblems& problems) {
  const PointChoice choice = choose(grid, index);
  SweepPoint point;
  point.index = index;
  for (std::size_t a = 0; a < grid.axes.size(); ++a) {
    point.axis_values.push_back(grid.axes[a].entries[choice.entries[a]].value_json);
  }
  if (grid.has_seeds) point.seed = grid.seeds[choice.seed];
  const std::string label = point_label(grid, point);
  Json document = base;
  bool patched = true;
  for (std::size_t a = 0; a < grid.axes.size(); ++a) {
    for (const Patch& patch : grid.axes[a].entries[choice.entries[a]].patches) {
      if (std::string why = apply_patch(document, patch); !why.empty()) {
        problems.add(patch.grid_pointer, label, "cannot set " + patch.target + " in " + grid.base_path + ": " + why);
        patched = false;
      }
    }
  }
  if (!patched) return std::nullopt;
  try {
    point.scenario = parse_scenario(document.dump(2), grid.base_path);
  } catch (const ScenarioError& error) {
    for (const ScenarioProblem& problem : error.problems()) {
      problems.add("", label, ScenarioError(grid.base_path, {problem}).what());
    }
    return std::nullopt;
  }
  if (!grid.has_seeds) point.seed = point.scenario.seed;
  if (grid.has_seeds) point.scenario.seed = sweep_point_seed(point.scenario.seed, point.seed);
  return point;
}

}  // namespace

std::string apply_patch(Json& document, const Patch& patch) {
  Json* node = &document;
  const std::vector<std::string>& tokens = patch.tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const bool is_last = i + 1 == tokens.size();
    const std::string where = pointer_prefix(tokens, i);
    if (node->is_object()) {
      if (is_last) {
        set_member(*node, tokens[i], patch.value);
        return "";
      }
      // A missing member on the way is created as an object: {"/client/retry/max_retries": 2}
      // works whether or not the base has a "retry" object.
      auto found = node->find(tokens[i]);
      if (found == node->end()) found = node->emplace(tokens[i], Json::object()).first;
      node = &*found;
    } else if (node->is_array()) {
      if (is_last) return set_element(*node, tokens[i], patch.value, where);
      const auto index = array_index(tokens[i]);
      if (!index || *index >= node->size()) {
        return where + " has no element " + tokens[i] + " (it has " + std::to_string(node->size()) + ")";
      }
      node = &(*node)[*index];
    } else {
      return not_a_container(*node, where);
    }
  }
  return "";
}

}  // namespace sweep_detail

SweepGrid load_sweep_grid(const std::string& path, const std::vector<std::string>& reserved_names) {
  using namespace sweep_detail;
  std::vector<std::string> reserved = reserved_names;
  reserved.emplace_back("seed");
  const GridSpec spec = read_grid(path, reserved);
  const std::size_t count = point_count(spec);
  if (count == 0) {
    throw ScenarioError(path, {ScenarioProblem{"/parameters", "more than " + std::to_string(kMaxSweepPoints) +
                                                                  " points (axes x seeds); split the study"}});
  }
  const Json base = read_base(spec);
  SweepGrid grid;
  grid.path = spec.path;
  grid.base_path = spec.base_path;
  grid.has_seeds = spec.has_seeds;
  for (const AxisSpec& axis : spec.axes) grid.axes.push_back({axis.name, axis.is_variants, axis.entries.size()});
  PointProblems problems;
  for (std::size_t i = 0; i < count; ++i) {
    if (auto point = build_point(spec, base, i, problems)) grid.points.push_back(std::move(*point));
  }
  if (!problems.empty()) throw ScenarioError(path, problems.list());
  return grid;
}

}  // namespace llmsim
