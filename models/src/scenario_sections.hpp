// Private to the scenario loader: one reader per part of the format (see data/README.md).
//
// Each reader takes the part's JSON through an ObjectReader, fills the in-memory form with what is
// valid, and records a problem for everything else; the caller throws when any were recorded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario.hpp"
#include "scenario_reader.hpp"

namespace llmsim::scenario_detail {

// --- distributions (scenario_distribution.cpp) ------------------------------------------------

// Reads a DIST: a number (constant) or {"dist": FAMILY, parameters...}. With `non_negative` (times
// and token counts) constants, uniform bounds, normal means and empirical values must be >= 0.
std::optional<Distribution> read_distribution(Problems& problems, const Json& value,
                                              const std::string& pointer, bool non_negative);

// Reads the DIST at `key` of `object` into `target` when it is present and valid.
void read_distribution_field(const ObjectReader& object, std::string_view key, Distribution& target,
                             bool non_negative);

// --- lists (scenario_distribution.cpp) --------------------------------------------------------

// Reads an array of strings: with `non_empty_array` [] is refused, each item must be a non-empty
// string (or one of `allowed` when that is given) and unique. Returns the items when all are valid.
std::optional<std::vector<std::string>> read_string_list(
    const ObjectReader& object, std::string_view key, bool non_empty_array,
    const std::vector<std::string_view>& allowed = {});

// --- published limits (scenario_limits.cpp) ---------------------------------------------------

// One dated row of a published-limits file.
struct PublishedEntry {
  std::string as_of;   // "YYYY-MM"
  std::string period;  // as the reference words it: "late 2024 to 2025"
  std::string source;  // "model page", or "" when the reference names none
  RateLimits limits;
};

// The published-limits file (<dir>/openai.json), read on first use.
class PublishedLimits {
 public:
  // `dirs` are tried in order; the first holding openai.json is used.
  explicit PublishedLimits(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  // What a "limits" object asks for.
  struct Query {
    std::string model;
    std::string model_pointer;  // where an unknown model is reported ("limits/model" or "models/0")
    Json model_value;           // the value reported
    std::string tier;
    std::optional<std::string> as_of;
  };

  // Looks up the query's model and tier (newest entry, or the newest with as_of <= `as_of`) for
  // the "limits" object `limits`, recording problems under its pointer; sets `path` to the file.
  std::optional<PublishedEntry> lookup(const ObjectReader& limits, const Query& query,
                                       std::string& path);

 private:
  using Table = std::map<std::string, std::map<std::string, std::vector<PublishedEntry>>>;

  // Reads the file once; records why it cannot be used at `pointer`. Returns whether it loaded.
  bool load(Problems& problems, const std::string& pointer);

  std::vector<std::string> dirs_;
  bool tried_ = false;
  bool loaded_ = false;
  std::string path_;
  std::vector<std::string> load_errors_;
  Table table_;
};

// Returns whether `text` is a month written "YYYY-MM" (01 to 12).
bool is_month(const std::string& text);

// Returns the directories searched for published limits when the caller gives none.
std::vector<std::string> default_limits_dirs(const std::string& scenario_file,
                                             const std::string& limits_dir);

// Reads the published-limits file text into `table`; returns problems as "POINTER: RULE" lines.
std::vector<std::string> read_limits_table(
    const std::string& text,
    std::map<std::string, std::map<std::string, std::vector<PublishedEntry>>>& table);

// --- parts of the scenario --------------------------------------------------------------------

// Reads "provider" or "providers" of the document root.
std::vector<ProviderConfig> read_providers(const ObjectReader& root, PublishedLimits& limits);

// Reads one PROVIDER object at `value`.
ProviderConfig read_provider(Problems& problems, const Json& value, const std::string& pointer,
                             PublishedLimits& limits);

// Reads "client" (absent: all defaults).
ClientConfig read_client(const ObjectReader& root);

// Reads "routing" of a client (scenario_routing.cpp).
void read_routing(const ObjectReader& client, RoutingConfig& out);

// Reads "local_fallback" of a client (scenario_routing.cpp); absent: none.
void read_local_fallback(const ObjectReader& client, std::optional<LocalFallbackConfig>& out);

// Returns the "  routing: ..." and "  local fallback: ..." lines of `llmsim check`, or "" when the
// client does not route (scenario_routing.cpp).
std::string describe_routing(const ClientConfig& client);

// Reads the strategies of a "client" object ("queue", "pacing", "cache", "priority") into `out`.
void read_strategies(const ObjectReader& client, ClientConfig& out);

// Reads "request"; its model defaults to the first provider's first model and must be served.
RequestConfig read_request(const ObjectReader& root, const std::vector<ProviderConfig>& providers);

// Reads "workload" (required, non-empty "phases").
Workload read_workload(const ObjectReader& root);

// Reads "thresholds"; a threshold's "phase" must name one of `workload`'s phases.
std::vector<Threshold> read_thresholds(const ObjectReader& root, const Workload& workload);

}  // namespace llmsim::scenario_detail
