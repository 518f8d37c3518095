// Deterministic content: reply text, ids and embedding vectors, so replays are byte-identical.
//
// A reply is one word per token, each word picked from a fixed list by a RandomStream named
// (seed ^ hash(key), "reply", request number, choice << 32 | token index): any token of any choice
// can be produced on its own (streams are generated lazily) and the same (seed, key, request
// number) always gives the same words. The first token of a choice is a bare word, later ones
// carry a leading space, so concatenating the tokens gives the text. Ids (x-request-id
// `req_<32 hex>`, `chatcmpl-...`) come from the same naming. Embeddings are standard normal draws
// from a stream seeded by (seed, input text), normalised to unit length; asking for fewer
// dimensions gives a (renormalised) prefix, as OpenAI's text-embedding-3 models do.
//
//   ReplyText reply(seed, "sk-test", 7);
//   std::string first = reply.token(0, 0);     // "time"
//   std::string all = reply.text(0, 16);        // 16 words
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmsim::mockapi {

class ReplyText {
 public:
  // Names the reply of request number `request_n` on API key `key`.
  ReplyText(std::uint64_t seed, std::string_view key, std::uint64_t request_n);

  // Returns token `index` (0-based) of choice `choice`: a word, with a leading space unless first.
  std::string token(int choice, std::int64_t index) const;

  // Returns the first `tokens` tokens of choice `choice`, concatenated.
  std::string text(int choice, std::int64_t tokens) const;

  // Appends what text(choice, tokens) returns to `out`, without a string per token. The text is
  // lower-case ASCII words and spaces, so it goes into JSON as it is, with no escaping.
  void append_text(std::string& out, int choice, std::int64_t tokens) const;

 private:
  // Returns the word of token `index` of choice `choice`, without its leading space.
  std::string_view word(int choice, std::int64_t index) const;

  std::uint64_t seed_;
  std::uint64_t request_n_;
};

// Returns the reply word that a 64-bit random draw picks (the vocabulary ReplyText uses): lower-case
// ASCII letters only.
std::string_view reply_word(std::uint64_t draw);

// Returns the x-request-id of request number `request_n` on `key`: "req_" and 32 hex digits.
std::string request_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n);

// Returns a completion id: `prefix` ("chatcmpl-", "cmpl-") and 29 letters and digits.
std::string completion_id(std::string_view prefix, std::uint64_t seed, std::string_view key,
                          std::uint64_t request_n);

// Returns the unit-length embedding of `input` with `dimensions` components (>= 1).
std::vector<float> embedding_vector(std::uint64_t seed, std::string_view input, int dimensions);

// Returns `values` as little-endian float32 bytes in base64 (encoding_format "base64").
std::string base64_floats(const std::vector<float>& values);

// Returns the shortest decimal text that reads back as `value` ("0.125", "-1e-05").
std::string float_text(float value);

}  // namespace llmsim::mockapi
