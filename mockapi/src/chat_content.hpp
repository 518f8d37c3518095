// Internal: the choices of a chat completion generated whole (tool calls, JSON content), and the
// one choice of a Responses answer with function tools or text.format JSON (plans.cpp
// responses_plan calls whole_choices with the Responses request's GenerationParams).
//
// For each choice: tool calls when the request offers tools and tool_choice is "required", a
// named function, or "auto" and a draw below the provider's tool_call_share (a follow-up turn
// whose last message is a tool result answers in text under "auto"); else JSON content for
// response_format json_schema / json_object; else `word_tokens` reply words. Under "required" or
// "auto", with parallel_tool_calls, a choice makes one call, sometimes two (kSecondCallShare).
// Every draw comes from content_stream() (mockapi/schema_values.hpp), so the request's `seed`
// makes the content reproducible. Text is cut into pieces (split_pieces) that stream as tokens;
// a stop sequence cuts a choice's text (words or JSON; not tool call arguments) before it, with
// finish_reason "stop"; max_tokens cuts a choice (is_truncated). With logprobs, each content piece
// gets its log probabilities (mockapi/token_logprobs.hpp) from the stream "logprobs".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mockapi/request_parser.hpp"
#include "mockapi/response_bodies.hpp"
#include "plans.hpp"

namespace llmsim::mockapi {

// Chance of a second call in a choice that calls tools with parallel_tool_calls.
inline constexpr double kSecondCallShare = 0.25;

// Returns `text` cut into token-like pieces: a run of letters, digits and non-ASCII (a leading
// space kept with it, at most 8 bytes, never inside a UTF-8 character) or of up to 3 other bytes.
std::vector<std::string> split_pieces(std::string_view text);

// Returns the request number ReplyText names a chat reply's words by: the request's number on its
// key, or, for a request with a `seed`, a number drawn from that seed (same seed, same words).
std::uint64_t reply_number(const PlanContext& context, const ChatTools& tools);

// Returns the choices of `params` generated whole; `word_tokens` are each choice's tokens from
// the provider model (used by choices that answer in words).
std::shared_ptr<const std::vector<ChoiceContent>> whole_choices(
    const PlanContext& context, const GenerationParams& params,
    const std::vector<std::int64_t>& word_tokens);

}  // namespace llmsim::mockapi
