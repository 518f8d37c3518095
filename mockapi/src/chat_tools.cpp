// Reading tools, tool_choice, parallel_tool_calls, response_format and seed in OpenAI's words.
//
// Texts: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are
// specified." and "'messages' must contain the word 'json' in some form, to use
// 'response_format' of type 'json_object'." are OpenAI's (seen in its answers); the name pattern
// text follows OpenAI's "string does not match pattern" answers; the others use the catalogue of
// mockapi/openai_errors.hpp.
#include "mockapi/chat_tools.hpp"

#include <algorithm>
#include <cctype>
#include <variant>

#include "json_fields.hpp"
#include "mockapi/request_parser.hpp"

namespace llmsim::mockapi {
namespace {

using Json = SchemaJson;

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

FunctionTool read_tool(const Json& tool, std::size_t i) {
  const std::string where = "tools[" + std::to_string(i) + "]";
  if (!tool.is_object()) fail(wire::invalid_type(where, "an object", type_name(tool)));
  const std::string type = string_field(tool, "type", where + ".type");
  if (type != "function") fail(wire::invalid_value(where + ".type", type, "'function'"));
  const Json& function = object_field(tool, "function", where + ".function");
  return checked_function_tool(string_field(function, "name", where + ".function.name"),
                               field(function, "parameters"),
                               bool_field(function, "strict", where + ".function.strict"),
                               where + ".function");
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

void read_response_format(const Json& body, const std::vector<std::string>& texts,
                          ChatTools& out) {
  const Json* format = field(body, "response_format");
  if (format == nullptr) return;
  if (!format->is_object()) fail(wire::invalid_type("response_format", "an object", type_name(*format)));
  const std::string type = string_field(*format, "type", "response_format.type");
  if (type == "text") return;
  if (type == "json_object") {
    if (std::none_of(texts.begin(), texts.end(),
                     [](const std::string& text) { return mentions_json(text); })) {
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
  out.schema = checked_output_schema(field(spec, "schema"), place);
}

// Reads logprobs and top_logprobs: the range first, then top_logprobs needing logprobs, as
// OpenAI checks them.
// Returns `param`, an integer in 0..`maximum`; throws OpenAI's 400 otherwise.
int count_field(const Json& value, const char* param, int maximum) {
  if (!value.is_number_integer()) fail(wire::invalid_type(param, "an integer", type_name(value)));
  // An unsigned value beyond int64 is above the maximum all the same.
  const std::int64_t count = value.is_number_unsigned() && value.get<std::uint64_t>() > kMaxTokensLimit
                                 ? kMaxTokensLimit
                                 : value.get<std::int64_t>();
  if (count < 0) fail(wire::integer_below_minimum(param, 0, count));
  if (count > maximum) fail(wire::integer_above_maximum(param, maximum, count));
  return static_cast<int>(count);
}

void read_logprobs(const Json& body, ChatTools& out) {
  out.logprobs = bool_field(body, "logprobs", "logprobs");
  const Json* top = field(body, "top_logprobs");
  if (top == nullptr) return;
  const int value = count_field(*top, "top_logprobs", kMaxTopLogprobs);
  if (!out.logprobs) fail(wire::top_logprobs_without_logprobs());
  out.top_logprobs = value;
}

// Reads stop: a string, or an array of 1 to kMaxStopSequences strings.
void read_stop(const Json& body, ChatTools& out) {
  const Json* stop = field(body, "stop");
  if (stop == nullptr) return;
  if (stop->is_string()) {
    out.stop.push_back(stop->get<std::string>());
    return;
  }
  if (!stop->is_array()) fail(wire::invalid_type("stop", "one of a string or array", type_name(*stop)));
  if (stop->empty()) fail(wire::empty_array("stop"));
  if (stop->size() > kMaxStopSequences) {
    fail(wire::array_above_max_length("stop", kMaxStopSequences, stop->size()));
  }
  for (std::size_t i = 0; i < stop->size(); ++i) {
    const Json& item = (*stop)[i];
    if (!item.is_string()) {
      fail(wire::invalid_type("stop[" + std::to_string(i) + "]", "a string", type_name(item)));
    }
    out.stop.push_back(item.get<std::string>());
  }
}

}  // namespace

bool mentions_json(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("json") != std::string::npos;
}

bool is_function_name(std::string_view name, std::size_t max_length) {
  return !name.empty() && name.size() <= max_length &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
         });
}

namespace {

// Returns the checked output schema, or its problem (checked_output_schema's rule).
std::variant<std::shared_ptr<const CheckedSchema>, wire::ApiError> output_schema_or_problem(
    const SchemaJson* schema, const SchemaPlace& place) {
  static const auto kEmptyObject =
      std::make_shared<const CheckedSchema>(Json::parse(R"({"type":"object","properties":{}})"));
  if (schema == nullptr) return place.strict ? nullptr : kEmptyObject;
  if (!schema->is_object()) return wire::invalid_type(place.param, "an object", type_name(*schema));
  if (auto error = check_schema(*schema, place)) return *std::move(error);
  return std::make_shared<const CheckedSchema>(*schema);
}

}  // namespace

std::shared_ptr<const CheckedSchema> checked_output_schema(const SchemaJson* schema,
                                                           const SchemaPlace& place) {
  auto checked = output_schema_or_problem(schema, place);
  if (auto* problem = std::get_if<wire::ApiError>(&checked)) fail(std::move(*problem));
  return std::get<std::shared_ptr<const CheckedSchema>>(std::move(checked));
}

ToolCheck check_function_tool(std::string name, const SchemaJson* parameters, bool strict,
                              const std::string& where) {
  FunctionTool out;
  out.name = std::move(name);
  SchemaPlace place{.kind = SchemaPlace::Kind::function, .name = out.name,
                    .param = where + ".parameters", .strict = strict};
  auto checked = output_schema_or_problem(parameters, place);
  if (auto* problem = std::get_if<wire::ApiError>(&checked)) return {.problem = std::move(*problem)};
  out.parameters = std::get<std::shared_ptr<const CheckedSchema>>(std::move(checked));
  if (!out.parameters) {  // strict without parameters: an object with no properties
    out.parameters = checked_output_schema(nullptr, SchemaPlace{});
  }
  return {.tool = std::move(out)};
}

FunctionTool checked_function_tool(std::string name, const SchemaJson* parameters, bool strict,
                                   const std::string& where) {
  if (!is_function_name(name)) {
    fail(wire::ApiError{.message = "Invalid '" + where + ".name': string does not match "
                             "pattern. Expected a string that matches the pattern "
                             "'^[a-zA-Z0-9_-]+$'.",
                  .param = where + ".name",
                  .code = "invalid_value"});
  }
  ToolCheck check = check_function_tool(std::move(name), parameters, strict, where);
  if (check.problem) fail(*std::move(check.problem));
  return *std::move(check.tool);
}

bool any_mentions_json(const std::vector<std::string>& texts) {
  return std::any_of(texts.begin(), texts.end(),
                     [](const std::string& text) { return mentions_json(text); });
}

namespace {

// Reads `seed`: the request's own seed fixes its content (reply_number).
void read_seed(const SchemaJson& body, ChatTools& out) {
  if (const Json* seed = field(body, "seed")) {
    if (!seed->is_number_integer()) fail(wire::invalid_type("seed", "an integer", type_name(*seed)));
    out.seed = seed->get<std::int64_t>();
  }
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
  read_seed(body, out);
  read_logprobs(body, out);
  read_stop(body, out);
  out.last_is_tool_result = last_role == "tool";
  return out;
}

ChatTools parse_completion_tools(const SchemaJson& body) {
  ChatTools out;
  read_seed(body, out);
  if (const Json* logprobs = field(body, "logprobs")) {
    out.logprobs = true;
    out.top_logprobs = count_field(*logprobs, "logprobs", kMaxCompletionLogprobs);
  }
  read_stop(body, out);
  return out;
}

}  // namespace llmsim::mockapi
