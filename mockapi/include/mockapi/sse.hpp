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
// A dropped stream (drop_after_tokens) ends after that many tokens of each choice, without
// finish, usage or [DONE]: the session then closes the connection.
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

#include "mockapi/response_bodies.hpp"
#include "models/time.hpp"

namespace llmsim::mockapi {

enum class StreamFormat { chat, completion };

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
};

// Returns how many events the stream sends.
std::size_t event_count(const StreamPlan& plan);

// Returns event `index` (< event_count(plan)).
StreamEvent stream_event(const StreamPlan& plan, std::size_t index);

}  // namespace llmsim::mockapi
