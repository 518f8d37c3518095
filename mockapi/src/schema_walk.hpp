// Internal: what the schema check and the generator share: $ref resolution, the types a schema
// allows, and each schema's "height" (how many $ref steps its shortest finite value needs).
#pragma once

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
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

// The types a schema may take, as the generator tells them apart.
enum class Type { object, array, null, boolean, integer, number, string };

// One subschema of a CheckedSchema, worked out for the generator: which keyword decides its
// value (the first of $ref, const, enum, anyOf, else its types), and the heights of its choices.
struct Node {
  enum class Kind { ref, const_value, enum_value, any_of, typed };
  struct Property {
    std::string key;  // the name as JSON text with its ':' ("\"city\":")
    const Node* schema = nullptr;
    bool is_required = false;
  };

  const SchemaJson* json = nullptr;  // for the scalar bounds (format, pattern, lengths, numbers)
  Kind kind = Kind::typed;
  const Node* target = nullptr;                // ref
  std::vector<std::string> texts;              // const: its JSON text; enum: each value's
  std::vector<const Node*> branches;           // anyOf
  std::vector<int> branch_heights;
  std::vector<Type> types;                     // typed: types_of, in order
  std::vector<int> type_heights;
  std::vector<Property> properties;            // object: in schema order
  std::vector<std::string> extra_required;     // required names without a property (JSON text + ':')
  const Node* items = nullptr;                 // array: `items` (any value when absent)
  std::size_t min_items = 0;
  std::size_t max_items = 0;                   // at most min_items + kMaxGeneratedItems
};

// Every subschema of a root worked out once (a $ref target shared by all its $refs).
struct Plan {
  std::deque<Node> nodes;
  const Node* root = nullptr;
};

// Returns the plan of `root`, a schema check_schema() accepted; its nodes point into `root`.
std::unique_ptr<const Plan> make_plan(const SchemaJson& root);

}  // namespace llmsim::mockapi::schema
