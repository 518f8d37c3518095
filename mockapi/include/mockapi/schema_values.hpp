// JSON values generated from a JSON Schema: tool-call arguments and structured outputs.
//
// One component serves every place a request hands the mock a schema: a chat tool's
// `function.parameters`, `response_format.json_schema.schema` (and later the Responses API's
// `text.format` and Anthropic's `input_schema`). check_schema() refuses a schema the way OpenAI's
// structured outputs do (the first problem, as OpenAI's 400 with its message and param);
// generate_json() writes a value valid against an accepted schema, deterministically from a
// RandomStream.
//
// Supported keywords (OpenAI's structured-outputs subset): type (one, or a list such as
// ["string", "null"]), properties, required, additionalProperties, enum, const, items, anyOf,
// $ref to "#" or "#/$defs/..." (also "#/definitions/..."), $defs/definitions, description, title,
// default, examples, and the bounds: string pattern (a regular-expression subset: literals,
// classes, groups, alternation, quantifiers), format (date-time, date, time, duration, email,
// hostname, ipv4, ipv6, uuid), minLength, maxLength; number and integer minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf; array minItems, maxItems. Any other keyword
// (allOf, oneOf, not, if/then/else, patternProperties, uniqueItems, contains, ...) is refused,
// strict or not, since the mock could only guess what it means; so is a root that is not an
// object. Strict mode (`strict: true`) adds OpenAI's rules: every object lists every property in
// `required`, has `additionalProperties: false`, and every subschema has a type (or enum, const,
// anyOf, $ref).
//
// Generated values: objects carry every property of `properties` in schema order (none beyond);
// arrays have between minItems and maxItems items (at most kMaxGeneratedItems beyond minItems);
// strings are reply words (mockapi/text_generator.hpp) unless a format or pattern shapes them;
// $ref recursion stops at kMaxRefDepth (the generator then takes the shortest way out: a null
// branch of anyOf, an empty array, no property ... check_schema refuses a schema with none).
// The text is compact JSON (no spaces), UTF-8, keys in schema order.
//
//   SchemaPlace place{.kind = SchemaPlace::Kind::function, .name = "get_weather",
//                     .param = "tools[0].function.parameters", .strict = true};
//   if (auto error = check_schema(schema, place)) throw RequestError(*error);
//   RandomStream rng = content_stream({.seed = 42, .key = "sk-1", .request_n = 7}, "tool-args");
//   std::string arguments = generate_json(schema, rng);   // {"location":"time","unit":"celsius"}
//   CheckedSchema checked(schema);                        // worked out once, generated often
//   std::string again = generate_json(checked, rng);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wire/openai_errors.hpp"
#include "models/random.hpp"

namespace llmsim::mockapi {

// Schemas are read with their key order (properties come out in the order given).
using SchemaJson = nlohmann::ordered_json;

// Deepest $ref chain the generator follows before taking the shortest way out.
inline constexpr int kMaxRefDepth = 3;
// Most array items generated beyond minItems (maxItems permitting).
inline constexpr int kMaxGeneratedItems = 3;
// Deepest nesting of objects OpenAI accepts in a structured-outputs schema.
inline constexpr int kMaxSchemaNesting = 10;

// Where a schema sits in a request: names OpenAI's error text and `param`.
struct SchemaPlace {
  enum class Kind { response_format, function };
  Kind kind = Kind::response_format;
  std::string name;   // json_schema.name, or the function's name
  std::string param;  // "response_format", "tools[2].function.parameters"
  bool strict = false;
};

// Returns the first problem of `schema` as OpenAI's 400 (message, param and code as OpenAI
// sends them), or nullopt when the generator can serve it.
std::optional<wire::ApiError> check_schema(const SchemaJson& schema, const SchemaPlace& place);

namespace schema {
struct Plan;
}

// A schema check_schema() accepted, with what generate_json() needs of each of its subschemas
// worked out once: the types it allows, which properties are required, the $ref targets and
// the heights that end recursion. A request's schema is checked once and generated from for
// every choice (and, kept by the chat parser, for every request with the same tools).
class CheckedSchema {
 public:
  // `json` must be a schema check_schema() accepted.
  explicit CheckedSchema(SchemaJson json);
  ~CheckedSchema();
  CheckedSchema(const CheckedSchema&) = delete;
  CheckedSchema& operator=(const CheckedSchema&) = delete;

  const SchemaJson& json() const { return json_; }
  const schema::Plan& plan() const { return *plan_; }

 private:
  SchemaJson json_;
  std::unique_ptr<const schema::Plan> plan_;  // points into json_
};

// Names the content of one choice of one request, as ReplyText names its words.
struct ContentName {
  std::uint64_t seed = 0;                     // the server's seed
  std::string_view key;                       // the API key
  std::uint64_t request_n = 0;                // the n-th request on the key
  int choice = 0;
  std::optional<std::int64_t> request_seed;   // the request's `seed`: replaces request_n
};

// Returns the stream of content `purpose` ("tool-args", "json", "tool-choice" ...) of `name`:
// (seed ^ hash(key), purpose, request_n, choice), with the request's seed in place of request_n
// when it gives one, so that a request with a seed gets the same content every time.
RandomStream content_stream(const ContentName& name, std::string_view purpose);

// Returns compact JSON text valid against `schema`, drawing from `rng`. Never throws.
std::string generate_json(const CheckedSchema& schema, RandomStream& rng);

// The same for a schema check_schema() accepted, worked out for this one call.
std::string generate_json(const SchemaJson& schema, RandomStream& rng);

// Returns a small JSON object of reply words (response_format json_object): 1 to 4 properties
// whose values are strings, numbers, booleans or arrays of strings.
std::string generate_json_object(RandomStream& rng);

}  // namespace llmsim::mockapi
