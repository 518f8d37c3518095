// Parsing and validating request bodies of the OpenAI endpoints the mock serves.
//
// Each parser checks a JSON body the way OpenAI does and returns only what the provider model
// and the reply need (model, token estimate, max_tokens, n, stream). The first problem found is
// thrown as a RequestError carrying OpenAI's 400 (param named, code set). Nullable optional fields
// given as null count as absent, as in OpenAI's schema. Prompt tokens are estimated with
// models/token_model.hpp.
//
//   GenerationParams p = parse_chat_request(R"({"model":"gpt-3.5-turbo","messages":[...]})");
//   // throws RequestError{invalid_type("max_tokens", "an integer", "a string")} for "max_tokens":"5"
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "wire/openai_errors.hpp"
#include "mockapi/chat_tools.hpp"

namespace llmsim::mockapi {

// A request body OpenAI would refuse; error() is the response to send.
class RequestError : public std::runtime_error {
 public:
  explicit RequestError(wire::ApiError error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  const wire::ApiError& error() const { return error_; }

 private:
  wire::ApiError error_;
};

// Largest max_tokens accepted (OpenAI's integers are 32-bit); also keeps max_tokens * n in range.
inline constexpr std::int64_t kMaxTokensLimit = 2147483647;
// Most choices one request may ask for (OpenAI's maximum of `n`).
inline constexpr int kMaxChoices = 128;
// Default max_tokens of the legacy completions endpoint when the request gives none.
inline constexpr std::int64_t kCompletionsDefaultMaxTokens = 16;
// Deepest nesting of arrays and objects in a body; deeper bodies get the 400 for invalid JSON
// before any parsing (the quick chat scan accepts at most 68 levels, well within).
inline constexpr int kMaxJsonDepth = 128;
// Most inputs one embeddings request may carry (OpenAI's limit).
inline constexpr std::size_t kMaxEmbeddingInputs = 2048;

// What a chat or legacy completion request asks for.
struct GenerationParams {
  std::string model;
  std::int64_t prompt_tokens = 0;            // estimated from the messages or the prompt
  std::optional<std::int64_t> max_tokens;    // max_completion_tokens, else max_tokens
  int n = 1;
  bool stream = false;
  bool include_usage = false;                // stream_options.include_usage
  ChatTools tools;                           // chat: tools, response_format, seed
};

// What an embeddings request asks for.
struct EmbeddingParams {
  std::string model;
  std::vector<std::string> inputs;           // each input's text (token arrays as "[1,2,3]")
  std::int64_t prompt_tokens = 0;
  std::optional<std::int64_t> dimensions;    // checked against the model by the router
  bool is_base64 = false;                    // encoding_format "base64" (the SDKs' default)
};

// Parses a POST /v1/chat/completions body; throws RequestError with OpenAI's 400. Common bodies
// take the quick scan of mockapi/chat_fast_parser.hpp; the others parse_chat_request_dom.
GenerationParams parse_chat_request(std::string_view body);

// parse_chat_request through the JSON document only (the exact reference of the quick scan).
GenerationParams parse_chat_request_dom(std::string_view body);

// Parses a POST /v1/completions body (max_tokens defaults to 16); throws RequestError.
GenerationParams parse_completion_request(std::string_view body);

// Parses a POST /v1/embeddings body; throws RequestError.
EmbeddingParams parse_embedding_request(std::string_view body);

}  // namespace llmsim::mockapi
