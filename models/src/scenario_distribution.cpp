// Reading DIST values and string lists of a scenario (see data/README.md, "Distributions").
#include <algorithm>
#include <utility>

#include "scenario_sections.hpp"

namespace llmsim::scenario_detail {

namespace {

const std::vector<std::string_view> kFamilies = {"constant",  "uniform", "exponential", "normal",
                                                 "lognormal", "gamma",   "empirical"};

// One numeric parameter of a family.
struct Param {
  std::string_view key;
  NumberRule rule;
};

// Reads every parameter of `params` (all required); returns them in order when all are valid.
std::optional<std::vector<double>> read_params(const ObjectReader& object,
                                               const std::vector<Param>& params) {
  std::vector<double> values;
  for (const Param& param : params) {
    if (!object.require(param.key)) continue;
    if (auto value = object.number(param.key, param.rule)) values.push_back(*value);
  }
  if (values.size() != params.size()) return std::nullopt;
  return values;
}

// Returns the keys a family's object may have: "dist" and its parameters.
std::vector<std::string_view> keys_of(const std::vector<Param>& params) {
  std::vector<std::string_view> keys = {"dist"};
  for (const Param& param : params) keys.push_back(param.key);
  return keys;
}

// Reads one [p, value] pair of an empirical distribution.
std::optional<std::pair<double, double>> read_point(Problems& problems, const Json& value,
                                                    const std::string& pointer) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
    problems.add_got(pointer, "must be a pair [p, value] of numbers", value);
    return std::nullopt;
  }
  return std::pair{value[0].get<double>(), value[1].get<double>()};
}

// Checks the points of a continuous empirical distribution (an inverse CDF through them).
void check_continuous(Problems& problems, const Json& points, const std::string& pointer,
                      const std::vector<std::pair<double, double>>& read) {
  if (read.size() < 2) {
    problems.add_got(pointer, "needs at least 2 points", points);
    return;
  }
  for (std::size_t i = 0; i < read.size(); ++i) {
    const std::string at = child_pointer(pointer, i);
    const auto [p, v] = read[i];
    if (i == 0 && p != 0.0) {
      problems.add_got(child_pointer(at, 0), "must be 0 (the first cumulative probability)",
                       points[i][0]);
    } else if (i + 1 == read.size() && p != 1.0) {
      problems.add_got(child_pointer(at, 0), "must be 1 (the last cumulative probability)",
                       points[i][0]);
    } else if (i > 0 && p <= read[i - 1].first) {
      problems.add_got(
          child_pointer(at, 0),
          "must be > the previous probability (" + format_number(read[i - 1].first) + ")",
          points[i][0]);
    }
    if (i > 0 && v < read[i - 1].second) {
      problems.add_got(child_pointer(at, 1),
                       "must be >= the previous value (" + format_number(read[i - 1].second) + ")",
                       points[i][1]);
    }
  }
}

std::optional<Distribution> read_empirical(const ObjectReader& object, bool non_negative) {
  const std::optional<bool> discrete = object.boolean("discrete");
  if (!object.require("points")) return std::nullopt;
  const Json& points = *object.get("points");
  const std::string pointer = object.pointer_of("points");
  if (!points.is_array()) {
    object.problems().add_got(pointer, "must be an array of [p, value] pairs", points);
    return std::nullopt;
  }
  Problems& problems = object.problems();
  const std::size_t before = problems.size();
  std::vector<std::pair<double, double>> read;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string at = child_pointer(pointer, i);
    const auto point = read_point(problems, points[i], at);
    if (!point) continue;
    if (discrete.value_or(false) && point->first <= 0.0) {
      problems.add_got(child_pointer(at, 0), "must be a weight > 0", points[i][0]);
    }
    if (non_negative && point->second < 0.0) {
      problems.add_got(child_pointer(at, 1), "must be a number >= 0", points[i][1]);
    }
    read.push_back(*point);
  }
  if (problems.size() != before) return std::nullopt;
  if (discrete.value_or(false)) {
    if (read.empty()) problems.add_got(pointer, "needs at least 1 point", points);
  } else {
    check_continuous(problems, points, pointer, read);
  }
  if (problems.size() != before || (object.has("discrete") && !discrete)) return std::nullopt;
  return Distribution::empirical(std::move(read), discrete.value_or(false));
}

// Reads the parameters of `family` (already known to be valid) from `object`.
std::optional<Distribution> read_family(Problems& problems, const Json& value,
                                        const std::string& pointer, const std::string& family,
                                        bool non_negative) {
  const NumberRule any = NumberRule::any();
  const NumberRule level = non_negative ? NumberRule::at_least(0.0) : any;
  const NumberRule positive = NumberRule::above(0.0);
  const NumberRule spread = NumberRule::at_least(0.0);
  std::vector<Param> params;
  if (family == "constant") params = {{"value", level}};
  if (family == "uniform") params = {{"min", level}, {"max", any}};
  if (family == "exponential") params = {{"mean", positive}};
  if (family == "normal") params = {{"mean", level}, {"stddev", spread}};
  if (family == "lognormal") params = {{"median", positive}, {"sigma", spread}};
  if (family == "gamma") params = {{"shape", positive}, {"scale", positive}};
  if (family == "empirical") {
    return read_empirical(ObjectReader(problems, &value, pointer, {"dist", "points", "discrete"}),
                          non_negative);
  }
  const ObjectReader object(problems, &value, pointer, keys_of(params));
  const auto p = read_params(object, params);
  if (!p) return std::nullopt;
  if (family == "constant") return Distribution::constant((*p)[0]);
  if (family == "uniform") {
    if ((*p)[1] < (*p)[0]) {
      problems.add_got(object.pointer_of("max"), "must be >= min (" + format_number((*p)[0]) + ")",
                       *object.get("max"));
      return std::nullopt;
    }
    return Distribution::uniform((*p)[0], (*p)[1]);
  }
  if (family == "exponential") return Distribution::exponential((*p)[0]);
  if (family == "normal") return Distribution::normal((*p)[0], (*p)[1]);
  if (family == "lognormal") return Distribution::lognormal((*p)[0], (*p)[1]);
  return Distribution::gamma((*p)[0], (*p)[1]);
}

}  // namespace

std::optional<Distribution> read_distribution(Problems& problems, const Json& value,
                                              const std::string& pointer, bool non_negative) {
  if (value.is_number()) {
    const auto number = read_number(problems, value, pointer,
                                    non_negative ? NumberRule::at_least(0.0) : NumberRule::any());
    if (!number) return std::nullopt;
    return Distribution::constant(*number);
  }
  if (!value.is_object()) {
    problems.add_got(pointer, "must be a number or an object with \"dist\"", value);
    return std::nullopt;
  }
  const std::string dist_pointer = child_pointer(pointer, "dist");
  const auto found = value.find("dist");
  if (found == value.end()) {
    problems.add_missing(dist_pointer);
    return std::nullopt;
  }
  const auto family = read_choice(problems, *found, dist_pointer, kFamilies);
  if (!family) return std::nullopt;
  return read_family(problems, value, pointer, *family, non_negative);
}

void read_distribution_field(const ObjectReader& object, std::string_view key, Distribution& target,
                             bool non_negative) {
  const Json* value = object.get(key);
  if (value == nullptr) return;
  if (auto dist =
          read_distribution(object.problems(), *value, object.pointer_of(key), non_negative)) {
    target = std::move(*dist);
  }
}

std::optional<std::vector<std::string>> read_string_list(
    const ObjectReader& object, std::string_view key, bool non_empty_array,
    const std::vector<std::string_view>& allowed) {
  const Json* value = object.get(key);
  if (value == nullptr) return std::nullopt;
  const std::string pointer = object.pointer_of(key);
  Problems& problems = object.problems();
  if (!value->is_array() || (non_empty_array && value->empty())) {
    problems.add_got(
        pointer,
        non_empty_array ? "must be a non-empty array of strings" : "must be an array of strings",
        *value);
    return std::nullopt;
  }
  const std::size_t before = problems.size();
  std::vector<std::string> items;
  std::vector<std::string> pointers;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string at = child_pointer(pointer, i);
    const auto item = allowed.empty() ? read_string(problems, (*value)[i], at, true)
                                      : read_choice(problems, (*value)[i], at, allowed);
    if (!item) continue;
    const auto same = std::find(items.begin(), items.end(), *item);
    if (same != items.end()) {
      problems.add_got(at,
                       "must be unique (same as " +
                           pointers[static_cast<std::size_t>(same - items.begin())] + ")",
                       (*value)[i]);
      continue;
    }
    items.push_back(*item);
    pointers.push_back(at);
  }
  if (problems.size() != before) return std::nullopt;
  return items;
}

}  // namespace llmsim::scenario_detail
