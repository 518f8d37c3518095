#include "mockapi/schema_values.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

using ::testing::HasSubstr;

SchemaPlace format_place(bool strict = true) {
  return {.kind = SchemaPlace::Kind::response_format, .name = "answer", .param = "response_format",
          .strict = strict};
}

SchemaPlace function_place(bool strict = false) {
  return {.kind = SchemaPlace::Kind::function, .name = "get_weather",
          .param = "tools[0].function.parameters", .strict = strict};
}

std::string first_problem(std::string_view schema, const SchemaPlace& place) {
  auto error = check_schema(SchemaJson::parse(schema), place);
  return error ? error->message : "";
}

TEST(CheckSchema, AcceptsOpenAIsSubset) {
  const char* schema = R"({"type":"object","properties":{
      "city":{"type":"string","description":"a city"},
      "unit":{"type":["string","null"],"enum":["c","f",null]},
      "days":{"type":"integer","minimum":1,"maximum":7},
      "tags":{"type":"array","items":{"type":"string","format":"uuid"},"minItems":1,"maxItems":3},
      "next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},
    "required":["city","unit","days","tags","next"],"additionalProperties":false,
    "$defs":{"node":{"type":"object","properties":{"v":{"type":"number","multipleOf":0.5}},
                     "required":["v"],"additionalProperties":false}}})";
  EXPECT_EQ(first_problem(schema, format_place()), "");
}

TEST(CheckSchema, RefusesUnsupportedKeywordsWhereTheyAre) {
  const auto error = check_schema(
      SchemaJson::parse(R"({"type":"object","properties":{"a":{"allOf":[{"type":"string"}]}}})"),
      function_place());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message,
            "Invalid schema for function 'get_weather': In context=('properties', 'a'), 'allOf' "
            "is not permitted.");
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->param, "tools[0].function.parameters");
  EXPECT_EQ(error->code, "invalid_function_parameters");
}

TEST(CheckSchema, StrictRulesAsOpenAIWordsThem) {
  // additionalProperties missing
  EXPECT_EQ(first_problem(R"({"type":"object","properties":{"a":{"type":"string"}},
                              "required":["a"]})", format_place()),
            "Invalid schema for response_format 'answer': In context=(), 'additionalProperties' "
            "is required to be supplied and to be false.");
  // a property not required
  EXPECT_EQ(first_problem(R"({"type":"object","properties":{"a":{"type":"string"},
                              "b":{"type":"string"}},"required":["a"],
                              "additionalProperties":false})", format_place()),
            "Invalid schema for response_format 'answer': In context=(), 'required' is required "
            "to be supplied and to be an array including every key in properties. Missing 'b'.");
  // not strict: both fine
  EXPECT_EQ(first_problem(R"({"type":"object","properties":{"a":{"type":"string"}}})",
                          format_place(false)), "");
  const auto error = check_schema(SchemaJson::parse(R"({"type":"object"})"), format_place());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "invalid_json_schema");
  EXPECT_EQ(error->param, "response_format");
}

TEST(CheckSchema, RootMustBeAnObject) {
  EXPECT_EQ(first_problem(R"({"type":"array","items":{"type":"string"}})", format_place(false)),
            "Invalid schema for response_format 'answer': schema must be a JSON Schema of 'type: "
            "\"object\"', got 'type: \"array\"'.");
}

TEST(CheckSchema, OtherProblems) {
  const auto place = function_place();
  // row: a type that does not exist
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"type":"text"}}})", place),
              HasSubstr("In context=('properties', 'a'), \"text\" is not a valid type."));
  // row: a dangling $ref
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"$ref":"#/$defs/x"}}})", place),
              HasSubstr("reference to component \"#/$defs/x\" which was not found"));
  // row: an unknown format
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"type":"string",
                                "format":"iri"}}})", place),
              HasSubstr("'format' \"iri\" is not supported."));
  // row: a pattern outside the subset
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"type":"string",
                                "pattern":"(?=a)b"}}})", place),
              HasSubstr("lookaround and named groups are not supported"));
  // row: bounds no integer satisfies
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"type":"integer",
                                "minimum":1.2,"maximum":1.8}}})", place),
              HasSubstr("no integer satisfies its minimum, maximum and multipleOf."));
  // row: minItems above maxItems
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"type":"array",
                                "minItems":3,"maxItems":2}}})", place),
              HasSubstr("'minItems' 3 is greater than 'maxItems' 2"));
  // row: recursion with no way out
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"$ref":"#"}},
                                "required":["a"]})", place),
              HasSubstr("In context=(), the schema has no finite value"));
  // row: items given as a list (tuple validation)
  EXPECT_THAT(first_problem(R"({"type":"object","properties":{"a":{"items":[{"type":"string"}]}}})",
                            place),
              HasSubstr("In context=('properties', 'a'), 'items' must be a schema object."));
}

std::string generate(std::string_view schema, std::uint64_t request_n = 1) {
  RandomStream rng = content_stream({.seed = 42, .key = "sk-test", .request_n = request_n}, "t");
  return generate_json(SchemaJson::parse(schema), rng);
}

TEST(GenerateJson, KeepsPropertyOrderAndTypes) {
  const std::string text = generate(R"({"type":"object","properties":{
      "z":{"type":"boolean"},"a":{"type":"integer","minimum":5,"maximum":5},
      "m":{"const":"fixed"},"n":{"type":"null"}}})");
  const auto value = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, member] : value.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m", "n"}));
  EXPECT_TRUE(value["z"].is_boolean());
  EXPECT_EQ(value["a"], 5);
  EXPECT_EQ(value["m"], "fixed");
  EXPECT_TRUE(value["n"].is_null());
}

TEST(GenerateJson, IsDeterministicAndNamedByTheRequest) {
  const char* schema = R"({"type":"object","properties":{"s":{"type":"string"}}})";
  EXPECT_EQ(generate(schema, 1), generate(schema, 1));
  std::set<std::string> seen;
  for (std::uint64_t n = 0; n < 8; ++n) seen.insert(generate(schema, n));
  EXPECT_GT(seen.size(), 1U);
}

TEST(GenerateJson, RequestSeedReplacesTheRequestNumber) {
  ContentName a{.seed = 1, .key = "k", .request_n = 3, .request_seed = 99};
  ContentName b{.seed = 1, .key = "k", .request_n = 8, .request_seed = 99};
  EXPECT_EQ(content_stream(a, "json").next_u64(), content_stream(b, "json").next_u64());
  b.request_seed = 100;
  EXPECT_NE(content_stream(a, "json").next_u64(), content_stream(b, "json").next_u64());
}

TEST(GenerateJson, FormatsAndPatterns) {
  const auto value = nlohmann::json::parse(generate(R"({"type":"object","properties":{
      "when":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"},
      "code":{"type":"string","pattern":"^[A-Z]{3}-\\d{2,4}$"},
      "short":{"type":"string","minLength":2,"maxLength":5}}})"));
  EXPECT_THAT(value["when"].get<std::string>(),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
  EXPECT_THAT(value["id"].get<std::string>(),
              ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_THAT(value["code"].get<std::string>(), ::testing::MatchesRegex("[A-Z]{3}-[0-9]{2,4}"));
  const auto length = value["short"].get<std::string>().size();
  EXPECT_GE(length, 2U);
  EXPECT_LE(length, 5U);
}

TEST(GenerateJson, NumbersKeepTheirBounds) {
  for (std::uint64_t n = 0; n < 200; ++n) {
    const auto value = nlohmann::json::parse(generate(R"({"type":"object","properties":{
        "x":{"type":"number","exclusiveMinimum":0,"maximum":0.3,"multipleOf":0.1},
        "y":{"type":"integer","minimum":-3,"exclusiveMaximum":3},
        "z":{"type":"number","minimum":1.5,"maximum":1.5}}})", n));
    const double x = value["x"].get<double>();
    EXPECT_GT(x, 0.0);
    EXPECT_LE(x, 0.3);
    EXPECT_EQ(x / 0.1, std::floor(x / 0.1)) << x;
    EXPECT_GE(value["y"].get<int>(), -3);
    EXPECT_LT(value["y"].get<int>(), 3);
    EXPECT_EQ(value["z"].get<double>(), 1.5);
  }
}

TEST(GenerateJson, RecursionEndsAndArraysKeepTheirSizes) {
  const char* schema = R"({"type":"object","properties":{"root":{"$ref":"#/$defs/tree"}},
      "required":["root"],"additionalProperties":false,
      "$defs":{"tree":{"type":"object","properties":{
          "kids":{"type":"array","items":{"$ref":"#/$defs/tree"},"minItems":1,"maxItems":2},
          "leaf":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/tree"}]}},
        "required":["leaf"],"additionalProperties":false}}})";
  ASSERT_EQ(first_problem(schema, function_place()), "");
  for (std::uint64_t n = 0; n < 50; ++n) {
    const auto value = nlohmann::json::parse(generate(schema, n));
    EXPECT_TRUE(value.contains("root"));
  }
}

TEST(GenerateJson, JsonObjectIsAnObject) {
  for (std::uint64_t n = 0; n < 20; ++n) {
    RandomStream rng(n, "json");
    EXPECT_TRUE(nlohmann::json::parse(generate_json_object(rng)).is_object());
  }
}

}  // namespace
}  // namespace llmsim::mockapi
