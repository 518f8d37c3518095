// Log probabilities of generated tokens (chat `logprobs: true`, `top_logprobs: K`), drawn so that
// they look like a model's and stay reproducible.
//
// For each token: K + 1 probabilities p_0 > p_1 > ... > p_K are drawn by sharing out a mass of 1
// (p_0 = f_0, p_i = f_i * (1 - p_0 - ... - p_(i-1)) with f_0 near 1 and f_i in [0.5, 0.99), so
// each p_i is at least the mass left after it and the list descends); the generated token holds
// rank r (0 most of the time, kTopRankShare), the other ranks go to distinct alternative tokens
// (reply words, with a leading space when the token has one). top_logprobs lists ranks 0..K-1, so
// the generated token is among them unless r = K, as OpenAI allows. Logprobs are ln(p) rounded to
// float (OpenAI sends float32 values), so always <= 0. Every token takes the same number of draws
// (1 + 2K + 1), so two contents with the same first tokens get the same first logprobs.
//
//   RandomStream rng = content_stream(name, "logprobs");
//   std::vector<TokenLogprob> lp = token_logprobs(pieces, 2, rng);
//   std::string json;
//   append_choice_logprobs(json, pieces, lp, 0, pieces.size());  // {"content":[...],"refusal":null}
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "models/random.hpp"

namespace llmsim::mockapi {

// Share of tokens that are the most likely at their position.
inline constexpr double kTopRankShare = 0.85;

// An alternative token at a position and its log probability.
struct TopLogprob {
  std::string token;
  float logprob = 0;
};

// A generated token's log probability and the most likely tokens at its position (descending).
struct TokenLogprob {
  float logprob = 0;
  std::vector<TopLogprob> top;  // top_logprobs entries, the generated token among them or not
};

// Returns one TokenLogprob per piece (a generated token), with `top_logprobs` (0..20) entries
// each, drawing from `rng`.
std::vector<TokenLogprob> token_logprobs(const std::vector<std::string>& pieces, int top_logprobs,
                                         RandomStream& rng);

// Appends a choice's ChatCompletion logprobs object `{"content":[...],"refusal":null}` with the
// entries of pieces[begin, end) (each {token, logprob, bytes, top_logprobs}).
void append_choice_logprobs(std::string& out, const std::vector<std::string>& pieces,
                            const std::vector<TokenLogprob>& logprobs, std::size_t begin,
                            std::size_t end);

// Appends a choice's legacy Completions logprobs object `{"tokens":[...],"token_logprobs":[...],
// "top_logprobs":[{token: logprob, ...}],"text_offset":[...]}` with the entries of
// pieces[begin, end): each top_logprobs map holds the K alternatives and the generated token (so
// K + 1 entries when it is not among them, as OpenAI's "up to logprobs+1 elements"); text_offset
// is each token's offset in characters from the start of the choice's text.
void append_completion_logprobs(std::string& out, const std::vector<std::string>& pieces,
                                const std::vector<TokenLogprob>& logprobs, std::size_t begin,
                                std::size_t end);

}  // namespace llmsim::mockapi
