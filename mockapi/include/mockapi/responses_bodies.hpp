// The Responses API's Response object and output items, shaped by OpenAI's schemas
// (openai-openapi.yaml: Response, OutputMessage, OutputTextContent, ResponseUsage), keys in the
// order OpenAI writes them.
//
// A response of the mock is one `message` output item with one `output_text` part: the reply
// words of ReplyText (choice 0), as many as the provider model decided. It is `completed`, or
// `incomplete` (incomplete_details.reason "max_output_tokens") when the reply reached
// max_output_tokens. usage counts input_tokens (the prompt estimate) and output_tokens, with
// their details objects. The same object renders `in_progress` (no output, no usage) for the
// first events of a stream (mockapi/sse.hpp).
//
//   ResponseExtras extras{.message_id = "msg_...", .completed_at = 1700000001, .echo = params.echo};
//   std::string body = response_json(completion, extras, final_status(completion));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mockapi/response_bodies.hpp"
#include "mockapi/responses_parser.hpp"

namespace llmsim::mockapi {

enum class ResponseStatus { in_progress, completed, incomplete };

// What a Response adds to a Completion (whose id is "resp_...", with one choice).
struct ResponseExtras {
  std::string message_id;         // "msg_..."
  std::int64_t completed_at = 0;  // Unix seconds
  ResponseEcho echo;
};

// Returns incomplete when the reply reached max_output_tokens, else completed.
ResponseStatus final_status(const Completion& completion);

// Returns the status as the API writes it: "in_progress", "completed", "incomplete".
std::string_view status_name(ResponseStatus status);

// Returns the Response object at `status` (in_progress: no output, no completed_at, no usage).
std::string response_json(const Completion& completion, const ResponseExtras& extras,
                          ResponseStatus status);

// Returns the message output item: at in_progress with no content, else with its whole text.
std::string message_item_json(const Completion& completion, const ResponseExtras& extras,
                              ResponseStatus status);

// Returns an output_text content part holding `text` (no annotations, no logprobs).
std::string output_text_part_json(std::string_view text);

// Returns the ResponseUsage object.
std::string response_usage_json(std::int64_t input_tokens, std::int64_t output_tokens);

}  // namespace llmsim::mockapi
