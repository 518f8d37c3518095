// POST /v1/responses bodies, field by field, in OpenAI's words.
#include "mockapi/responses_parser.hpp"

#include <vector>

#include "json_fields.hpp"
#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace {

using namespace json_fields;
// What the Response echoes keeps OpenAI's key order.
using Echo = nlohmann::ordered_json;

Echo echo_of(const Json& value) { return Echo::parse(value.dump()); }

// Why a request that needs generated JSON is refused until the generator is in (issue 14).
constexpr std::string_view kNeedsGenerator =
    "generated function calls and structured outputs need the schema-driven generator";

std::string at(std::string_view where, std::string_view field) {
  return std::string(where) + "." + std::string(field);
}

// Returns a required string field; throws "Missing required parameter" or the type error.
std::string required_string(const Json& object, const char* name, std::string_view where) {
  const Json* field = find_field(object, name);
  if (field == nullptr) fail(wire::missing_parameter(at(where, name)));
  if (!field->is_string()) fail(wire::invalid_type(at(where, name), "a string", type_name(*field)));
  return field->get<std::string>();
}

// Returns a boolean field's value, or `absent` when it is absent or null.
bool bool_or(const Json& object, const char* name, bool absent) {
  return find_field(object, name) == nullptr ? absent : optional_bool(object, name);
}

// Returns a number field as JSON text, "1.0" when absent; throws when it is no number.
std::string number_text(const Json& object, const char* name) {
  const Json* field = find_field(object, name);
  if (field == nullptr) return "1.0";
  if (!field->is_number()) fail(wire::invalid_type(name, "a number", type_name(*field)));
  return field->dump();
}

// Appends the text of a message's content (a string, or the parts' `text`) to `texts`.
void add_content_text(const Json& item, const std::string& where, std::vector<std::string>& texts) {
  const Json* content = find_field(item, "content");
  if (content == nullptr) fail(wire::missing_parameter(at(where, "content")));
  if (content->is_string()) {
    texts.push_back(content->get<std::string>());
    return;
  }
  if (!content->is_array()) {
    fail(wire::invalid_type(at(where, "content"), "one of a string or array of objects",
                      type_name(*content)));
  }
  std::string text;
  for (std::size_t i = 0; i < content->size(); ++i) {
    const Json& part = (*content)[i];
    const std::string part_where = at(where, "content[" + std::to_string(i) + "]");
    if (!part.is_object()) fail(wire::invalid_type(part_where, "an object", type_name(part)));
    const std::string type = required_string(part, "type", part_where);
    if (type != "input_text" && type != "output_text" && type != "refusal" &&
        type != "input_image" && type != "input_file") {
      fail(wire::invalid_value(at(part_where, "type"), type,
                         "'input_text', 'input_image', 'input_file', 'output_text', and 'refusal'"));
    }
    if (const Json* part_text = find_field(part, "text"); part_text && part_text->is_string()) {
      text += part_text->get<std::string>();
    }
  }
  texts.push_back(std::move(text));
}

void add_message(const Json& item, const std::string& where, std::vector<std::string>& texts) {
  const std::string role = required_string(item, "role", where);
  if (role != "user" && role != "assistant" && role != "system" && role != "developer") {
    fail(wire::invalid_value(at(where, "role"), role,
                       "'user', 'assistant', 'system', and 'developer'"));
  }
  add_content_text(item, where, texts);
}

// Appends the text of one input item (a message, a function call or its output) to `texts`.
void add_item(const Json& item, const std::string& where, std::vector<std::string>& texts) {
  if (!item.is_object()) fail(wire::invalid_type(where, "an object", type_name(item)));
  const Json* type = find_field(item, "type");
  if (type != nullptr && !type->is_string()) {
    fail(wire::invalid_type(at(where, "type"), "a string", type_name(*type)));
  }
  const std::string kind = type == nullptr ? "message" : type->get<std::string>();
  if (kind == "message") {
    add_message(item, where, texts);
  } else if (kind == "function_call") {
    required_string(item, "call_id", where);
    texts.push_back(required_string(item, "name", where) +
                    required_string(item, "arguments", where));
  } else if (kind == "function_call_output") {
    required_string(item, "call_id", where);
    const Json* output = find_field(item, "output");
    if (output == nullptr) fail(wire::missing_parameter(at(where, "output")));
    if (!output->is_string() && !output->is_array()) {
      fail(wire::invalid_type(at(where, "output"), "one of a string or array of objects",
                        type_name(*output)));
    }
    texts.push_back(output->is_string() ? output->get<std::string>() : output->dump());
  } else {
    fail(wire::invalid_value(at(where, "type"), kind,
                       "'message', 'function_call', and 'function_call_output'"));
  }
}

// Returns the input tokens of `instructions` and `input`, estimated as chat messages.
std::int64_t input_tokens(const Json& body, const std::optional<std::string>& instructions) {
  std::vector<std::string> texts;
  if (instructions) texts.push_back(*instructions);
  const Json* input = find_field(body, "input");
  if (input == nullptr) fail(wire::missing_parameter("input"));
  if (input->is_string()) {
    texts.push_back(input->get<std::string>());
  } else if (input->is_array()) {
    if (input->empty()) fail(wire::empty_array("input"));
    for (std::size_t i = 0; i < input->size(); ++i) {
      add_item((*input)[i], "input[" + std::to_string(i) + "]", texts);
    }
  } else {
    fail(wire::invalid_type("input", "one of a string or array of input items", type_name(*input)));
  }
  return estimate_chat_tokens(std::vector<std::string_view>(texts.begin(), texts.end()));
}

std::optional<std::string> read_instructions(const Json& body) {
  const Json* field = find_field(body, "instructions");
  if (field == nullptr) return std::nullopt;
  if (!field->is_string()) fail(wire::invalid_type("instructions", "a string", type_name(*field)));
  return field->get<std::string>();
}

// Returns one function tool as the Response echoes it; throws for other tool kinds.
Echo read_tool(const Json& tool, const std::string& where) {
  if (!tool.is_object()) fail(wire::invalid_type(where, "an object", type_name(tool)));
  const std::string type = required_string(tool, "type", where);
  if (type != "function") {
    fail(wire::unsupported_parameter(at(where, "type"), "only function tools are served, got '" +
                                                      type + "'"));
  }
  const std::string name = required_string(tool, "name", where);
  const Json* parameters = find_field(tool, "parameters");
  if (parameters != nullptr && !parameters->is_object()) {
    fail(wire::invalid_type(at(where, "parameters"), "an object", type_name(*parameters)));
  }
  const Json* description = find_field(tool, "description");
  if (description != nullptr && !description->is_string()) {
    fail(wire::invalid_type(at(where, "description"), "a string", type_name(*description)));
  }
  const bool strict = bool_or(tool, "strict", true);  // the Responses API's default
  return Echo{{"type", "function"},
              {"name", name},
              {"description", description ? echo_of(*description) : Echo(nullptr)},
              {"parameters", parameters ? echo_of(*parameters) : Echo(nullptr)},
              {"strict", strict}};
}

Echo read_tools(const Json& body) {
  Echo tools = Echo::array();
  const Json* field = find_field(body, "tools");
  if (field == nullptr) return tools;
  if (!field->is_array()) fail(wire::invalid_type("tools", "an array", type_name(*field)));
  for (std::size_t i = 0; i < field->size(); ++i) {
    tools.push_back(read_tool((*field)[i], "tools[" + std::to_string(i) + "]"));
  }
  return tools;
}

bool has_tool(const Echo& tools, const std::string& name) {
  for (const Echo& tool : tools) {
    if (tool["name"] == name) return true;
  }
  return false;
}

// Returns tool_choice ("auto" when absent) after checking it against `tools`.
Echo read_tool_choice(const Json& body, const Echo& tools) {
  const Json* field = find_field(body, "tool_choice");
  if (field == nullptr) return "auto";
  if (field->is_string()) {
    const std::string mode = field->get<std::string>();
    if (mode != "none" && mode != "auto" && mode != "required") {
      fail(wire::invalid_value("tool_choice", mode, "'none', 'auto', and 'required'"));
    }
    if (mode == "required" && tools.empty()) {
      fail(wire::ApiError{400, "Tool choice 'required' must be specified with 'tools' parameter.",
                    "invalid_request_error", "tool_choice", std::nullopt});
    }
    return mode;
  }
  if (!field->is_object()) {
    fail(wire::invalid_type("tool_choice", "one of a string or object", type_name(*field)));
  }
  const std::string type = required_string(*field, "type", "tool_choice");
  if (type != "function") {
    fail(wire::unsupported_parameter("tool_choice.type", "only function tools are served, got '" +
                                                       type + "'"));
  }
  const std::string name = required_string(*field, "name", "tool_choice");
  if (!has_tool(tools, name)) {
    fail(wire::ApiError{400, "Tool choice 'function' not found in 'tools' parameter.",
                  "invalid_request_error", "tool_choice", std::nullopt});
  }
  return Echo{{"type", "function"}, {"name", name}};
}

// Returns text.format ({"type":"text"} when absent) after checking it.
Json read_text_format(const Json& body) {
  const Json* text = find_field(body, "text");
  if (text == nullptr) return Json{{"type", "text"}};
  if (!text->is_object()) fail(wire::invalid_type("text", "an object", type_name(*text)));
  const Json* format = find_field(*text, "format");
  if (format == nullptr) return Json{{"type", "text"}};
  if (!format->is_object()) fail(wire::invalid_type("text.format", "an object", type_name(*format)));
  const std::string type = required_string(*format, "type", "text.format");
  if (type == "text") return Json{{"type", "text"}};
  if (type == "json_schema") {
    required_string(*format, "name", "text.format");
    const Json* schema = find_field(*format, "schema");
    if (schema == nullptr) fail(wire::missing_parameter("text.format.schema"));
    if (!schema->is_object()) {
      fail(wire::invalid_type("text.format.schema", "an object", type_name(*schema)));
    }
  } else if (type != "json_object") {
    fail(wire::invalid_value("text.format.type", type, "'text', 'json_object', and 'json_schema'"));
  }
  fail(wire::unsupported_parameter("text.format", kNeedsGenerator));
}

}  // namespace

ResponsesParams parse_responses_request(std::string_view body) {
  const Json json = parse_object(body);
  ResponsesParams params;
  GenerationParams& generation = params.generation;
  ResponseEcho& echo = params.echo;
  const Json* model = find_field(json, "model");
  if (model == nullptr) fail(wire::missing_parameter("model"));
  generation.model = required_model(json);
  echo.instructions = read_instructions(json);
  generation.prompt_tokens = input_tokens(json, echo.instructions);
  echo.max_output_tokens =
      ranged_integer(json, "max_output_tokens", kMinMaxOutputTokens, kMaxTokensLimit);
  generation.max_tokens = echo.max_output_tokens;
  generation.stream = optional_bool(json, "stream");
  echo.store = bool_or(json, "store", true);
  echo.parallel_tool_calls = bool_or(json, "parallel_tool_calls", true);
  echo.temperature_json = number_text(json, "temperature");
  echo.top_p_json = number_text(json, "top_p");
  if (const Json* previous = find_field(json, "previous_response_id")) {
    if (!previous->is_string()) {
      fail(wire::invalid_type("previous_response_id", "a string", type_name(*previous)));
    }
    fail(wire::previous_response_not_found(previous->get<std::string>()));
  }
  const Echo tools = read_tools(json);
  const Echo tool_choice = read_tool_choice(json, tools);
  echo.text_format_json = read_text_format(json).dump();
  if (!tools.empty() && tool_choice != "none") {
    fail(wire::unsupported_parameter("tools", kNeedsGenerator));
  }
  echo.tools_json = tools.dump();
  echo.tool_choice_json = tool_choice.dump();
  return params;
}

}  // namespace llmsim::mockapi
