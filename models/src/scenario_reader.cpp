// Reading JSON field by field with collected problems (see scenario_reader.hpp).
#include "scenario_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace llmsim::scenario_detail {

namespace {

// Longest value text in a message before it is cut with "...".
constexpr std::size_t kMaxValueChars = 60;

// Most edits for a "did you mean" suggestion: 2, or one per 3 letters of the longer word.
constexpr std::size_t kMaxSuggestionDistance = 2;
constexpr std::size_t kLettersPerEdit = 3;

// Largest magnitude at which every whole double is exactly an integer (2^53).
constexpr double kMaxExactInteger = 9007199254740992.0;

std::string integer_rule_text(IntRule rule, bool too_large) {
  if (too_large) return "must be an integer <= " + std::to_string(rule.max);
  return "must be an integer >= " + std::to_string(rule.min);
}

}  // namespace

std::string child_pointer(const std::string& pointer, std::string_view key) {
  std::string result = pointer + "/";
  for (char c : key) {
    if (c == '~') {
      result += "~0";
    } else if (c == '/') {
      result += "~1";
    } else {
      result += c;
    }
  }
  return result;
}

std::string child_pointer(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string dump_value(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() <= kMaxValueChars) return text;
  std::size_t cut = kMaxValueChars - 3;
  // Back off to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return text.substr(0, cut) + "...";
}

std::string format_number(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc{}) return "?";
  return std::string(buffer, end);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    const std::size_t allowed =
        std::max(kMaxSuggestionDistance, std::max(word.size(), candidate.size()) / kLettersPerEdit);
    if (distance <= allowed && distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string result;
  for (std::string_view item : items) {
    if (!result.empty()) result += ", ";
    result += item;
  }
  return result;
}

// --- Problems ---------------------------------------------------------------------------------

void Problems::add(std::string pointer, std::string message) {
  list_.push_back(ScenarioProblem{std::move(pointer), std::move(message)});
}

void Problems::add_got(std::string pointer, std::string_view rule, const Json& value) {
  add(std::move(pointer), std::string(rule) + ", got " + dump_value(value));
}

void Problems::add_missing(std::string pointer) {
  add(std::move(pointer), "required, got nothing");
}

// --- rules ------------------------------------------------------------------------------------

bool NumberRule::allows(double value) const {
  if (value < min || (min_exclusive && value == min)) return false;
  return value <= max;
}

std::string NumberRule::describe(double value) const {
  if (std::isfinite(min) && std::isfinite(max)) {
    return "must be a number in [" + format_number(min) + ", " + format_number(max) + "]";
  }
  if (value > max) return "must be a number <= " + format_number(max);
  if (!std::isfinite(min)) return "must be a number";
  return std::string("must be a number ") + (min_exclusive ? "> " : ">= ") + format_number(min);
}

std::optional<std::int64_t> read_integer(Problems& problems, const Json& value,
                                         const std::string& pointer, IntRule rule) {
  std::optional<std::int64_t> result;
  bool too_large = false;
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    too_large = unsigned_value > static_cast<std::uint64_t>(rule.max);
    if (!too_large) result = static_cast<std::int64_t>(unsigned_value);
  } else if (value.is_number_integer()) {
    result = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    const double number = value.get<double>();
    if (std::floor(number) == number && std::fabs(number) <= kMaxExactInteger) {
      result = static_cast<std::int64_t>(number);
    } else if (std::floor(number) == number) {
      too_large = number > 0;
    }
  }
  if (result && *result > rule.max) {
    too_large = true;
    result.reset();
  }
  if (result && *result < rule.min) result.reset();
  if (!result) problems.add_got(pointer, integer_rule_text(rule, too_large), value);
  return result;
}

std::optional<double> read_number(Problems& problems, const Json& value, const std::string& pointer,
                                  NumberRule rule) {
  if (!value.is_number()) {
    problems.add_got(pointer, rule.describe(0.0), value);
    return std::nullopt;
  }
  const double number = value.get<double>();
  if (!rule.allows(number)) {
    problems.add_got(pointer, rule.describe(number), value);
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> read_string(Problems& problems, const Json& value,
                                       const std::string& pointer, bool non_empty) {
  if (!value.is_string() || (non_empty && value.get_ref<const std::string&>().empty())) {
    problems.add_got(pointer, non_empty ? "must be a non-empty string" : "must be a string", value);
    return std::nullopt;
  }
  return value.get<std::string>();
}

std::optional<std::string> read_choice(Problems& problems, const Json& value,
                                       const std::string& pointer,
                                       const std::vector<std::string_view>& allowed) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return text;
  }
  problems.add_got(pointer, "must be one of " + join(allowed), value);
  return std::nullopt;
}

// --- ObjectReader -----------------------------------------------------------------------------

ObjectReader::ObjectReader(Problems& problems, const Json* value, std::string pointer,
                           std::vector<std::string_view> known)
    : problems_(&problems), pointer_(std::move(pointer)) {
  if (value == nullptr) return;
  if (!value->is_object()) {
    problems.add_got(pointer_, "must be an object", *value);
    return;
  }
  object_ = value;
  if (known.empty()) return;  // a map: any key is allowed
  for (const auto& [key, unused] : value->items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const auto suggestion = closest_match(key, known);
    problems.add(child_pointer(pointer_, key),
                 suggestion ? "unknown key (did you mean \"" + *suggestion + "\"?)"
                            : "unknown key (expected one of " + join(known) + ")");
  }
}

const Json* ObjectReader::get(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  const auto found = object_->find(key);
  return found == object_->end() ? nullptr : &*found;
}

bool ObjectReader::require(std::string_view key) const {
  if (object_ == nullptr) return false;
  if (has(key)) return true;
  problems_->add_missing(pointer_of(key));
  return false;
}

ObjectReader ObjectReader::object(std::string_view key, std::vector<std::string_view> known) const {
  return ObjectReader(*problems_, get(key), pointer_of(key), std::move(known));
}

std::optional<std::string> ObjectReader::string(std::string_view key, bool non_empty) const {
  const Json* value = get(key);
  if (value == nullptr) return std::nullopt;
  return read_string(*problems_, *value, pointer_of(key), non_empty);
}

std::optional<std::string> ObjectReader::choice(
    std::string_view key, const std::vector<std::string_view>& allowed) const {
  const Json* value = get(key);
  if (value == nullptr) return std::nullopt;
  return read_choice(*problems_, *value, pointer_of(key), allowed);
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, IntRule rule) const {
  const Json* value = get(key);
  if (value == nullptr) return std::nullopt;
  return read_integer(*problems_, *value, pointer_of(key), rule);
}

std::optional<double> ObjectReader::number(std::string_view key, NumberRule rule) const {
  const Json* value = get(key);
  if (value == nullptr) return std::nullopt;
  return read_number(*problems_, *value, pointer_of(key), rule);
}

std::optional<bool> ObjectReader::boolean(std::string_view key) const {
  const Json* value = get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    problems_->add_got(pointer_of(key), "must be true or false", *value);
    return std::nullopt;
  }
  return value->get<bool>();
}

}  // namespace llmsim::scenario_detail
