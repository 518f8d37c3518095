#include "mockapi/responses_parser.hpp"

#include <gtest/gtest.h>

#include "models/token_model.hpp"
#include "wire/openai_errors.hpp"

namespace llmsim::mockapi {
namespace {

// Returns the 400 a body gets (a test failure when it parses).
wire::ApiError error_of(std::string_view body) {
  try {
    parse_responses_request(body);
  } catch (const RequestError& error) {
    return error.error();
  }
  ADD_FAILURE() << "parsed: " << body;
  return {};
}

TEST(ResponsesParser, StringInputIsOneUserMessage) {
  const ResponsesParams p = parse_responses_request(R"({"model":"gpt-4o","input":"Hello, world"})");
  EXPECT_EQ(p.generation.model, "gpt-4o");
  EXPECT_EQ(p.generation.prompt_tokens, estimate_chat_tokens({"Hello, world"}));
  EXPECT_EQ(p.generation.max_tokens, std::nullopt);
  EXPECT_FALSE(p.generation.stream);
  EXPECT_TRUE(p.echo.store);
  EXPECT_EQ(p.echo.instructions, std::nullopt);
  EXPECT_EQ(p.echo.tools_json, "[]");
  EXPECT_EQ(p.echo.tool_choice_json, R"("auto")");
}

TEST(ResponsesParser, ItemsAndInstructionsAreCounted) {
  const ResponsesParams p = parse_responses_request(R"({"model":"m","instructions":"Be brief",
    "input":[{"role":"user","content":[{"type":"input_text","text":"Hi"}]},
             {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
             {"type":"function_call_output","call_id":"c","output":"42"}],
    "max_output_tokens":64,"stream":true,"store":false})");
  EXPECT_EQ(p.generation.prompt_tokens, estimate_chat_tokens({"Be brief", "Hi", "f{}", "42"}));
  EXPECT_EQ(p.generation.max_tokens, 64);
  EXPECT_TRUE(p.generation.stream);
  EXPECT_FALSE(p.echo.store);
  EXPECT_EQ(p.echo.instructions, "Be brief");
}

TEST(ResponsesParser, FunctionToolsWithToolChoiceNoneAreEchoedFlat) {
  const ResponsesParams p = parse_responses_request(
      R"({"model":"m","input":"x","tool_choice":"none","tools":[{"type":"function","name":"f"}]})");
  EXPECT_EQ(p.echo.tools_json,
            R"([{"type":"function","name":"f","description":null,"parameters":null,"strict":true}])");
  EXPECT_EQ(p.echo.tool_choice_json, R"("none")");
}

TEST(ResponsesParser, ToolsAndTextFormatAreReadForTheGenerator) {
  const ResponsesParams p = parse_responses_request(R"({"model":"m","parallel_tool_calls":false,
    "input":[{"role":"user","content":"Hi"},
             {"type":"function_call_output","call_id":"c","output":"42"}],
    "tools":[{"type":"function","name":"f","strict":false,
              "parameters":{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"number"}}}},
             {"type":"function","name":"g"}],
    "tool_choice":{"type":"function","name":"g"},
    "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object",
            "properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false}}}})");
  const ChatTools& tools = p.generation.tools;
  ASSERT_EQ(tools.tools.size(), 2u);
  EXPECT_EQ(tools.tools[0].name, "f");
  EXPECT_EQ(tools.tools[0].parameters->json().dump(),
            R"({"type":"object","properties":{"z":{"type":"string"},"a":{"type":"number"}}})");
  EXPECT_EQ(tools.tool_choice, ToolChoice::named);
  EXPECT_EQ(tools.named_tool, 1u);
  EXPECT_FALSE(tools.parallel_tool_calls);
  EXPECT_TRUE(tools.last_is_tool_result);
  EXPECT_EQ(tools.format, ResponseFormat::json_schema);
  ASSERT_TRUE(tools.schema);
  EXPECT_TRUE(tools.is_structured());
  // The echo keeps the request's key order.
  const std::string first_tool =
      R"([{"type":"function","name":"f","description":null,"parameters":{"type":"object",)"
      R"("properties":{"z":{"type":"string"},"a":{"type":"number"}}},"strict":false})";
  EXPECT_EQ(p.echo.tools_json.substr(0, first_tool.size()), first_tool);
  EXPECT_EQ(p.echo.text_format_json,
            R"({"type":"json_schema","name":"out","schema":{"type":"object",)"
            R"("properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false},)"
            R"("strict":false})");
  EXPECT_EQ(p.echo.tool_choice_json, R"({"type":"function","name":"g"})");
}

TEST(ResponsesParser, BadBodiesGetOpenAIs400) {
  struct Row {
    const char* body;
    const char* param;
    const char* message;
  };
  const Row rows[] = {
      // model and input are required
      {R"({"input":"x"})", "model", "Missing required parameter: 'model'."},
      {R"({"model":"m"})", "input", "Missing required parameter: 'input'."},
      // input is a string or items
      {R"({"model":"m","input":5})", "input",
       "Invalid type for 'input': expected one of a string or array of input items, but got an "
       "integer instead."},
      // roles are OpenAI's four
      {R"({"model":"m","input":[{"role":"tool","content":"x"}]})", "input[0].role",
       "Invalid value: 'tool'. Supported values are: 'user', 'assistant', 'system', and "
       "'developer'."},
      // a function_call_output names its call
      {R"({"model":"m","input":[{"type":"function_call_output","output":"x"}]})",
       "input[0].call_id", "Missing required parameter: 'input[0].call_id'."},
      // max_output_tokens is at least 16
      {R"({"model":"m","input":"x","max_output_tokens":15})", "max_output_tokens",
       "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got "
       "15 instead."},
      // chat's nested function tool lacks the flat name
      {R"({"model":"m","input":"x","tools":[{"type":"function","function":{"name":"f"}}]})",
       "tools[0].name", "Missing required parameter: 'tools[0].name'."},
      // a named tool_choice must be among the tools
      {R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}],
           "tool_choice":{"type":"function","name":"g"}})",
       "tool_choice", "Tool choice 'function' not found in 'tools' parameter."},
      // the mock stores nothing
      {R"({"model":"m","input":"x","previous_response_id":"resp_1"})", "previous_response_id",
       "Previous response with id 'resp_1' not found."},
      // tools the mock does not generate calls for
      {R"({"model":"m","input":"x","tools":[{"type":"web_search"}]})", "tools[0].type",
       "Unsupported parameter: 'tools[0].type' is not supported by llmsim yet: the mock serves "
       "function tools only, got 'web_search'."},
      // a tool type OpenAI does not have
      {R"({"model":"m","input":"x","tools":[{"type":"robot"}]})", "tools[0].type",
       "Invalid value: 'robot'. Supported values are: 'function', 'file_search', "
       "'computer_use_preview', 'web_search', 'web_search_preview', 'mcp', 'code_interpreter', "
       "'image_generation', 'local_shell', 'shell', 'custom', 'namespace', 'tool_search' and "
       "'apply_patch'."},
      // function names as chat's
      {R"({"model":"m","input":"x","tools":[{"type":"function","name":"a b"}]})", "tools[0].name",
       "Invalid 'tools[0].name': string does not match pattern. Expected a string that matches "
       "the pattern '^[a-zA-Z0-9_-]+$'."},
      // strict is the default: every object closes with additionalProperties false
      {R"({"model":"m","input":"x","tools":[{"type":"function","name":"f",
           "parameters":{"type":"object","properties":{}}}]})",
       "tools[0].parameters",
       "Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be "
       "supplied and to be false."},
      // json_object needs the word json in the input
      {R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})", "input",
       "Response input messages must contain the word 'json' in some form to use 'text.format' "
       "of type 'json_object'."},
      // a json_schema keyword outside the subset
      {R"({"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n",
           "schema":{"type":"object","not":{}}}}})",
       "text.format.schema", "Invalid schema for response_format 'n': In context=(), 'not' is not "
       "permitted."},
      {R"({"model":"m","input":"x","text":{"format":{"type":"xml"}}})", "text.format.type",
       "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'."},
  };
  for (const Row& row : rows) {
    const wire::ApiError error = error_of(row.body);
    EXPECT_EQ(error.status, 400) << row.body;
    EXPECT_EQ(error.param, row.param) << row.body;
    EXPECT_EQ(error.message, row.message) << row.body;
  }
}

}  // namespace
}  // namespace llmsim::mockapi
