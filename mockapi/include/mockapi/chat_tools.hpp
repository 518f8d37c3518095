// What a chat request asks of its content beyond plain text: tools, tool_choice,
// parallel_tool_calls, response_format, seed, logprobs, top_logprobs and stop, read and checked as
// OpenAI does. The Responses API (mockapi/responses_parser.hpp) reads its flat tools and
// text.format into the same ChatTools with the checks below (checked_function_tool,
// checked_output_schema, any_mentions_json), so both endpoints generate calls and JSON with one
// rule (chat_content.hpp).
//
// parse_chat_tools() reads these fields of a parsed body and throws RequestError with OpenAI's
// 400 for a malformed one (param named): tools not an array of {"type":"function","function":
// {name, parameters, strict}}, a function name outside ^[a-zA-Z0-9_-]{1,64}$, a schema
// check_schema() refuses (mockapi/schema_values.hpp), tool_choice or parallel_tool_calls without
// tools, a tool_choice naming no tool, a response_format type other than text, json_object and
// json_schema, json_object with no message containing "json", top_logprobs outside 0..20 or
// without logprobs: true, stop neither a string nor an array of 1 to 4 strings.
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

// Most alternatives per token `top_logprobs` may ask for (OpenAI's maximum).
inline constexpr int kMaxTopLogprobs = 20;
// Most alternatives per token the legacy completions' `logprobs` may ask for (OpenAI's maximum).
inline constexpr int kMaxCompletionLogprobs = 5;
// Most stop sequences one request may give (OpenAI's maximum).
inline constexpr std::size_t kMaxStopSequences = 4;

struct FunctionTool {
  std::string name;
  std::shared_ptr<const CheckedSchema> parameters;  // {"type":"object","properties":{}} if absent
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
  std::shared_ptr<const CheckedSchema> schema;  // json_schema's schema (null: any object)
  std::optional<std::int64_t> seed;       // the request's seed
  bool logprobs = false;                  // logprobs: true
  int top_logprobs = 0;                   // 0..kMaxTopLogprobs alternatives per token
  std::vector<std::string> stop;          // stop sequences (a string is one sequence)

  // Returns whether the content is generated whole (calls, JSON, or words cut by a stop
  // sequence or given logprobs), not as lazy words.
  bool is_structured() const {
    return (!tools.empty() && tool_choice != ToolChoice::none) || format != ResponseFormat::text ||
           logprobs || !stop.empty();
  }
};

// Returns whether `text` contains "json" in any case (json_object needs a message saying it).
bool mentions_json(std::string_view text);

// Longest function name OpenAI accepts; Anthropic's tool names may have 128 characters.
inline constexpr std::size_t kMaxFunctionName = 64;

// Returns whether `name` matches ^[a-zA-Z0-9_-]{1,max_length}$ (OpenAI's function names by default).
bool is_function_name(std::string_view name, std::size_t max_length = kMaxFunctionName);

// Returns `schema` checked for a structured output at `place` (check_schema), or, when it is
// null, an object with no properties (nullptr when place.strict). Throws RequestError with
// OpenAI's 400.
std::shared_ptr<const CheckedSchema> checked_output_schema(const SchemaJson* schema,
                                                           const SchemaPlace& place);

// A function tool, or the first problem of its schema in the OpenAI faces' words.
struct ToolCheck {
  std::optional<FunctionTool> tool;
  std::optional<wire::ApiError> problem;  // set when `tool` is not
};

// Returns the function tool `name` (checked by the caller: each vendor has its own name limit and
// text) with its checked `parameters` (null: absent), or the schema's first problem: the
// vendor-neutral core of checked_function_tool, which the Anthropic face words as its own 400.
// `where` prefixes the params problems name.
ToolCheck check_function_tool(std::string name, const SchemaJson* parameters, bool strict,
                              const std::string& where);

// Returns check_function_tool's tool after checking `name` (is_function_name); `where` prefixes
// the params errors name
// ("tools[0].function" in chat, "tools[0]" in the Responses API). Throws RequestError with
// OpenAI's 400 for a bad name or schema.
FunctionTool checked_function_tool(std::string name, const SchemaJson* parameters, bool strict,
                                   const std::string& where);

// Returns whether any of `texts` mentions_json.
bool any_mentions_json(const std::vector<std::string>& texts);

// Reads the tool and format fields of a chat body; `texts` are the messages' texts and
// `last_role` the role of the last message. Throws RequestError with OpenAI's 400.
ChatTools parse_chat_tools(const SchemaJson& body, const std::vector<std::string>& texts,
                           std::string_view last_role);

// Reads the legacy completions' content-shaping fields with the chat rules: `logprobs` (an
// integer 0..kMaxCompletionLogprobs, or null: the alternatives listed per token; sets logprobs
// and top_logprobs) and `stop` (as chat's). Throws RequestError with OpenAI's 400.
ChatTools parse_completion_tools(const SchemaJson& body);

}  // namespace llmsim::mockapi
