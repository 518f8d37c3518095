// Reading tools, tool_choice, parallel_tool_calls, response_format and seed in OpenAI's words.
//
// Texts: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are
// specified." and "'messages' must contain the word 'json' in some form, to use
// 'response_format' of type 'json_object'." are OpenAI's (seen in its answers); the name pattern
// text follows OpenAI's "string does not match pattern" answers; the others use the catalogue of
// wire/openai_errors.hpp.
#include "mockapi/chat_tools.hpp"

#include <algorithm>
#include <cctype>

#include "json_fields.hpp"
#include "mockapi/request_parser.hpp"

namespace llmsim::mockapi {
namespace {

using Json = SchemaJson;

constexpr std::size_t kMaxFunctionName = 64;  // OpenAI's longest function name

[[noreturn]] void fail(wire::ApiError error) { throw RequestError(std::move(error)); }

std::string type_name(const Json& value) { return json_fields::type_name_of(value.type()); }

const Json* field(const Json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const Json& object_field(const Json& object, const char* name, const std::string& where) {
  const Json* value = field(object, name);
  if (value == nullptr) fail(wire::missing_parameter(where));
  if (!value->is_object()) fail(wire::invalid_type(where, "an object", type_name(*value)));
  return *value;
}

std::string string_field(const Json& object, const char* name, const std::string& where) {
  const Json* value = field(object, name);
  if (value == nullptr) fail(wire::missing_parameter(where));
  if (!value->is_string()) fail(wire::invalid_type(where, "a string", type_name(*value)));
  return value->get<std::string>();
}

bool bool_field(const Json& object, const char* name, const std::string& where) {
  const Json* value = field(object, name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) fail(wire::invalid_type(where, "a boolean", type_name(*value)));
  return value->get<bool>();
}

bool is_function_name(const std::string& name) {
  return !name.empty() && name.size() <= kMaxFunctionName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
         });
}

std::shared_ptr<const Json> checked_schema(const Json* schema, SchemaPlace place) {
  static const auto kEmptyObject =
      std::make_shared<const Json>(Json::parse(R"({"type":"object","properties":{}})"));
  if (schema == nullptr) return place.strict ? nullptr : kEmptyObject;
  if (!schema->is_object()) fail(wire::invalid_type(place.param, "an object", type_name(*schema)));
  if (auto error = check_schema(*schema, place)) fail(*error);
  return std::make_shared<const Json>(*schema);
}

FunctionTool read_tool(const Json& tool, std::size_t i) {
  const std::string where = "tools[" + std::to_string(i) + "]";
  if (!tool.is_object()) fail(wire::invalid_type(where, "an object", type_name(tool)));
  const std::string type = string_field(tool, "type", where + ".type");
  if (type != "function") fail(wire::invalid_value(where + ".type", type, "'function'"));
  const Json& function = object_field(tool, "function", where + ".function");
  FunctionTool out;
  out.name = string_field(function, "name", where + ".function.name");
  if (!is_function_name(out.name)) {
    fail(wire::ApiError{.message = "Invalid '" + where + ".function.name': string does not match "
                             "pattern. Expected a string that matches the pattern "
                             "'^[a-zA-Z0-9_-]+$'.",
                  .param = where + ".function.name",
                  .code = "invalid_value"});
  }
  const bool strict = bool_field(function, "strict", where + ".function.strict");
  SchemaPlace place{.kind = SchemaPlace::Kind::function, .name = out.name,
                    .param = where + ".function.parameters", .strict = strict};
  out.parameters = checked_schema(field(function, "parameters"), place);
  if (!out.parameters) {  // strict without parameters: an object with no properties
    out.parameters = checked_schema(nullptr, SchemaPlace{});
  }
  return out;
}

wire::ApiError only_with_tools(const char* param) {
  return wire::ApiError{.message = std::string("Invalid value for '") + param + "': '" + param +
                             "' is only allowed when 'tools' are specified.",
                  .param = param,
                  .code = "invalid_value"};
}

void read_tool_choice(const Json& body, ChatTools& out) {
  const Json* choice = field(body, "tool_choice");
  if (choice == nullptr) {
    out.tool_choice = ToolChoice::auto_choice;
    return;
  }
  if (out.tools.empty()) fail(only_with_tools("tool_choice"));
  if (choice->is_string()) {
    const auto value = choice->get<std::string>();
    if (value == "none") out.tool_choice = ToolChoice::none;
    else if (value == "auto") out.tool_choice = ToolChoice::auto_choice;
    else if (value == "required") out.tool_choice = ToolChoice::required;
    else fail(wire::invalid_value("tool_choice", value, "'none', 'auto' and 'required'"));
    return;
  }
  if (!choice->is_object()) {
    fail(wire::invalid_type("tool_choice", "one of a string or object", type_name(*choice)));
  }
  const std::string type = string_field(*choice, "type", "tool_choice.type");
  if (type != "function") fail(wire::invalid_value("tool_choice.type", type, "'function'"));
  const Json& function = object_field(*choice, "function", "tool_choice.function");
  const std::string name = string_field(function, "name", "tool_choice.function.name");
  auto it = std::find_if(out.tools.begin(), out.tools.end(),
                         [&](const FunctionTool& tool) { return tool.name == name; });
  if (it == out.tools.end()) {
    fail(wire::ApiError{.message = "Invalid value for 'tool_choice': no function named '" + name +
                             "' was specified in the 'tools' parameter.",
                  .param = "tool_choice",
                  .code = "invalid_value"});
  }
  out.tool_choice = ToolChoice::named;
  out.named_tool = static_cast<std::size_t>(it - out.tools.begin());
}

bool mentions_json(const std::vector<std::string>& texts) {
  return std::any_of(texts.begin(), texts.end(), [](const std::string& text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("json") != std::string::npos;
  });
}

void read_response_format(const Json& body, const std::vector<std::string>& texts,
                          ChatTools& out) {
  const Json* format = field(body, "response_format");
  if (format == nullptr) return;
  if (!format->is_object()) fail(wire::invalid_type("response_format", "an object", type_name(*format)));
  const std::string type = string_field(*format, "type", "response_format.type");
  if (type == "text") return;
  if (type == "json_object") {
    if (!mentions_json(texts)) {
      fail(wire::ApiError{.message = "'messages' must contain the word 'json' in some form, to use "
                               "'response_format' of type 'json_object'.",
                    .param = "messages"});
    }
    out.format = ResponseFormat::json_object;
    return;
  }
  if (type != "json_schema") {
    fail(wire::invalid_value("response_format.type", type, "'json_object', 'json_schema' and 'text'"));
  }
  const Json& spec = object_field(*format, "json_schema", "response_format.json_schema");
  SchemaPlace place{.kind = SchemaPlace::Kind::response_format,
                    .name = string_field(spec, "name", "response_format.json_schema.name"),
                    .param = "response_format",
                    .strict = bool_field(spec, "strict", "response_format.json_schema.strict")};
  out.format = ResponseFormat::json_schema;
  out.schema = checked_schema(field(spec, "schema"), place);
}

}  // namespace

ChatTools parse_chat_tools(const SchemaJson& body, const std::vector<std::string>& texts,
                           std::string_view last_role) {
  ChatTools out;
  if (const Json* tools = field(body, "tools")) {
    if (!tools->is_array()) fail(wire::invalid_type("tools", "an array", type_name(*tools)));
    if (tools->empty()) fail(wire::empty_array("tools"));
    for (std::size_t i = 0; i < tools->size(); ++i) out.tools.push_back(read_tool((*tools)[i], i));
  }
  read_tool_choice(body, out);
  if (field(body, "parallel_tool_calls") != nullptr) {
    if (out.tools.empty()) fail(only_with_tools("parallel_tool_calls"));
    out.parallel_tool_calls = bool_field(body, "parallel_tool_calls", "parallel_tool_calls");
  }
  read_response_format(body, texts, out);
  if (const Json* seed = field(body, "seed")) {
    if (!seed->is_number_integer()) fail(wire::invalid_type("seed", "an integer", type_name(*seed)));
    out.seed = seed->get<std::int64_t>();
  }
  out.last_is_tool_result = last_role == "tool";
  return out;
}

}  // namespace llmsim::mockapi
