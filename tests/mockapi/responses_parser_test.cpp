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
      // generated calls and structured outputs wait for the generator
      {R"({"model":"m","input":"x","tools":[{"type":"function","name":"f"}]})", "tools",
       "Unsupported parameter: 'tools' is not supported by llmsim yet: generated function calls "
       "and structured outputs need the schema-driven generator."},
      {R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})", "text.format",
       "Unsupported parameter: 'text.format' is not supported by llmsim yet: generated function "
       "calls and structured outputs need the schema-driven generator."},
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
