// POST /v1/responses bodies, field by field, in OpenAI's words.
#include "mockapi/responses_parser.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "json_fields.hpp"
#include "mockapi/chat_tools.hpp"
#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace {

using namespace json_fields;
// What the Response echoes keeps OpenAI's key order.
using Echo = nlohmann::ordered_json;

Echo echo_of(const Json& value) { return Echo::parse(value.dump()); }

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

// Returns the input tokens of `instructions` and `input`, estimated as chat messages; `texts`
// receives their texts.
std::int64_t input_tokens(const Json& body, const std::optional<std::string>& instructions,
                          std::vector<std::string>& texts) {
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

// Tool types of OpenAI's Responses API the mock does not serve (it generates function calls only).
constexpr std::array<std::string_view, 14> kOtherToolTypes = {
    "file_search",      "computer",    "computer_use_preview", "web_search",
    "web_search_preview", "mcp",       "code_interpreter",     "image_generation",
    "local_shell",      "shell",       "custom",               "namespace",
    "tool_search",      "apply_patch"};

// Returns the ordered copy of `object[name]` (schemas keep their key order), or null.
const SchemaJson* ordered_field(const SchemaJson& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Reads one function tool into `tools` and returns it as the Response echoes it; throws for other
// tool kinds. `ordered` is the same tool read with its key order.
Echo read_tool(const Json& tool, const SchemaJson& ordered, const std::string& where,
               ChatTools& tools) {
  if (!tool.is_object()) fail(wire::invalid_type(where, "an object", type_name(tool)));
  const std::string type = required_string(tool, "type", where);
  if (type != "function") {
    if (std::find(kOtherToolTypes.begin(), kOtherToolTypes.end(), type) == kOtherToolTypes.end()) {
      fail(wire::invalid_value(at(where, "type"), type,
                         "'function', 'file_search', 'computer_use_preview', 'web_search', "
                         "'web_search_preview', 'mcp', 'code_interpreter', 'image_generation', "
                         "'local_shell', 'shell', 'custom', 'namespace', 'tool_search' and "
                         "'apply_patch'"));
    }
    fail(wire::unsupported_parameter(at(where, "type"), "the mock serves function tools only, got '" +
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
  const SchemaJson* ordered_parameters = ordered_field(ordered, "parameters");
  tools.tools.push_back(checked_function_tool(name, ordered_parameters, strict, where));
  return Echo{{"type", "function"},
              {"name", name},
              {"description", description ? echo_of(*description) : Echo(nullptr)},
              {"parameters", ordered_parameters ? *ordered_parameters : Echo(nullptr)},
              {"strict", strict}};
}

Echo read_tools(const Json& body, const SchemaJson& ordered, ChatTools& tools) {
  Echo echo = Echo::array();
  const Json* field = find_field(body, "tools");
  if (field == nullptr) return echo;
  if (!field->is_array()) fail(wire::invalid_type("tools", "an array", type_name(*field)));
  const SchemaJson* ordered_tools = ordered_field(ordered, "tools");
  for (std::size_t i = 0; i < field->size(); ++i) {
    echo.push_back(read_tool((*field)[i], (*ordered_tools)[i], "tools[" + std::to_string(i) + "]",
                             tools));
  }
  return echo;
}

// Returns tool_choice ("auto" when absent) after checking it against the tools, and sets it in
// `tools`.
Echo read_tool_choice(const Json& body, ChatTools& tools) {
  const Json* field = find_field(body, "tool_choice");
  if (field == nullptr) return "auto";
  if (field->is_string()) {
    const std::string mode = field->get<std::string>();
    if (mode != "none" && mode != "auto" && mode != "required") {
      fail(wire::invalid_value("tool_choice", mode, "'none', 'auto', and 'required'"));
    }
    if (mode == "required" && tools.tools.empty()) {
      fail(wire::ApiError{400, "Tool choice 'required' must be specified with 'tools' parameter.",
                    "invalid_request_error", "tool_choice", std::nullopt});
    }
    tools.tool_choice = mode == "none"       ? ToolChoice::none
                        : mode == "required" ? ToolChoice::required
                                             : ToolChoice::auto_choice;
    return mode;
  }
  if (!field->is_object()) {
    fail(wire::invalid_type("tool_choice", "one of a string or object", type_name(*field)));
  }
  const std::string type = required_string(*field, "type", "tool_choice");
  if (type != "function") {
    fail(wire::unsupported_parameter("tool_choice.type", "the mock serves function tools only, got '" +
                                                       type + "'"));
  }
  const std::string name = required_string(*field, "name", "tool_choice");
  const auto named = std::find_if(tools.tools.begin(), tools.tools.end(),
                                  [&](const FunctionTool& tool) { return tool.name == name; });
  if (named == tools.tools.end()) {
    fail(wire::ApiError{400, "Tool choice 'function' not found in 'tools' parameter.",
                  "invalid_request_error", "tool_choice", std::nullopt});
  }
  tools.tool_choice = ToolChoice::named;
  tools.named_tool = static_cast<std::size_t>(named - tools.tools.begin());
  return Echo{{"type", "function"}, {"name", name}};
}

// Returns text.format ({"type":"text"} when absent) as the Response echoes it, after checking it
// and setting the format in `tools`; `texts` are the instructions and input texts.
Echo read_text_format(const Json& body, const SchemaJson& ordered,
                      const std::vector<std::string>& texts, ChatTools& tools) {
  const Echo text_only = Echo{{"type", "text"}};
  const Json* text = find_field(body, "text");
  if (text == nullptr) return text_only;
  if (!text->is_object()) fail(wire::invalid_type("text", "an object", type_name(*text)));
  const Json* format = find_field(*text, "format");
  if (format == nullptr) return text_only;
  if (!format->is_object()) fail(wire::invalid_type("text.format", "an object", type_name(*format)));
  const std::string type = required_string(*format, "type", "text.format");
  if (type == "text") return text_only;
  if (type == "json_object") {
    if (!any_mentions_json(texts)) {
      fail(wire::ApiError{400, "Response input messages must contain the word 'json' in some form to "
                         "use 'text.format' of type 'json_object'.",
                    "invalid_request_error", "input", std::nullopt});
    }
    tools.format = ResponseFormat::json_object;
    return Echo{{"type", "json_object"}};
  }
  if (type != "json_schema") {
    fail(wire::invalid_value("text.format.type", type, "'text', 'json_object', and 'json_schema'"));
  }
  const std::string name = required_string(*format, "name", "text.format");
  const Json* schema = find_field(*format, "schema");
  if (schema == nullptr) fail(wire::missing_parameter("text.format.schema"));
  if (!schema->is_object()) {
    fail(wire::invalid_type("text.format.schema", "an object", type_name(*schema)));
  }
  const Json* description = find_field(*format, "description");
  if (description != nullptr && !description->is_string()) {
    fail(wire::invalid_type("text.format.description", "a string", type_name(*description)));
  }
  const bool strict = bool_or(*format, "strict", false);  // the Responses API's default
  const SchemaJson& ordered_format = *ordered_field(*ordered_field(ordered, "text"), "format");
  const SchemaJson& ordered_schema = *ordered_field(ordered_format, "schema");
  tools.format = ResponseFormat::json_schema;
  tools.schema = checked_output_schema(
      &ordered_schema, SchemaPlace{.kind = SchemaPlace::Kind::response_format, .name = name,
                                   .param = "text.format.schema", .strict = strict});
  // OpenAI echoes "description": null when none was given, which its own schema
  // (TextResponseFormatJsonSchema: a string) refuses; the optional field is left out instead.
  Echo echo{{"type", "json_schema"}};
  if (description != nullptr) echo["description"] = echo_of(*description);
  echo["name"] = name;
  echo["schema"] = ordered_schema;
  echo["strict"] = strict;
  return echo;
}

// Returns whether the last input item is a function_call_output (a follow-up turn).
bool ends_with_tool_result(const Json& body) {
  const Json* input = find_field(body, "input");
  if (input == nullptr || !input->is_array() || input->empty()) return false;
  const Json* type = find_field(input->back(), "type");
  return type != nullptr && *type == "function_call_output";
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
  std::vector<std::string> texts;
  generation.prompt_tokens = input_tokens(json, echo.instructions, texts);
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
  // Schemas and their echoes keep the request's key order: read the body again, in order, only
  // when it has some.
  const bool has_schemas = json.contains("tools") || json.contains("text");
  const SchemaJson ordered = has_schemas ? SchemaJson::parse(body) : SchemaJson();
  ChatTools& tools = generation.tools;
  tools.parallel_tool_calls = echo.parallel_tool_calls;
  tools.last_is_tool_result = ends_with_tool_result(json);
  const Echo tools_echo = read_tools(json, ordered, tools);
  echo.tool_choice_json = read_tool_choice(json, tools).dump();
  echo.text_format_json = read_text_format(json, ordered, texts, tools).dump();
  echo.tools_json = tools_echo.dump();
  return params;
}

}  // namespace llmsim::mockapi
