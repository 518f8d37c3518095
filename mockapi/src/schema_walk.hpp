// Internal: what the schema check and the generator share: $ref resolution, the types a schema
// allows, and each schema's "height" (how many $ref steps its shortest finite value needs).
#pragma once

#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/schema_values.hpp"

namespace llmsim::mockapi::schema {

// Returns the pieces joined (GCC 12 warns falsely, -Werror=restrict, on "literal" + std::string).
inline std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (std::string_view piece : pieces) out += piece;
  return out;
}

// A height for a schema with no finite value (every way through it recurses forever).
inline constexpr int kInfinite = std::numeric_limits<int>::max();

// Returns the schema `ref` names in `root` ("#", "#/$defs/a", any "#/json/pointer"), or nullptr.
const SchemaJson* resolve_ref(const SchemaJson& root, std::string_view ref);

// Returns the types a schema allows, in order: its `type` (one or a list), else "object" with
// `properties`, "array" with `items`, else "string". enum/const/anyOf/$ref are handled apart.
std::vector<std::string> types_of(const SchemaJson& schema);

// Returns whether `schema` lists `name` in its `required`.
bool is_required(const SchemaJson& schema, const std::string& name);

// Returns a number (integer when `is_integer`) that satisfies the minimum, maximum,
// exclusiveMinimum, exclusiveMaximum and multipleOf of `schema`, as JSON text, drawn from `rng`
// (nullptr: the lowest such number); nullopt when there is none. Without bounds the numbers lie
// in [0, 100]; one bound alone spans 100 from it.
std::optional<std::string> number_value(const SchemaJson& schema, bool is_integer,
                                        RandomStream* rng);

// The heights of every $ref target of a root schema, computed once (a fixed point).
class Heights {
 public:
  explicit Heights(const SchemaJson& root);

  // Returns the $ref steps the shortest finite value of `schema` takes, or kInfinite. The
  // shortest value keeps only required properties and minItems items.
  int of(const SchemaJson& schema) const;

  // Returns the height of one type of `schema` ("object", "array", or a scalar: 0).
  int of_type(const SchemaJson& schema, const std::string& type) const;

 private:
  void collect(const SchemaJson& schema);

  const SchemaJson& root_;
  std::map<const SchemaJson*, int> targets_;
};

}  // namespace llmsim::mockapi::schema
