// Published rate limits (data/limits/openai.json): reading the file and looking a model up.
#include <algorithm>
#include <filesystem>
#include <utility>

#include "scenario_sections.hpp"

namespace llmsim::scenario_detail {

namespace {

// Name of the published-limits file inside a limits directory.
constexpr std::string_view kLimitsFile = "openai.json";

std::optional<PublishedEntry> read_entry(Problems& problems, const Json& value,
                                         const std::string& pointer) {
  const ObjectReader entry(problems, &value, pointer,
                           {"as_of", "period", "source", "rpm", "tpm", "rpd", "tpd"});
  if (!entry.is_object()) return std::nullopt;
  const std::size_t before = problems.size();
  PublishedEntry result;
  if (entry.require("as_of")) {
    const auto as_of = entry.string("as_of");
    if (as_of && !is_month(*as_of)) {
      problems.add_got(entry.pointer_of("as_of"), "must be a month \"YYYY-MM\"",
                       *entry.get("as_of"));
    }
    assign(result.as_of, as_of);
  }
  if (entry.require("period")) assign(result.period, entry.string("period", true));
  assign(result.source, entry.string("source", true));
  assign(result.limits.rpm, entry.integer("rpm", IntRule::at_least(1)));
  assign(result.limits.tpm, entry.integer("tpm", IntRule::at_least(1)));
  assign(result.limits.rpd, entry.integer("rpd", IntRule::at_least(1)));
  assign(result.limits.tpd, entry.integer("tpd", IntRule::at_least(1)));
  if (!entry.has("rpm") && !entry.has("tpm") && !entry.has("rpd") && !entry.has("tpd")) {
    problems.add_got(pointer, "needs at least one of rpm, tpm, rpd, tpd", value);
  }
  if (problems.size() != before) return std::nullopt;
  return result;
}

void read_tiers(Problems& problems, const ObjectReader& model,
                std::map<std::string, std::vector<PublishedEntry>>& tiers) {
  if (!model.require("tiers")) return;
  const ObjectReader tier_object(problems, model.get("tiers"), model.pointer_of("tiers"), {});
  if (!tier_object.is_object()) return;
  for (const auto& [tier, entries] : tier_object.json().items()) {
    const std::string pointer = tier_object.pointer_of(tier);
    if (!entries.is_array() || entries.empty()) {
      problems.add_got(pointer, "must be a non-empty array of dated entries", entries);
      continue;
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (auto entry = read_entry(problems, entries[i], child_pointer(pointer, i))) {
        tiers[tier].push_back(std::move(*entry));
      }
    }
  }
}

}  // namespace

bool is_month(const std::string& text) {
  if (text.size() != 7 || text[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return text.substr(5) >= "01" && text.substr(5) <= "12";
}

std::vector<std::string> read_limits_table(
    const std::string& text,
    std::map<std::string, std::map<std::string, std::vector<PublishedEntry>>>& table) {
  Json document;
  Problems problems;
  try {
    parse_document(text, "", document, problems);
  } catch (const ScenarioError& error) {
    const ScenarioProblem& problem = error.problems().front();
    if (problem.line == 0) return {(problem.pointer.empty() ? "/" : problem.pointer) + ": " + problem.message};
    return {"line " + std::to_string(problem.line) + ", column " + std::to_string(problem.column) +
            ": " + problem.message};
  }
  const ObjectReader root(problems, &document, "",
                          {"provider", "description", "reference", "models"});
  if (root.require("models")) {
    const ObjectReader models(problems, root.get("models"), "/models", {});
    if (models.is_object()) {
      for (const auto& [name, value] : models.json().items()) {
        const ObjectReader model(problems, &value, models.pointer_of(name), {"tiers"});
        read_tiers(problems, model, table[name]);
      }
    }
  }
  std::vector<std::string> lines;
  for (const ScenarioProblem& problem : problems.list()) {
    lines.push_back((problem.pointer.empty() ? "/" : problem.pointer) + ": " + problem.message);
  }
  return lines;
}

std::vector<std::string> default_limits_dirs(const std::string& scenario_file,
                                             const std::string& limits_dir) {
  if (!limits_dir.empty()) return {limits_dir};
  namespace fs = std::filesystem;
  const fs::path beside = fs::path(scenario_file).parent_path() / ".." / "limits";
  std::vector<std::string> dirs = {beside.lexically_normal().string(), "data/limits"};
#ifdef LLMSIM_DATA_DIR
  // The source tree this build came from, so that a scenario anywhere finds the published limits.
  dirs.push_back(LLMSIM_DATA_DIR "/limits");
#endif
  std::sort(dirs.begin() + 1, dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  if (dirs.size() > 1 && dirs[1] == dirs[0]) dirs.erase(dirs.begin() + 1);
  return dirs;
}

bool PublishedLimits::load(Problems& problems, const std::string& pointer) {
  if (!tried_) {
    tried_ = true;
    std::vector<std::string_view> tried;
    std::vector<std::string> paths;
    for (const std::string& dir : dirs_) {
      paths.push_back((std::filesystem::path(dir) / kLimitsFile).lexically_normal().string());
    }
    std::string text;
    std::string error;
    for (const std::string& path : paths) {
      if (!read_text_file(path, text, error)) continue;
      path_ = path;
      for (const std::string& line : read_limits_table(text, table_)) {
        load_errors_.push_back("published limits " + path + ": " + line);
      }
      loaded_ = load_errors_.empty();
      break;
    }
    if (path_.empty()) {
      for (const std::string& path : paths) tried.push_back(path);
      load_errors_.push_back("cannot read the published limits (tried " + join(tried) + ")");
    }
  }
  for (const std::string& error : load_errors_) problems.add(pointer, error);
  return loaded_;
}

std::optional<PublishedEntry> PublishedLimits::lookup(const ObjectReader& limits,
                                                      const Query& query, std::string& path) {
  Problems& problems = limits.problems();
  if (!load(problems, limits.pointer())) return std::nullopt;
  path = path_;
  const auto found_model = table_.find(query.model);
  if (found_model == table_.end()) {
    std::vector<std::string_view> models;
    for (const auto& [name, unused] : table_) models.push_back(name);
    problems.add_got(query.model_pointer,
                     "must be one of " + join(models) + " (published in " + path_ + ")",
                     query.model_value);
    return std::nullopt;
  }
  const auto found_tier = found_model->second.find(query.tier);
  if (found_tier == found_model->second.end()) {
    std::vector<std::string_view> tiers;
    for (const auto& [name, unused] : found_model->second) tiers.push_back(name);
    problems.add_got(limits.pointer_of("tier"),
                     "must be one of " + join(tiers) + " (tiers published for " + query.model +
                         " in " + path_ + ")",
                     *limits.get("tier"));
    return std::nullopt;
  }
  const PublishedEntry* best = nullptr;
  std::vector<std::string_view> dates;
  for (const PublishedEntry& entry : found_tier->second) {
    dates.push_back(entry.as_of);
    if (query.as_of && entry.as_of > *query.as_of) continue;
    if (best == nullptr || entry.as_of > best->as_of) best = &entry;
  }
  if (best == nullptr) {
    std::sort(dates.begin(), dates.end());
    problems.add_got(limits.pointer_of("as_of"),
                     "must be on or after the oldest entry for " + query.model + " tier " +
                         query.tier + " (" + join(dates) + " in " + path_ + ")",
                     *limits.get("as_of"));
    return std::nullopt;
  }
  return *best;
}

}  // namespace llmsim::scenario_detail
