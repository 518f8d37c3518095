// A quick scan of the common chat-completion body, with the DOM parser as the exact fallback.
//
// try_parse_chat_fast() reads a POST /v1/chat/completions body by hand, without building a JSON
// document, and answers only when it is sure of the answer parse_chat_request's DOM path
// (parse_chat_request_dom) would give: the same GenerationParams, field for field. It handles the
// shape the OpenAI SDKs send: a top-level object with plain ASCII keys; "model" a string;
// "messages" a non-empty array of objects with a known "role" string and a string "content" (or
// none); "max_tokens", "max_completion_tokens" and "n" as plain in-range integers; "stream" and
// "stream_options.include_usage" as true/false; any other member with a well-formed value is
// skipped, as the DOM path ignores it. The members that shape the content (tools, tool_choice,
// parallel_tool_calls, response_format, seed, logprobs, top_logprobs, stop) are kept as text and
// read by parse_chat_tools (mockapi/chat_tools.hpp) as an object of their own, which is what the
// DOM path reads of them, with the same 400s (the rest of the body is known good then); the
// result is kept per thread by that text (64 texts at most), so tools sent again and again are
// parsed and their schemas checked once. The deprecated functions and function_call go to the
// DOM path. On anything else (malformed JSON, a duplicate or null field it reads, a duplicate
// content-shaping member, a wrong type, an out-of-range or non-plain number, array content, a \u
// escape, a byte >= 0x80, trailing text ...) it returns std::nullopt, "not sure", and the caller
// parses with the DOM path, so every other 400 comes from there.
//
//   if (auto fast = try_parse_chat_fast(body)) return *fast;
//   return parse_chat_request_dom(body);
#pragma once

#include <optional>
#include <string_view>

#include "mockapi/request_parser.hpp"

namespace llmsim::mockapi {

// Returns the body's parameters when it has the common valid shape, else std::nullopt.
std::optional<GenerationParams> try_parse_chat_fast(std::string_view body);

}  // namespace llmsim::mockapi
