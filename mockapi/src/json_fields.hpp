// Internal: reading the fields of a request body as OpenAI checks them (request_parser.cpp).
//
// Shared by the parsers of every endpoint. A problem is thrown as a RequestError carrying
// OpenAI's 400 (param named); nullable fields given as null count as absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mockapi/request_parser.hpp"

namespace llmsim::mockapi::json_fields {

using Json = nlohmann::json;

// Returns OpenAI's name of a JSON type, with its article: "a string", "an integer" ... (the type
// enum is shared by nlohmann::json and the ordered_json of schemas).
std::string type_name_of(nlohmann::json::value_t type);

// Returns OpenAI's name of a JSON value's type: type_name_of(value.type()).
inline std::string type_name(const Json& value) { return type_name_of(value.type()); }

// Throws `error` as a RequestError.
[[noreturn]] void fail(wire::ApiError error);

// Parses a body that must be a JSON object (not nested deeper than kMaxJsonDepth); throws.
Json parse_object(std::string_view body);

// Returns the field, or nullptr when it is absent or null (nullable fields).
const Json* find_field(const Json& object, const char* name);

// Returns an integer field's value; values beyond int64 are clamped (they fail range checks).
std::optional<std::int64_t> optional_integer(const Json& object, const char* name);

// Returns an integer field within [minimum, maximum], or nullopt when absent; throws otherwise.
std::optional<std::int64_t> ranged_integer(const Json& object, const char* name,
                                           std::int64_t minimum, std::int64_t maximum);

// Returns a boolean field's value, false when absent; throws when it is no boolean.
bool optional_bool(const Json& object, const char* name);

// Returns `model`; throws OpenAI's 400 when it is missing or not a string.
std::string required_model(const Json& object);

}  // namespace llmsim::mockapi::json_fields
