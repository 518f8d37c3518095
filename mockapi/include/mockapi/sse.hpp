// A streamed completion as server-sent events, paced token by token and generated lazily.
//
// The events of a chat stream, in order (OpenAI's CreateChatCompletionStreamResponse):
//   one `{"role":"assistant","content":"","refusal":null}` delta per choice, at the time to first
//   token; then one content delta per token, the choices interleaved step by step (choice 0,
//   1, ..., n-1, then the next token of each), each step after the first `per_token` later; then
//   one `delta: {}` with finish_reason per choice; with stream_options.include_usage, every
//   chunk carries `"usage": null` and a last chunk with `"choices": []` carries the usage; then
//   `data: [DONE]`. A legacy completions stream is the same without the role deltas
//   (text_completion objects). The whole stream lasts
//   time_to_first_token + (tokens per choice - 1) * per_token, the provider model's total time.
// Choices generated whole (tools, response_format) stream their own pieces instead of words: a
// content delta per piece, or per tool call a first delta `{"tool_calls":[{"index":i,"id":...,
// "type":"function","function":{"name":...,"arguments":""}}]}` and then one
// `{"tool_calls":[{"index":i,"function":{"arguments":piece}}]}` per piece; the role delta of a
// choice with calls has `"content":null`; finish_reason "tool_calls". With logprobs
// (completion.has_logprobs) a content chunk's `logprobs` is `{"content":[its token's entry],
// "refusal":null}` and a tool call chunk's has `"content":[]`; role and finish chunks keep null.
// A dropped stream (drop_after_tokens) ends after that many tokens of each choice, without
// finish, usage or [DONE]: the session then closes the connection.
//
// A Responses stream (StreamFormat::responses) is typed events instead, each
// `event: TYPE\ndata: {"type":TYPE,"sequence_number":i,...}\n\n` (OpenAI's ResponseStreamEvent):
//   response.created and response.in_progress (the Response in progress), at the time to first
//   token; response.output_item.added (the message, no content) and response.content_part.added
//   (an empty output_text), at once; one response.output_text.delta per token, each after the
//   first `per_token` later; then response.output_text.done, response.content_part.done,
//   response.output_item.done and response.completed (or response.incomplete when the reply
//   reached max_output_tokens) with the whole Response and its usage. No `data: [DONE]`. Content
//   generated whole (ResponseExtras::content) streams its message pieces the same way, then per
//   function call response.output_item.added (the call in_progress, arguments "": its first
//   token), one response.function_call_arguments.delta per piece, response.function_call_
//   arguments.done and response.output_item.done, each item at its output_index. A dropped
//   stream ends after its tokens, without the done events.
//
// An Anthropic Messages stream (`messages` set) is the typed events of mockapi/messages_api.hpp.
//
// Events are produced one at a time from their index, so a long stream costs no memory up front.
//
//   for (std::size_t i = 0; i < event_count(plan); ++i) {
//     StreamEvent e = stream_event(plan, i);   // wait e.delay, then write e.data
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mockapi/messages_api.hpp"
#include "mockapi/response_bodies.hpp"
#include "mockapi/responses_bodies.hpp"
#include "models/time.hpp"

namespace llmsim::mockapi {

enum class StreamFormat { chat, completion, responses };

// One content event of a stream whose choices were generated whole: choice and step.
struct StreamStep {
  std::uint32_t choice = 0;
  std::uint32_t step = 0;
};

struct StreamEvent {
  Duration delay{0};  // model time to wait, after the previous event, before sending this one
  std::string data;   // "data: <json>\n\n" or "data: [DONE]\n\n"
};

struct StreamPlan {
  // Events given whole (fixture answers, recordings): sent as they are, `completion` unused.
  std::shared_ptr<const std::vector<StreamEvent>> events;
  StreamFormat format = StreamFormat::chat;
  Completion completion;      // choice_tokens as from split_tokens (non-increasing, by at most 1)
  bool include_usage = false;
  std::optional<std::int64_t> drop_after_tokens;  // close after this many tokens of each choice
  Duration time_to_first_token{0};
  Duration per_token{0};
  // With completion.contents: the content events in order, the choices advancing step by step
  // (whole_steps()); a step is a content piece, a tool call's first delta (id, type, name) or a
  // piece of its arguments.
  std::vector<StreamStep> steps;
  ResponseExtras response;    // responses only: the message id, completed_at and the echo
  // An Anthropic Messages stream (mockapi/messages_api.hpp): when set, its events are the plan's.
  std::shared_ptr<const MessagesStream> messages;
};

// Returns the content events of choices generated whole, step by step (choice 0, 1, ... of
// each step; a choice with fewer steps drops out).
std::vector<StreamStep> whole_steps(const std::vector<ChoiceContent>& contents);

// Returns how many events the stream sends.
std::size_t event_count(const StreamPlan& plan);

// Returns event `index` (< event_count(plan)).
StreamEvent stream_event(const StreamPlan& plan, std::size_t index);

// event_count and stream_event of a Responses stream (responses_stream.cpp).
std::size_t responses_event_count(const StreamPlan& plan);
StreamEvent responses_stream_event(const StreamPlan& plan, std::size_t index);

}  // namespace llmsim::mockapi
