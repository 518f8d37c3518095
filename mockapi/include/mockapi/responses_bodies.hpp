// The Responses API's Response object and output items, shaped by OpenAI's schemas
// (openai-openapi.yaml: Response, OutputMessage, OutputTextContent, ResponseUsage), keys in the
// order OpenAI writes them.
//
// A response of the mock is one `message` output item with one `output_text` part: the reply
// words of ReplyText (choice 0), as many as the provider model decided; or, for content generated
// whole (function tools, text.format json, fixtures: `ResponseExtras::content`), a message with
// the content's pieces (when it has some or calls nothing), then one `function_call` item per
// call ({"id":"fc_...","type":"function_call","status","arguments","call_id":"call_...","name"}).
// It is `completed`, or `incomplete` (incomplete_details.reason "max_output_tokens") when the
// reply reached max_output_tokens (content: when max_output_tokens cut it); then its last item is
// `incomplete` too. usage counts input_tokens (the prompt estimate) and output_tokens, with
// their details objects. The same object renders `in_progress` (no output, no usage) for the
// first events of a stream (mockapi/sse.hpp).
//
//   ResponseExtras extras{.message_id = "msg_...", .completed_at = 1700000001, .echo = params.echo};
//   std::string body = response_json(completion, extras, final_status(completion, extras));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/response_bodies.hpp"
#include "mockapi/responses_parser.hpp"

namespace llmsim::mockapi {

enum class ResponseStatus { in_progress, completed, incomplete };

// What a Response adds to a Completion (whose id is "resp_...", with one choice).
struct ResponseExtras {
  std::string message_id;         // "msg_..."
  std::int64_t completed_at = 0;  // Unix seconds
  ResponseEcho echo;
  // Content generated whole (calls, JSON, a fixture's text); null: the reply words.
  std::shared_ptr<const ChoiceContent> content;
  std::vector<std::string> call_item_ids;  // "fc_..." of each of content's tool calls
};

// One output item: the message, or the function call `call` of the content.
struct OutputItem {
  bool is_call = false;
  std::size_t call = 0;
};

// Returns the output items in order: the message (the reply words; the content's pieces when it
// has some or no calls), then one per tool call of the content.
std::vector<OutputItem> output_items(const ResponseExtras& extras);

// Returns incomplete when the reply reached max_output_tokens (content: when it was cut), else
// completed.
ResponseStatus final_status(const Completion& completion, const ResponseExtras& extras);

// Returns the status as the API writes it: "in_progress", "completed", "incomplete".
std::string_view status_name(ResponseStatus status);

// Returns the Response object at `status` (in_progress: no output, no completed_at, no usage).
std::string response_json(const Completion& completion, const ResponseExtras& extras,
                          ResponseStatus status);

// Returns an output item: at in_progress a message with no content or a call with empty
// arguments, else whole, with `status` (a response's final status applies to its last item only,
// the others are completed).
std::string output_item_json(const Completion& completion, const ResponseExtras& extras,
                             OutputItem item, ResponseStatus status);

// Returns the whole text of the message item.
std::string message_text(const Completion& completion, const ResponseExtras& extras);

// Returns the whole arguments of the content's call `call`.
std::string call_arguments(const ResponseExtras& extras, std::size_t call);

// Returns an output_text content part holding `text` (no annotations, no logprobs).
std::string output_text_part_json(std::string_view text);

// Returns the ResponseUsage object.
std::string response_usage_json(std::int64_t input_tokens, std::int64_t output_tokens);

}  // namespace llmsim::mockapi
