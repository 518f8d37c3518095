// Anthropic's tools and tool_choice, checked with the OpenAI faces' rules for names and schemas
// (chat_tools.hpp) and Anthropic's texts. Sources: docs/anthropic-api-notes.md, "Tools".
#include "messages_tools.hpp"

#include <algorithm>

#include "mockapi/messages_api.hpp"

namespace llmsim::mockapi {
namespace {

using Json = SchemaJson;

constexpr std::size_t kMaxToolName = 128;  // Anthropic's longest tool name

[[noreturn]] void fail(std::string message) {
  throw MessagesError(wire::anthropic::ApiError{400, "invalid_request_error", std::move(message)});
}

const Json* field(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string required_string(const Json& object, const char* name, const std::string& at) {
  const Json* value = field(object, name);
  if (value == nullptr) fail(at + "." + name + ": Field required");
  if (!value->is_string()) fail(at + "." + name + ": Input should be a valid string");
  return value->get<std::string>();
}

// Reads tool `i`: a custom tool {name, description, input_schema} (type absent or "custom").
FunctionTool read_tool(const Json& tool, std::size_t i) {
  const std::string place = "tools." + std::to_string(i);
  if (!tool.is_object()) fail(place + ": Input should be a valid dictionary or object");
  if (const Json* type = field(tool, "type"); type != nullptr && *type != "custom") {
    fail(place + ".type: only custom tools (no type, or \"custom\") are served by this mock, got " +
         type->dump());
  }
  const std::string at = place + ".custom";
  std::string name = required_string(tool, "name", at);
  if (name.size() > kMaxToolName) {
    fail(at + ".name: String should have at most " + std::to_string(kMaxToolName) + " characters");
  }
  if (!is_function_name(name, kMaxToolName)) {
    fail(at + ".name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
  }
  if (const Json* description = field(tool, "description"); description != nullptr && !description->is_string()) {
    fail(at + ".description: Input should be a valid string");
  }
  const Json* schema = field(tool, "input_schema");
  if (schema == nullptr) fail(at + ".input_schema: Field required");
  if (!schema->is_object()) fail(at + ".input_schema: Input should be a valid dictionary");
  const Json* type = field(*schema, "type");
  if (type == nullptr) fail(at + ".input_schema.type: Field required");
  if (*type != "object") fail(at + ".input_schema.type: Input should be 'object'");
  // The chat rule: the schema the generator can serve (the name is Anthropic's, checked above).
  ToolCheck check = check_function_tool(std::move(name), schema, false, at);
  if (check.problem) {
    fail(at + ".input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 "
         "(https://json-schema.org/draft/2020-12). Learn more about tool use at "
         "https://platform.claude.com/docs/en/agents-and-tools/tool-use/overview. (llmsim: " +
         check.problem->message + ")");
  }
  return *std::move(check.tool);
}

bool optional_bool(const Json& object, const char* name, const std::string& at) {
  const Json* value = field(object, name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) fail(at + "." + name + ": Input should be a valid boolean");
  return value->get<bool>();
}

// Reads tool_choice into `out`: auto, any ("required"), tool (named), none.
void read_tool_choice(const Json& body, ChatTools& out) {
  const Json* choice = field(body, "tool_choice");
  if (choice == nullptr) return;
  if (!choice->is_object()) fail("tool_choice: Input should be a valid dictionary or object");
  const Json* type = field(*choice, "type");
  if (type == nullptr) fail("tool_choice: Unable to extract tag using discriminator 'type'");
  const std::string kind = type->is_string() ? type->get<std::string>() : type->dump();
  if (kind != "auto" && kind != "any" && kind != "tool" && kind != "none") {
    fail("tool_choice: Input tag '" + kind + "' found using 'type' does not match any of the "
         "expected tags: 'auto', 'any', 'tool', 'none'");
  }
  if (out.tools.empty() && kind != "none") {
    fail("tool_choice: tool_choice may only be specified while providing tools.");
  }
  const std::string at = "tool_choice." + kind;
  if (kind == "none") {
    out.tool_choice = ToolChoice::none;
    return;
  }
  out.parallel_tool_calls = !optional_bool(*choice, "disable_parallel_tool_use", at);
  if (kind == "auto") {
    out.tool_choice = ToolChoice::auto_choice;
    return;
  }
  if (kind == "any") {
    out.tool_choice = ToolChoice::required;
    return;
  }
  const std::string name = required_string(*choice, "name", at);
  const auto it = std::find_if(out.tools.begin(), out.tools.end(),
                               [&](const FunctionTool& tool) { return tool.name == name; });
  if (it == out.tools.end()) fail("tool_choice.tool.name: Tool '" + name + "' not found in tools");
  out.tool_choice = ToolChoice::named;
  out.named_tool = static_cast<std::size_t>(it - out.tools.begin());
}

}  // namespace

ChatTools read_message_tools(const SchemaJson& body) {
  ChatTools out;
  if (const Json* tools = field(body, "tools")) {
    if (!tools->is_array()) fail("tools: Input should be a valid list");
    for (std::size_t i = 0; i < tools->size(); ++i) {
      FunctionTool tool = read_tool((*tools)[i], i);
      if (std::any_of(out.tools.begin(), out.tools.end(),
                      [&](const FunctionTool& other) { return other.name == tool.name; })) {
        fail("tools: Tool names must be unique.");
      }
      out.tools.push_back(std::move(tool));
    }
  }
  read_tool_choice(body, out);
  return out;
}

std::vector<std::string> tool_definition_texts(const SchemaJson& body) {
  std::vector<std::string> texts;
  const Json* tools = field(body, "tools");
  if (tools == nullptr || !tools->is_array()) return texts;
  for (const Json& tool : *tools) {
    std::string text = tool.value("name", "");
    if (const Json* description = field(tool, "description"); description != nullptr && description->is_string()) {
      text += description->get<std::string>();
    }
    if (const Json* schema = field(tool, "input_schema")) text += schema->dump();
    texts.push_back(std::move(text));
  }
  return texts;
}

}  // namespace llmsim::mockapi
