// Parsing and validating POST /v1/responses bodies (OpenAI's CreateResponse), as OpenAI does.
//
// Reads what the provider model and the reply need (model, input token estimate,
// max_output_tokens, stream) and what the Response object repeats of the request (instructions,
// tools, tool_choice, text.format, store, parallel_tool_calls, temperature, top_p). The first
// problem is thrown as a RequestError with OpenAI's 400 (param named, as `input[2].role`).
//
// `input` is a string (one user message) or a list of items: messages (`role` user, assistant,
// system or developer; content a string or parts with `text`), `function_call` items (a call the
// model made, sent back) and `function_call_output` items (`call_id` and `output`). The input
// tokens are estimated as chat messages are (models/token_model.hpp): the instructions, then each
// item's text. Tools are Responses' flat function tools (`{"type":"function","name":...,
// "parameters":{...},"strict":...}`, not chat's nested `function` object; strict defaults to
// true); they, tool_choice, parallel_tool_calls and `text.format` (json_object, json_schema) are
// read into generation.tools, the ChatTools chat fills (mockapi/chat_tools.hpp), with the same
// schema checks and OpenAI's 400s; the last input item being a function_call_output counts as a
// tool result (a follow-up turn answers in text under "auto"). Tool types other than function
// (web_search, file_search ...) are a 400 unsupported_parameter: the mock generates function
// calls only. previous_response_id: the mock stores nothing, so it is never found.
//
//   ResponsesParams p = parse_responses_request(R"({"model":"gpt-4o","input":"Hi"})");
//   // p.generation.prompt_tokens == 7, p.instructions == nullopt, p.store == true
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mockapi/request_parser.hpp"

namespace llmsim::mockapi {

// The least max_output_tokens OpenAI accepts on the Responses API.
inline constexpr std::int64_t kMinMaxOutputTokens = 16;

// What the Response object echoes of its request, as compact JSON text where it is JSON.
struct ResponseEcho {
  std::optional<std::string> instructions;
  std::optional<std::int64_t> max_output_tokens;
  bool store = true;
  bool parallel_tool_calls = true;
  std::string text_format_json = R"({"type":"text"})";  // text.format
  std::string tool_choice_json = R"("auto")";
  std::string tools_json = "[]";
  std::string temperature_json = "1.0";
  std::string top_p_json = "1.0";
};

struct ResponsesParams {
  // model, prompt_tokens, max_tokens (= max_output_tokens), stream, tools (tools, tool_choice,
  // parallel_tool_calls, text.format)
  GenerationParams generation;
  ResponseEcho echo;
};

// Parses a POST /v1/responses body; throws RequestError with OpenAI's 400.
ResponsesParams parse_responses_request(std::string_view body);

}  // namespace llmsim::mockapi
