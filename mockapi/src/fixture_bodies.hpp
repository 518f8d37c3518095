// Internal: the bodies and stream events of a fixture's content and tool calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/sse.hpp"
#include "mockapi/token_logprobs.hpp"
#include "models/fixtures.hpp"

namespace llmsim::mockapi {

// A fixture reply as it is sent: the pieces of each choice (every choice gets the same ones).
struct FixtureReply {
  std::string id;       // "chatcmpl-..." or "cmpl-..."
  std::int64_t created = 0;
  std::string model;
  StreamFormat format = StreamFormat::chat;
  int choices = 1;
  std::int64_t prompt_tokens = 0;
  bool has_content = false;                      // content given (else null in chat)
  std::vector<std::string_view> content;         // pieces sent, after the max_tokens cut
  bool is_cut = false;                           // max_tokens cut the content
  const std::vector<FixtureToolCall>* calls = nullptr;  // chat only
  std::vector<std::vector<std::string_view>> arguments;  // pieces of each call's arguments
  // With `logprobs` asked (chat's true, the legacy integer): the content pieces and each choice's
  // log probabilities, drawn as for generated content (token_logprobs from the choice's stream
  // "logprobs"); else empty.
  std::vector<std::string> logprob_pieces;
  std::vector<std::vector<TokenLogprob>> logprobs;

  // Returns the tokens (stream steps) of one choice: content pieces, then per call one for the
  // name and one per argument piece.
  std::int64_t steps() const;

  // Returns "tool_calls", "length" or "stop".
  const char* finish_reason() const;
};

// Returns the chat.completion or text_completion body.
std::string fixture_body(const FixtureReply& reply);

// Returns the stream events: role deltas at `first` (chat), then one step per token, `per_token`
// apart, choices interleaved; then finish, usage (with `include_usage`) and [DONE]. With
// `drop_after` the events end after that many steps of each choice.
std::shared_ptr<const std::vector<StreamEvent>> fixture_events(
    const FixtureReply& reply, Duration first, Duration per_token, bool include_usage,
    std::optional<std::int64_t> drop_after);

}  // namespace llmsim::mockapi
