// $ref resolution and the shortest-value heights the generator uses to end recursion.
#include "schema_walk.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace llmsim::mockapi::schema {
namespace {

int plus_one(int height) { return height == kInfinite ? kInfinite : height + 1; }

}  // namespace

const SchemaJson* resolve_ref(const SchemaJson& root, std::string_view ref) {
  if (ref == "#") return &root;
  if (!ref.starts_with("#/")) return nullptr;
  try {
    const SchemaJson::json_pointer pointer(std::string(ref.substr(1)));
    return root.contains(pointer) ? &root.at(pointer) : nullptr;
  } catch (const SchemaJson::exception&) {
    return nullptr;  // not a JSON pointer ("#/a~2")
  }
}

std::vector<std::string> types_of(const SchemaJson& schema) {
  auto it = schema.find("type");
  if (it != schema.end()) {
    if (it->is_string()) return {it->get<std::string>()};
    std::vector<std::string> types;
    for (const auto& type : *it) types.push_back(type.get<std::string>());
    return types;
  }
  if (schema.contains("properties")) return {"object"};
  if (schema.contains("items")) return {"array"};
  return {"string"};
}

bool is_required(const SchemaJson& schema, const std::string& name) {
  auto it = schema.find("required");
  if (it == schema.end() || !it->is_array()) return false;
  // Compared as strings: `item == name` would build a JSON value (and a string) for each item.
  return std::any_of(it->begin(), it->end(), [&](const SchemaJson& item) {
    return item.is_string() && item.get_ref<const std::string&>() == name;
  });
}

Heights::Heights(const SchemaJson& root) : root_(root) {
  collect(root);
  // Heights only fall, by at least one a round, so #targets + 1 rounds reach the fixed point.
  for (std::size_t round = 0; round <= targets_.size(); ++round) {
    bool changed = false;
    for (auto& [target, height] : targets_) {
      const int now = of(*target);
      if (now < height) {
        height = now;
        changed = true;
      }
    }
    if (!changed) break;
  }
}

void Heights::collect(const SchemaJson& schema) {
  if (schema.is_array()) {
    for (const auto& item : schema) collect(item);
    return;
  }
  if (!schema.is_object()) return;
  for (const auto& [key, value] : schema.items()) {
    if (key == "$ref" && value.is_string()) {
      if (const SchemaJson* target = resolve_ref(root_, value.get<std::string>())) {
        targets_.emplace(target, kInfinite);
      }
    } else if (key != "enum" && key != "const" && key != "default" && key != "examples") {
      collect(value);
    }
  }
}

int Heights::of(const SchemaJson& schema) const {
  if (!schema.is_object()) return 0;
  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    const SchemaJson* target = resolve_ref(root_, ref->get<std::string>());
    auto it = target == nullptr ? targets_.end() : targets_.find(target);
    return it == targets_.end() ? kInfinite : plus_one(it->second);
  }
  if (schema.contains("const") || schema.contains("enum")) return 0;
  if (auto any_of = schema.find("anyOf"); any_of != schema.end()) {
    int best = kInfinite;
    for (const auto& branch : *any_of) best = std::min(best, of(branch));
    return best;
  }
  int best = kInfinite;
  for (const std::string& type : types_of(schema)) best = std::min(best, of_type(schema, type));
  return best;
}

int Heights::of_type(const SchemaJson& schema, const std::string& type) const {
  if (type == "array") {
    auto min_items = schema.find("minItems");
    const bool may_be_empty = min_items == schema.end() || *min_items == 0;
    auto items = schema.find("items");
    return may_be_empty || items == schema.end() ? 0 : of(*items);
  }
  if (type != "object") return 0;
  int highest = 0;
  auto properties = schema.find("properties");
  if (properties == schema.end()) return 0;
  for (const auto& [name, property] : properties->items()) {
    if (is_required(schema, name)) highest = std::max(highest, of(property));
  }
  return highest;
}

}  // namespace llmsim::mockapi::schema

namespace llmsim::mockapi::schema {
namespace {

constexpr double kDefaultSpan = 100.0;      // numbers without both bounds span this much
constexpr double kLargestExact = 0x1p53;    // integers beyond 2^53 are not exact doubles
constexpr int kMultipleTries = 16;          // draws of k before taking the lowest k that works

struct Bounds {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;

  bool holds(double v) const {
    return (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
  }
};

Bounds bounds_of(const SchemaJson& schema) {
  Bounds b;
  auto number = [&](const char* key) -> std::optional<double> {
    auto it = schema.find(key);
    return it != schema.end() && it->is_number() ? std::optional(it->get<double>()) : std::nullopt;
  };
  if (auto v = number("minimum")) b.low = *v;
  if (auto v = number("exclusiveMinimum"); v && *v >= b.low) { b.low = *v; b.low_open = true; }
  if (auto v = number("maximum")) b.high = *v;
  if (auto v = number("exclusiveMaximum"); v && *v <= b.high) { b.high = *v; b.high_open = true; }
  const bool has_low = std::isfinite(b.low);
  const bool has_high = std::isfinite(b.high);
  if (!has_low && !has_high) { b.low = 0.0; b.high = kDefaultSpan; }
  if (has_low && !has_high) b.high = b.low + kDefaultSpan;
  if (!has_low && has_high) b.low = b.high - kDefaultSpan;
  return b;
}

std::string double_text(double v) {
  if (v == 0.0) return "0";  // no "-0"
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
  return std::string(buffer.data(), result.ptr);
}

double draw01(RandomStream* rng) { return rng == nullptr ? 0.0 : rng->uniform01(); }

// Returns k * m for a k in [k_low, k_high] whose product holds, is a multiple as JSON-Schema
// validators test it ((k m) / m an integer) and, for integers, integral.
std::optional<double> multiple_in(const Bounds& b, double m, bool is_integer, RandomStream* rng) {
  const double k_low = std::ceil(b.low / m);
  const double k_high = std::floor(b.high / m);
  if (!(k_low <= k_high) || std::abs(k_low) > kLargestExact || std::abs(k_high) > kLargestExact) {
    return std::nullopt;
  }
  auto works = [&](double k) {
    const double v = k * m;
    const double ratio = v / m;
    return b.holds(v) && ratio == std::floor(ratio) && (!is_integer || v == std::floor(v));
  };
  for (int i = 0; rng != nullptr && i < kMultipleTries; ++i) {
    const double k = k_low + std::floor(draw01(rng) * (k_high - k_low + 1));
    if (works(k)) return k * m;
  }
  for (double k = k_low; k <= k_high && k < k_low + kMultipleTries; ++k) {
    if (works(k)) return k * m;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> number_value(const SchemaJson& schema, bool is_integer,
                                        RandomStream* rng) {
  Bounds b = bounds_of(schema);
  if (auto m = schema.find("multipleOf"); m != schema.end() && m->is_number() && *m > 0) {
    auto v = multiple_in(b, m->get<double>(), is_integer, rng);
    if (!v) return std::nullopt;
    return is_integer ? std::to_string(static_cast<std::int64_t>(*v)) : double_text(*v);
  }
  if (is_integer) {
    const double low = std::max(b.low_open ? std::floor(b.low) + 1 : std::ceil(b.low), -kLargestExact);
    const double high = std::min(b.high_open ? std::ceil(b.high) - 1 : std::floor(b.high), kLargestExact);
    if (low > high) return std::nullopt;
    const double v = low + std::floor(draw01(rng) * (high - low + 1));
    return std::to_string(static_cast<std::int64_t>(std::min(v, high)));
  }
  if (b.low > b.high || (b.low == b.high && (b.low_open || b.high_open))) return std::nullopt;
  const double v = b.low + draw01(rng) * (b.high - b.low);
  const double rounded = std::round(v * 100.0) / 100.0;  // two decimals read like a model's
  if (b.holds(rounded)) return double_text(rounded);
  if (b.holds(v)) return double_text(v);
  const double middle = b.low + (b.high - b.low) / 2;
  return b.holds(middle) ? std::optional(double_text(middle)) : std::nullopt;
}

}  // namespace llmsim::mockapi::schema
