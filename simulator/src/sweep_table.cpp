// Flattening sweep reports into rows (see simulator/sweep_table.hpp).
#include "simulator/sweep_table.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "models/scenario.hpp"
#include "simulator/report.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::ordered_json;

// The report's own seed is renamed so that `seed` is the grid's seed value.
constexpr std::string_view kReportSeed = "seed";
constexpr std::string_view kScenarioSeedColumn = "scenario_seed";

// Adds every scalar of `value` to `row` under its dotted path.
void flatten(const Json& value, const std::string& path, Json& row) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      const std::string name = path.empty() && key == kReportSeed ? std::string(kScenarioSeedColumn) : key;
      flatten(item, path.empty() ? name : path + "." + name, row);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) flatten(value[i], path + "." + std::to_string(i), row);
  } else {
    row[path] = value;
  }
}

// Orders names with digit runs compared as numbers ("phases.2" < "phases.10"); plain order on ties.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  const auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      const std::size_t i0 = i;
      const std::size_t j0 = j;
      while (i < a.size() && is_digit(a[i])) ++i;
      while (j < b.size() && is_digit(b[j])) ++j;
      // Compare as numbers without converting: leading zeros off, then length, then digits.
      std::string_view x = std::string_view(a).substr(i0, i - i0);
      std::string_view y = std::string_view(b).substr(j0, j - j0);
      x.remove_prefix(std::min(x.find_first_not_of('0'), x.size()));
      y.remove_prefix(std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if (i == a.size() && j < b.size()) return true;  // a is a prefix of b
  if (j == b.size() && i < a.size()) return false;
  return a < b;
}

struct Table {
  std::vector<std::string> columns;
  std::vector<Json> rows;  // objects keyed by column
};

Table make_table(const SweepGrid& grid, const std::vector<std::string>& reports) {
  Table table;
  for (const SweepAxis& axis : grid.axes) table.columns.push_back(axis.name);
  table.columns.emplace_back("seed");
  std::set<std::string, decltype(&natural_less)> report_columns(&natural_less);
  for (std::size_t i = 0; i < grid.points.size(); ++i) {
    const SweepPoint& point = grid.points[i];
    Json row = Json::object();
    for (std::size_t a = 0; a < grid.axes.size(); ++a) row[grid.axes[a].name] = Json::parse(point.axis_values[a]);
    row["seed"] = point.seed;
    Json figures = Json::object();
    flatten(Json::parse(reports.at(i)), "", figures);
    for (const auto& [name, value] : figures.items()) {
      report_columns.insert(name);
      row[name] = value;
    }
    table.rows.push_back(std::move(row));
  }
  table.columns.insert(table.columns.end(), report_columns.begin(), report_columns.end());
  return table;
}

// Keeps the columns the globs select; a glob that matches nothing is an error.
void select_columns(Table& table, const std::vector<std::string>& globs) {
  if (globs.empty()) return;
  std::vector<std::string> selected;
  for (const std::string& glob : globs) {
    bool matched = false;
    for (const std::string& column : table.columns) {
      if (!glob_match(glob, column)) continue;
      matched = true;
      if (std::find(selected.begin(), selected.end(), column) == selected.end()) selected.push_back(column);
    }
    if (matched) continue;
    const std::vector<std::string_view> names(table.columns.begin(), table.columns.end());
    const auto suggestion = closest_name(glob, names);
    throw std::invalid_argument("--columns: \"" + glob + "\" matches no column" +
                                (suggestion ? " (did you mean \"" + *suggestion + "\"?)" : ""));
  }
  table.columns = std::move(selected);
}

Table selected_table(const SweepGrid& grid, const std::vector<std::string>& reports,
                     const std::vector<std::string>& columns) {
  Table table = make_table(grid, reports);
  select_columns(table, columns);
  return table;
}

// Returns a CSV field: quoted (quotes doubled) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Returns a cell's text: strings as they are, null as empty, anything else as compact JSON.
std::string cell_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

std::vector<std::string> sweep_report_columns_reserved() {
  Json figures = Json::object();
  flatten(Json::parse(to_json(Report{})), "", figures);
  std::vector<std::string> names;
  for (const auto& [name, unused] : figures.items()) names.push_back(name);
  return names;
}

std::string sweep_csv(const SweepGrid& grid, const std::vector<std::string>& reports,
                      const std::vector<std::string>& columns) {
  const Table table = selected_table(grid, reports, columns);
  std::string text;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) text += ',';
    text += csv_field(table.columns[c]);
  }
  text += "\n";
  for (const Json& row : table.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) text += ',';
      const auto found = row.find(table.columns[c]);
      if (found != row.end()) text += csv_field(cell_text(*found));
    }
    text += "\n";
  }
  return text;
}

std::string sweep_jsonl(const SweepGrid& grid, const std::vector<std::string>& reports,
                        const std::vector<std::string>& columns) {
  const Table table = selected_table(grid, reports, columns);
  std::string text;
  for (const Json& row : table.rows) {
    Json line = Json::object();
    for (const std::string& column : table.columns) {
      const auto found = row.find(column);
      line[column] = found == row.end() ? Json() : *found;
    }
    text += line.dump() + "\n";
  }
  return text;
}

std::vector<std::string> sweep_default_columns(const SweepGrid& grid) {
  std::vector<std::string> columns;
  for (const SweepAxis& axis : grid.axes) columns.push_back(axis.name);
  for (const char* name : {"seed", "total.success_rate", "total.latency_s.p95", "total.errors.rate_limit_requests",
                           "total.retries", "passed"}) {
    columns.emplace_back(name);
  }
  return columns;
}

std::vector<std::string> parse_column_globs(const std::string& text) {
  std::vector<std::string> globs;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string glob = text.substr(begin, end - begin);
    const std::size_t first = glob.find_first_not_of(' ');
    if (first != std::string::npos) globs.push_back(glob.substr(first, glob.find_last_not_of(' ') - first + 1));
    begin = end + 1;
  }
  return globs;
}

bool glob_match(std::string_view glob, std::string_view name) {
  // Iterative wildcard matching with one backtrack point (the last "*").
  std::size_t g = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace llmsim
