// Success bodies of the mock server, shaped by OpenAI's schemas (openai-openapi.yaml):
// CreateChatCompletionResponse, CreateCompletionResponse, CreateEmbeddingResponse,
// ListModelsResponse and Model. Keys are written in OpenAI's order.
//
// A Completion names everything a (chat or legacy) completion body needs; its text comes from
// ReplyText, so the same Completion always renders to the same bytes.
//
//   Completion c{.id = "chatcmpl-...", .created = 1700000000, .model = "gpt-3.5-turbo",
//                .reply = ReplyText(seed, key, n), .choice_tokens = {16}, .prompt_tokens = 12};
//   std::string body = chat_completion_json(c);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mockapi/request_parser.hpp"
#include "mockapi/text_generator.hpp"
#include "mockapi/token_logprobs.hpp"

namespace llmsim::mockapi {

// A tool call of a choice: its id, function name and arguments in the pieces they stream in.
struct ToolCall {
  std::string id;                            // "call_" and 24 letters and digits
  std::string name;
  std::vector<std::string> argument_pieces;  // concatenated: the arguments JSON text
};

// A choice generated whole (tools, response_format): content or tool calls, piece by piece.
// Its tokens are its content pieces, and for each call one (the name) plus its argument pieces.
struct ChoiceContent {
  std::vector<std::string> content_pieces;   // text or JSON; none when the choice calls tools
  std::vector<ToolCall> tool_calls;
  bool is_truncated = false;                 // max_tokens cut it: finish_reason "length"
  std::vector<TokenLogprob> logprobs;        // with logprobs: one per content piece

  // Returns the tokens of the choice (the steps it streams in).
  std::int64_t tokens() const;
};

struct Completion {
  std::string id;                           // "chatcmpl-..." or "cmpl-..."
  std::int64_t created = 0;                 // Unix seconds
  std::string model;
  ReplyText reply{0, "", 0};
  std::vector<std::int64_t> choice_tokens;  // completion tokens of each choice
  std::optional<std::int64_t> max_tokens;   // a choice of this many tokens finished by "length"
  std::int64_t prompt_tokens = 0;
  // Choices generated whole, one per choice; null: every choice is reply words (choice_tokens
  // then holds each choice's tokens()).
  std::shared_ptr<const std::vector<ChoiceContent>> contents;
  // logprobs: true (chat, with contents): each choice's `logprobs` is {"content": the entries of
  // its content pieces (none for tool calls), "refusal": null}; else null.
  bool has_logprobs = false;
};

// Splits `total` tokens over `n` choices as evenly as possible, earlier choices taking the rest.
std::vector<std::int64_t> split_tokens(std::int64_t total, int n);

// Returns "tool_calls" for a whole choice with calls, "length" when the choice reached max_tokens
// (or was cut), else "stop".
const char* finish_reason(const Completion& completion, int choice);

// Returns the completion tokens over all choices.
std::int64_t completion_tokens(const Completion& completion);

// Returns the CompletionUsage object as JSON text.
std::string usage_json(std::int64_t prompt_tokens, std::int64_t completion_tokens);

// Returns a chat.completion body.
std::string chat_completion_json(const Completion& completion);

// Returns a text_completion body (legacy /v1/completions).
std::string text_completion_json(const Completion& completion);

// Returns the embeddings list body: one unit vector of `dimensions` per input, as floats or base64.
std::string embeddings_json(std::uint64_t seed, const EmbeddingParams& params, int dimensions);

// Returns the Model object of `id`.
std::string model_json(const std::string& id, std::int64_t created, const std::string& owned_by);

// Returns the ListModelsResponse of `ids`, in the given order.
std::string model_list_json(const std::vector<std::string>& ids, std::int64_t created,
                            const std::string& owned_by);

}  // namespace llmsim::mockapi
