// Private to the scenario loader: reading a JSON document field by field while collecting problems.
//
// A Problems list gathers `pointer: rule, got VALUE` entries; an ObjectReader reads one JSON
// object, reports keys it does not know (with a "did you mean" when one is close), and returns each
// field as an optional that is empty when the field is absent or wrong (the problem is then
// recorded). Numbers carry the rule they break in the message: "must be an integer >= 1, got 2.5".
//
//   Problems problems;
//   ObjectReader phase(problems, &json, "/workload/phases/0", {"name", "users"});
//   assign(result.users, phase.integer("users", IntRule::at_least(1)));
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario.hpp"

namespace llmsim::scenario_detail {

// Scenario JSON keeps its keys in document order, so problems and dumps follow the file.
using Json = nlohmann::ordered_json;

// Returns `pointer` extended by one object key (escaped as RFC 6901 says: ~ -> ~0, / -> ~1).
std::string child_pointer(const std::string& pointer, std::string_view key);

// Returns `pointer` extended by one array index.
std::string child_pointer(const std::string& pointer, std::size_t index);

// Returns the compact JSON text of `value`, cut to about 60 bytes with "..." (never inside a
// UTF-8 sequence).
std::string dump_value(const Json& value);

// Returns the shortest text that reads back as `value`: "0.5", "30", "1e+09".
std::string format_number(double value);

// Returns the Levenshtein distance between two byte strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Returns the candidate closest to `word` when it is within 2 edits, or one edit per 3 letters of
// the longer word ("complete" -> "completion"); the first on a tie.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// Returns the items joined with ", ".
std::string join(const std::vector<std::string_view>& items);

// Problems found in one document; each is where, which rule, and what value was found.
class Problems {
 public:
  // Records `message` at `pointer` as it stands.
  void add(std::string pointer, std::string message);

  // Records "RULE, got VALUE" with VALUE the JSON text of `value`.
  void add_got(std::string pointer, std::string_view rule, const Json& value);

  // Records "required, got nothing".
  void add_missing(std::string pointer);

  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  std::vector<ScenarioProblem>& list() { return list_; }

 private:
  std::vector<ScenarioProblem> list_;
};

// The allowed range of an integer field.
struct IntRule {
  std::int64_t min = 0;
  std::int64_t max = std::numeric_limits<std::int64_t>::max();

  static IntRule at_least(std::int64_t min) {
    return {min, std::numeric_limits<std::int64_t>::max()};
  }
  // For fields held in an `int`.
  static IntRule int_at_least(int min) { return {min, std::numeric_limits<int>::max()}; }
};

// The allowed range of a number field: above (or at least) `min`, at most `max`.
struct NumberRule {
  double min = -std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();

  static NumberRule any() { return {}; }
  static NumberRule at_least(double min) { return {min, false}; }
  static NumberRule above(double min) { return {min, true}; }
  static NumberRule probability() { return {0.0, false, 1.0}; }

  // Returns whether `value` is in range.
  bool allows(double value) const;
  // Returns the rule as text for a value it refuses: "must be a number > 0", "... in [0, 1]".
  std::string describe(double value) const;
};

// Reads a JSON value as an integer under `rule` (whole floats such as 5.0 or 1e3 count); records
// "must be an integer >= MIN" (or "<= MAX") and returns nothing when it is not.
std::optional<std::int64_t> read_integer(Problems& problems, const Json& value,
                                         const std::string& pointer, IntRule rule);

// Reads a JSON number under `rule`; records the rule and returns nothing when it breaks it.
std::optional<double> read_number(Problems& problems, const Json& value, const std::string& pointer,
                                  NumberRule rule);

// Reads a JSON string; with `non_empty`, "" is refused.
std::optional<std::string> read_string(Problems& problems, const Json& value,
                                       const std::string& pointer, bool non_empty);

// Reads a string that must be one of `allowed`; records "must be one of A, B, got VALUE".
std::optional<std::string> read_choice(Problems& problems, const Json& value,
                                       const std::string& pointer,
                                       const std::vector<std::string_view>& allowed);

// Reads one JSON object, checking its keys against the known ones.
class ObjectReader {
 public:
  // Reads `value` at `pointer` (nullptr: absent, nothing is reported). A value that is not an
  // object is reported as "must be an object"; each unknown key as "unknown key (did you mean
  // ...)" or "unknown key (expected one of ...)". An empty `known` reads a map: any key goes.
  ObjectReader(Problems& problems, const Json* value, std::string pointer,
               std::vector<std::string_view> known);

  bool is_object() const { return object_ != nullptr; }
  bool has(std::string_view key) const { return get(key) != nullptr; }
  const Json* get(std::string_view key) const;
  const std::string& pointer() const { return pointer_; }
  std::string pointer_of(std::string_view key) const { return child_pointer(pointer_, key); }
  const Json& json() const { return *object_; }  // only when is_object()
  Problems& problems() const { return *problems_; }

  // Records "required, got nothing" when the object lacks `key`; returns whether it has it.
  bool require(std::string_view key) const;

  // Returns the nested object at `key` as a reader (absent: an empty reader, nothing reported).
  ObjectReader object(std::string_view key, std::vector<std::string_view> known) const;

  std::optional<std::string> string(std::string_view key, bool non_empty = false) const;
  std::optional<std::string> choice(std::string_view key,
                                    const std::vector<std::string_view>& allowed) const;
  std::optional<std::int64_t> integer(std::string_view key, IntRule rule) const;
  std::optional<double> number(std::string_view key, NumberRule rule) const;
  std::optional<bool> boolean(std::string_view key) const;

 private:
  Problems* problems_;
  const Json* object_ = nullptr;
  std::string pointer_;
};

// Assigns `value` to `target` when there is one (converting, e.g. int64 -> int after a range
// check).
template <typename T, typename U>
void assign(T& target, const std::optional<U>& value) {
  if (value) target = static_cast<T>(*value);
}

// Reads a whole file into `text`; on failure returns false and sets `error` to strerror's text.
bool read_text_file(const std::string& path, std::string& text, std::string& error);

// Parses scenario text into `document`. Invalid JSON throws ScenarioError with one
// `FILE:LINE:COLUMN: invalid JSON: ...` problem; duplicate keys are recorded in `problems`.
void parse_document(const std::string& text, const std::string& file, Json& document,
                    Problems& problems);

// Orders `problems` as their places appear in `document` (a place that is absent counts as its
// nearest present ancestor), keeping the order of recording among equals.
void sort_by_document(std::vector<ScenarioProblem>& problems, const Json& document);

}  // namespace llmsim::scenario_detail
