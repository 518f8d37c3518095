// check_schema(): OpenAI's structured-outputs rules, the first problem as OpenAI's 400.
//
// Messages: OpenAI's own words where they are public (seen in API answers quoted by users of the
// API, e.g. "Invalid schema for response_format 'x': In context=(), 'additionalProperties' is
// required to be supplied and to be false."; "... 'required' is required to be supplied and to be
// an array including every key in properties. Missing 'b'."; "... In context=('properties',
// 'a'), 'allOf' is not permitted."; "schema must be a JSON Schema of 'type: \"object\"', got
// 'type: \"array\"'."), codes invalid_json_schema (response_format) and
// invalid_function_parameters (tools). The rest (bad patterns, formats, unsatisfiable bounds,
// recursion without end) is worded by us in the same style.
#include <array>
#include <cmath>
#include <set>

#include "mockapi/schema_values.hpp"
#include "pattern_text.hpp"
#include "schema_walk.hpp"

namespace llmsim::mockapi {
namespace {

// Keywords of OpenAI's supported subset, plus annotations that change no value.
const std::set<std::string, std::less<>>& supported_keywords() {
  static const std::set<std::string, std::less<>> kKeywords = {
      "type", "properties", "required", "additionalProperties", "enum", "const", "items",
      "anyOf", "$ref", "$defs", "definitions", "description", "title", "default", "examples",
      "$schema", "$id", "$comment", "pattern", "format", "minLength", "maxLength", "minimum",
      "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems"};
  return kKeywords;
}

constexpr std::array<std::string_view, 7> kTypes = {"string", "number", "integer", "boolean",
                                                    "object", "array",  "null"};
// OpenAI's supported string formats.
constexpr std::array<std::string_view, 9> kFormats = {
    "date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"};

// A path inside the schema, printed as OpenAI prints it: a Python tuple.
using Context = std::vector<std::string>;  // each element already quoted ('a') or a number

std::string context_text(const Context& context) {
  std::string out = "(";
  for (std::size_t i = 0; i < context.size(); ++i) {
    if (i > 0) out += ", ";
    out += context[i];
  }
  if (context.size() == 1) out += ',';
  return out + ")";
}

Context with(Context context, std::string_view key, std::optional<std::string> name = {}) {
  context.push_back(schema::cat({"'", key, "'"}));
  if (name) context.push_back(*name);
  return context;
}

std::string quote_name(std::string_view text) { return schema::cat({"'", text, "'"}); }

class Checker {
 public:
  Checker(const SchemaJson& root, const SchemaPlace& place) : root_(root), place_(place) {}

  std::optional<wire::ApiError> run() {
    if (!root_.is_object()) return fail_plain("schema must be a JSON Schema object");
    const auto types = root_.contains("type") && root_["type"].is_string()
                           ? root_["type"].get<std::string>() : std::string();
    if (types != "object" && !(types.empty() && root_.contains("properties"))) {
      const std::string got = root_.contains("type") ? root_["type"].dump() : "\"\"";
      return fail_plain(
          schema::cat({"schema must be a JSON Schema of 'type: \"object\"', got 'type: ", got, "'."}));
    }
    node(root_, {}, 0);
    if (!error_ && schema::Heights(root_).of(root_) == schema::kInfinite) {
      fail({}, "the schema has no finite value: every branch recurses without end.");
    }
    return error_;
  }

 private:
  wire::ApiError make(std::string message) const {
    const bool is_function = place_.kind == SchemaPlace::Kind::function;
    return wire::ApiError{.message = schema::cat({is_function ? "Invalid schema for function "
                                                   : "Invalid schema for response_format ",
                                       quote_name(place_.name), ": ", message}),
                    .param = place_.param,
                    .code = is_function ? "invalid_function_parameters" : "invalid_json_schema"};
  }
  std::optional<wire::ApiError> fail_plain(std::string message) { return make(std::move(message)); }
  void fail(const Context& context, const std::string& message) {
    if (!error_) error_ = make(schema::cat({"In context=", context_text(context), ", ", message}));
  }

  void node(const SchemaJson& schema, const Context& context, int nesting) {
    if (error_) return;
    if (!schema.is_object()) {
      fail(context, "schema must be an object.");
      return;
    }
    for (const auto& [key, value] : schema.items()) {
      if (!supported_keywords().contains(key)) {
        fail(context, quote_name(key) + " is not permitted.");
        return;
      }
    }
    check_type(schema, context);
    check_object(schema, context, nesting);
    check_children(schema, context, nesting);
    check_string(schema, context);
    check_number(schema, context);
    check_array(schema, context);
    check_ref(schema, context);
  }

  void check_type(const SchemaJson& schema, const Context& context) {
    auto it = schema.find("type");
    if (it == schema.end()) {
      if (place_.strict && !schema.contains("$ref") && !schema.contains("anyOf") &&
          !schema.contains("enum") && !schema.contains("const") && !context.empty()) {
        fail(context, "schema must have a 'type' key.");
      }
      return;
    }
    std::vector<SchemaJson> types;
    if (it->is_string()) types.push_back(*it);
    if (it->is_array() && !it->empty()) types.assign(it->begin(), it->end());
    if (types.empty()) fail(context, it->dump() + " is not a valid type.");
    for (const auto& type : types) {
      const bool known = type.is_string() && std::find(kTypes.begin(), kTypes.end(),
                                                       type.get<std::string>()) != kTypes.end();
      if (!known) {
        fail(context, type.dump() + " is not a valid type.");
        return;
      }
    }
  }

  void check_object(const SchemaJson& schema, const Context& context, int nesting) {
    const auto types = error_ ? std::vector<std::string>{} : schema::types_of(schema);
    if (std::find(types.begin(), types.end(), "object") == types.end()) return;
    if (nesting > kMaxSchemaNesting) {
      fail(context, schema::cat({"objects are nested more than ", std::to_string(kMaxSchemaNesting),
                                 " levels deep."}));
      return;
    }
    auto properties = schema.find("properties");
    if (properties != schema.end() && !properties->is_object()) {
      fail(context, "'properties' must be an object.");
      return;
    }
    auto required = schema.find("required");
    if (required != schema.end() && !required->is_array()) {
      fail(context, "'required' must be an array.");
      return;
    }
    if (!place_.strict) return;
    auto additional = schema.find("additionalProperties");
    if (additional == schema.end() || *additional != false) {
      fail(context, "'additionalProperties' is required to be supplied and to be false.");
      return;
    }
    check_strict_required(schema, context);
  }

  void check_strict_required(const SchemaJson& schema, const Context& context) {
    static const SchemaJson kNone = SchemaJson::object();
    const SchemaJson& properties = schema.contains("properties") ? schema["properties"] : kNone;
    const std::string rule =
        "'required' is required to be supplied and to be an array including every key in "
        "properties.";
    for (const auto& [name, property] : properties.items()) {
      if (!schema::is_required(schema, name)) {
        fail(context, schema::cat({rule, " Missing ", quote_name(name), "."}));
        return;
      }
    }
    if (!schema.contains("required")) return;
    for (const auto& name : schema["required"]) {
      if (!name.is_string() || !properties.contains(name.get<std::string>())) {
        const std::string extra = name.is_string() ? quote_name(name.get<std::string>()) : name.dump();
        fail(context, schema::cat({rule, " Extra required key ", extra, " supplied."}));
        return;
      }
    }
  }

  void check_children(const SchemaJson& schema, const Context& context, int nesting) {
    if (error_) return;
    if (auto it = schema.find("properties"); it != schema.end()) {
      for (const auto& [name, property] : it->items()) {
        node(property, with(context, "properties", quote_name(name)), nesting + 1);
      }
    }
    if (auto it = schema.find("items"); it != schema.end()) {
      if (it->is_object()) node(*it, with(context, "items"), nesting);
      else fail(context, "'items' must be a schema object.");
    }
    if (auto it = schema.find("anyOf"); it != schema.end()) {
      if (!it->is_array() || it->empty()) fail(context, "'anyOf' must be a non-empty array.");
      for (std::size_t i = 0; !error_ && i < it->size(); ++i) {
        node((*it)[i], with(context, "anyOf", std::to_string(i)), nesting);
      }
    }
    for (const char* defs : {"$defs", "definitions"}) {
      if (auto it = schema.find(defs); it != schema.end()) {
        if (!it->is_object()) fail(context, quote_name(defs) + " must be an object.");
        for (const auto& [name, def] : it->items()) node(def, with(context, defs, quote_name(name)), 0);
      }
    }
    if (auto it = schema.find("enum"); it != schema.end() && (!it->is_array() || it->empty())) {
      fail(context, "'enum' must be a non-empty array.");
    }
  }

  void check_string(const SchemaJson& schema, const Context& context) {
    if (error_) return;
    if (auto it = schema.find("pattern"); it != schema.end()) {
      if (!it->is_string()) return fail(context, "'pattern' must be a string.");
      if (auto why = pattern_problem(it->get<std::string>())) {
        return fail(context, schema::cat({"'pattern' ", it->dump(), " is not supported: ", *why, "."}));
      }
    }
    if (auto it = schema.find("format"); it != schema.end()) {
      const bool known = it->is_string() && std::find(kFormats.begin(), kFormats.end(),
                                                      it->get<std::string>()) != kFormats.end();
      if (!known) return fail(context, schema::cat({"'format' ", it->dump(), " is not supported."}));
    }
    check_range(schema, context, "minLength", "maxLength");
  }

  void check_array(const SchemaJson& schema, const Context& context) {
    check_range(schema, context, "minItems", "maxItems");
  }

  // Checks a pair of non-negative integer bounds (minLength/maxLength, minItems/maxItems).
  void check_range(const SchemaJson& schema, const Context& context, const char* low,
                   const char* high) {
    if (error_) return;
    for (const char* key : {low, high}) {
      auto it = schema.find(key);
      if (it != schema.end() && !(it->is_number_unsigned() || (it->is_number_integer() && *it >= 0))) {
        return fail(context, quote_name(key) + " must be a non-negative integer.");
      }
    }
    if (schema.contains(low) && schema.contains(high) && schema[low] > schema[high]) {
      fail(context, schema::cat({quote_name(low), " ", schema[low].dump(), " is greater than ",
                                 quote_name(high), " ", schema[high].dump(),
                                 ": no value can satisfy both."}));
    }
  }

  void check_number(const SchemaJson& schema, const Context& context) {
    if (error_) return;
    for (const char* key : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                            "multipleOf"}) {
      auto it = schema.find(key);
      if (it != schema.end() && !it->is_number()) {
        return fail(context, quote_name(key) + " must be a number.");
      }
    }
    if (auto it = schema.find("multipleOf"); it != schema.end() && !(*it > 0)) {
      return fail(context, "'multipleOf' must be greater than 0.");
    }
    const auto types = schema::types_of(schema);
    for (const char* type : {"integer", "number"}) {
      if (std::find(types.begin(), types.end(), type) != types.end() &&
          !schema::number_value(schema, type == std::string_view("integer"), nullptr)) {
        return fail(context, schema::cat({"no ", type,
                                         " satisfies its minimum, maximum and multipleOf."}));
      }
    }
  }

  void check_ref(const SchemaJson& schema, const Context& context) {
    if (error_) return;
    auto it = schema.find("$ref");
    if (it == schema.end()) return;
    if (!it->is_string() || schema::resolve_ref(root_, it->get<std::string>()) == nullptr) {
      fail(context, schema::cat({"reference to component ", it->dump(),
                                 " which was not found in the schema."}));
    }
  }

  const SchemaJson& root_;
  const SchemaPlace& place_;
  std::optional<wire::ApiError> error_;
};

}  // namespace

std::optional<wire::ApiError> check_schema(const SchemaJson& schema, const SchemaPlace& place) {
  return Checker(schema, place).run();
}

}  // namespace llmsim::mockapi
