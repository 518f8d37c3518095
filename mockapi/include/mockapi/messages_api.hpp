// Anthropic's Messages API on the mock server: POST /v1/messages (whole and streamed),
// POST /v1/messages/count_tokens and GET /v1/models in Anthropic's shapes.
//
// parse_messages_request() checks a body the way Anthropic does (model, max_tokens and messages
// required; roles user/assistant; content a string or a list of blocks; system a string or text
// blocks; stop_sequences; temperature, top_p, top_k in range) and throws a MessagesError carrying
// Anthropic's 400 (wire/anthropic.hpp). The reply is the provider model's tokens of reply words
// (mockapi/text_generator.hpp), cut at the first stop sequence it contains. A message body is
// {"id":"msg_...","type":"message","role":"assistant","model":...,"content":[{"type":"text",
// "text":...}],"stop_reason":"end_turn"|"max_tokens"|"stop_sequence","stop_sequence":...,
// "usage":{"input_tokens":N,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
// "output_tokens":M}}. A stream is Anthropic's typed events, each `event: TYPE\ndata: JSON\n\n`:
// message_start (the message with empty content and output_tokens 1) at the time to first token,
// content_block_start (an empty text block) and ping at once, one content_block_delta
// (text_delta) per token each `per_token` after the previous, then content_block_stop,
// message_delta (stop_reason, stop_sequence, usage.output_tokens) and message_stop. A dropped
// stream ends after its tokens, without the closing events.
//
// Tools (mockapi/src/messages_tools.cpp): `tools` [{name, description, input_schema}],
// `tool_choice` {type: auto|any|tool(name)|none, disable_parallel_tool_use} are read into the
// vendor-neutral ChatTools (any is "required", tool is "named"), checked by the rules the OpenAI
// faces use (is_function_name up to 128 characters, check_function_tool) with Anthropic's 400
// texts; the body checks are mockapi/src/messages_request.cpp. Whether the reply calls a
// tool, which, and its input come from the chat rule (chat_content.hpp whole_choices); a reply
// that calls tools has content [text?, tool_use...] and stop_reason "tool_use": under "auto" a
// leading text block of at most kToolPreambleTokens reply words (under any/tool Anthropic
// prefills the turn, so none). Streamed, a tool_use block is content_block_start {type tool_use,
// id, name, input {}} (one token), one input_json_delta per piece of its input, then
// content_block_stop. tool_use and tool_result blocks in messages are accepted and counted (a
// tool_use as its name and input JSON, a tool_result as its text, each tool definition as its
// name, description and schema); a turn after a tool_result answers in text under "auto".
// Images and documents in content are accepted and counted as no text.
//
//   MessagesParams p = parse_messages_request(body);       // throws MessagesError
//   MessageReply r = message_reply(reply, tokens, p);      // text cut at a stop sequence
//   std::string json = message_json(ids, p, r, input_tokens);
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/chat_tools.hpp"
#include "mockapi/response_bodies.hpp"
#include "mockapi/text_generator.hpp"
#include "models/time.hpp"
#include "wire/anthropic.hpp"

namespace llmsim::mockapi {

// A request body Anthropic would refuse; error() is the response to send.
class MessagesError : public std::runtime_error {
 public:
  explicit MessagesError(wire::anthropic::ApiError error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  const wire::anthropic::ApiError& error() const { return error_; }

 private:
  wire::anthropic::ApiError error_;
};

// Most stop sequences a request may give, and the longest one (bytes): ours, to bound the scan.
inline constexpr std::size_t kMaxMessageStopSequences = 16;
inline constexpr std::size_t kMaxStopSequenceBytes = 256;
// Most reply words in the text block before a tool_use under tool_choice auto (ours).
inline constexpr std::int64_t kToolPreambleTokens = 12;

// What a POST /v1/messages request asks for.
struct MessagesParams {
  std::string model;
  std::int64_t max_tokens = 1;
  std::int64_t input_tokens = 0;  // estimated from system and messages (models/token_model.hpp)
  bool stream = false;
  std::vector<std::string> stop_sequences;
  std::string last_user_text;     // the text of the last user message
  ChatTools tools;                // tools and tool_choice (none offered: no tools)
};

// Parses a POST /v1/messages body; throws MessagesError with Anthropic's 400.
MessagesParams parse_messages_request(std::string_view body);

// Parses a POST /v1/messages/count_tokens body (no max_tokens); returns the input tokens.
std::int64_t parse_count_tokens_request(std::string_view body, std::string& model);

// The reply of one message: its tokens of reply words, cut where a stop sequence begins.
struct MessageReply {
  ReplyText reply{0, "", 0};
  std::int64_t whole_tokens = 0;      // tokens sent whole
  std::string tail;                   // the part of the next token before a stop sequence ("" none)
  std::string stop_reason;            // "end_turn", "max_tokens" or "stop_sequence"
  std::optional<std::string> stop_sequence;
  std::vector<ToolCall> tool_uses;    // after the text; ids "toolu_01..."
  bool is_cut = false;                // max_tokens cut the last tool_use's input

  // Returns the tokens of the text: the whole ones and a cut one.
  std::int64_t text_tokens() const { return whole_tokens + (tail.empty() ? 0 : 1); }
  // Returns the output tokens Anthropic counts: the text's, and per tool_use one and its pieces.
  std::int64_t output_tokens() const;
  // Returns whether the content has a text block (text, or nothing else).
  bool has_text_block() const { return text_tokens() > 0 || tool_uses.empty(); }
  // Returns the text of the reply.
  std::string text() const;
};

// Returns the reply of `tokens` tokens of `reply` under `params` (max_tokens, stop sequences).
MessageReply message_reply(const ReplyText& reply, std::int64_t tokens, const MessagesParams& params);

// Returns the reply calling the tools of `content` (chat_content.hpp whole_choices, one choice),
// after a text of `text_tokens` tokens of `reply`: stop_reason "tool_use", or "max_tokens" when
// `content` was cut, or the text's own stop when a stop sequence ends it before the calls.
// `ids` are the tool_use ids, one per call.
MessageReply message_tool_reply(const ReplyText& reply, std::int64_t text_tokens,
                                const MessagesParams& params, const ChoiceContent& content,
                                const std::vector<std::string>& ids);

// Returns a message id: "msg_01" and 22 letters and digits, from (seed, key, request_n).
std::string message_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n);

// Returns the id of tool_use `index` of a message: "toolu_01" and 22 letters and digits.
std::string tool_use_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n,
                        std::size_t index);

// Returns the message body.
std::string message_json(std::string_view id, std::string_view model, const MessageReply& reply,
                         std::int64_t input_tokens);

// A streamed message: everything its events need.
struct MessagesStream {
  std::string id;
  std::string model;
  MessageReply reply;
  std::int64_t input_tokens = 0;
  std::optional<std::int64_t> drop_after_tokens;  // close after this many tokens
  Duration time_to_first_token{0};
  Duration per_token{0};
};

// Returns how many events the stream sends, and event `index` as (delay, text).
std::size_t messages_event_count(const MessagesStream& stream);
std::pair<Duration, std::string> messages_event(const MessagesStream& stream, std::size_t index);

// Returns GET /v1/models in Anthropic's shape (ModelInfo list, `created_at` from `created_unix_s`).
std::string anthropic_model_list_json(const std::vector<std::string>& models, std::int64_t created_unix_s);

// Returns GET /v1/models/{id} in Anthropic's shape.
std::string anthropic_model_json(std::string_view model, std::int64_t created_unix_s);

}  // namespace llmsim::mockapi
