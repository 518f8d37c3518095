// What a chat request asks of its content beyond plain text: tools, tool_choice,
// parallel_tool_calls, response_format and seed, read and checked as OpenAI does. The Responses
// API (mockapi/responses_parser.hpp) reads its flat tools and text.format into the same ChatTools
// with the checks below (checked_function_tool, checked_output_schema, mentions_json), so both
// endpoints generate calls and JSON with one rule (chat_content.hpp).
//
// parse_chat_tools() reads these fields of a parsed body and throws RequestError with OpenAI's
// 400 for a malformed one (param named): tools not an array of {"type":"function","function":
// {name, parameters, strict}}, a function name outside ^[a-zA-Z0-9_-]{1,64}$, a schema
// check_schema() refuses (mockapi/schema_values.hpp), tool_choice or parallel_tool_calls without
// tools, a tool_choice naming no tool, a response_format type other than text, json_object and
// json_schema, json_object with no message containing "json".
//
//   ChatTools tools = parse_chat_tools(body, message_texts);
//   if (tools.wants_calls()) ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/schema_values.hpp"

namespace llmsim::mockapi {

struct FunctionTool {
  std::string name;
  std::shared_ptr<const SchemaJson> parameters;  // {"type":"object","properties":{}} if absent
};

enum class ToolChoice { auto_choice, none, required, named };
enum class ResponseFormat { text, json_object, json_schema };

struct ChatTools {
  std::vector<FunctionTool> tools;
  ToolChoice tool_choice = ToolChoice::auto_choice;
  std::size_t named_tool = 0;             // tools[named_tool] when tool_choice is named
  bool parallel_tool_calls = true;
  bool last_is_tool_result = false;       // the last message has role "tool" (Responses: the
                                          // last input item is a function_call_output)
  ResponseFormat format = ResponseFormat::text;
  std::shared_ptr<const SchemaJson> schema;  // json_schema's schema (null: any object)
  std::optional<std::int64_t> seed;       // the request's seed

  // Returns whether the content is generated whole (calls or JSON), not as lazy words.
  bool is_structured() const {
    return (!tools.empty() && tool_choice != ToolChoice::none) || format != ResponseFormat::text;
  }
};

// Returns whether `name` is a function name OpenAI accepts: ^[a-zA-Z0-9_-]{1,64}$.
bool is_function_name(std::string_view name);

// Returns `schema` checked for a structured output at `place` (check_schema), or, when it is
// null, an object with no properties (nullptr when place.strict). Throws RequestError with
// OpenAI's 400.
std::shared_ptr<const SchemaJson> checked_output_schema(const SchemaJson* schema,
                                                        const SchemaPlace& place);

// Returns the function tool `name` with its checked `parameters` (null: absent); `where` prefixes
// the params errors name ("tools[0].function" in chat, "tools[0]" in the Responses API). Throws
// RequestError with OpenAI's 400 for a bad name or schema.
FunctionTool checked_function_tool(std::string name, const SchemaJson* parameters, bool strict,
                                   const std::string& where);

// Returns whether any of `texts` contains "json" in any case (json_object needs it).
bool mentions_json(const std::vector<std::string>& texts);

// Reads the tool and format fields of a chat body; `texts` are the messages' texts and
// `last_role` the role of the last message. Throws RequestError with OpenAI's 400.
ChatTools parse_chat_tools(const SchemaJson& body, const std::vector<std::string>& texts,
                           std::string_view last_role);

}  // namespace llmsim::mockapi
