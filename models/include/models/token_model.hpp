// Token counts: prompt tokens estimated from text, completion tokens from a distribution.
//
// Estimation rule (documented in data/README.md): OpenAI's rule of thumb, one token per four
// characters of UTF-8 text, rounded up, plus 3 tokens of chat framing per message and 3 to prime
// the reply (the `tiktoken` cookbook's per-message overhead for gpt-3.5/4 models). Exact
// tokenization is not the point: the rate limiter's cost estimate is what matters, and OpenAI
// itself estimates from characters before running the request.
//
//   std::int64_t n = estimate_text_tokens("Hello, world");        // 3
//   std::int64_t c = estimate_chat_tokens({"You are ...", "Hi"});  // sum + framing
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "models/distribution.hpp"
#include "models/random.hpp"

namespace llmsim {

// Returns ceil(bytes / 4) for UTF-8 text (0 for empty text).
std::int64_t estimate_text_tokens(std::string_view text);

// Returns the estimate for a chat: each message's text tokens + 3, plus 3 for the reply priming.
std::int64_t estimate_chat_tokens(const std::vector<std::string_view>& messages);

// Returns the rate-limit token cost: max(max_tokens * n, prompt estimate), or the estimate alone
// when max_tokens is not given.
std::int64_t rate_limit_cost(std::int64_t prompt_tokens, std::optional<std::int64_t> max_tokens,
                             int n = 1);

// Returns what one request costs a provider's token buckets (TPM, TPD), the provider's cost rule
// written once for the provider model, the client's pacer and the capacity figures: a request
// that generates (`generates`: every endpoint but embeddings, see is_generation) costs
// rate_limit_cost(prompt_tokens, max_tokens, n); one that does not costs its prompt estimate
// alone, whatever max_tokens and n say. Scenarios have no `n`: their requests ask for one choice.
//
//   request_token_cost(true, 100, 500);      // 500: max_tokens reserved
//   request_token_cost(false, 100, 500);     // 100: embeddings pay for their input only
std::int64_t request_token_cost(bool generates, std::int64_t prompt_tokens,
                                std::optional<std::int64_t> max_tokens, int n = 1);

// Draws a completion length from `dist` (rounded, at least 1), capped by max_tokens when given.
std::int64_t draw_completion_tokens(const Distribution& dist, RandomStream& rng,
                                    std::optional<std::int64_t> max_tokens);

}  // namespace llmsim
