// Token counts: the character-based estimate, rate-limit cost and completion-length draws.
#include "models/token_model.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim {
namespace {

constexpr std::int64_t kBytesPerToken = 4;     // OpenAI's rule of thumb for English text
constexpr std::int64_t kTokensPerMessage = 3;  // tiktoken cookbook: <|start|>{role}\n ... <|end|>
constexpr std::int64_t kReplyPrimingTokens = 3;  // tiktoken cookbook: <|start|>assistant<|message|>
// Completion draws are clamped to this before rounding so llround never overflows (far above any
// model's context window).
constexpr double kMaxDrawnTokens = 0x1.0p40;

}  // namespace

std::int64_t estimate_text_tokens(std::string_view text) {
  const auto bytes = static_cast<std::int64_t>(text.size());
  return (bytes + kBytesPerToken - 1) / kBytesPerToken;
}

std::int64_t estimate_chat_tokens(const std::vector<std::string_view>& messages) {
  std::int64_t total = kReplyPrimingTokens;
  for (std::string_view message : messages) {
    total += estimate_text_tokens(message) + kTokensPerMessage;
  }
  return total;
}

std::int64_t rate_limit_cost(std::int64_t prompt_tokens, std::optional<std::int64_t> max_tokens,
                             int n) {
  if (!max_tokens) {
    return prompt_tokens;
  }
  return std::max(*max_tokens * n, prompt_tokens);
}

std::int64_t request_token_cost(bool generates, std::int64_t prompt_tokens,
                                std::optional<std::int64_t> max_tokens, int n) {
  return generates ? rate_limit_cost(prompt_tokens, max_tokens, n) : prompt_tokens;
}

std::int64_t draw_completion_tokens(const Distribution& dist, RandomStream& rng,
                                    std::optional<std::int64_t> max_tokens) {
  const double drawn = dist.sample(rng);
  // NaN and anything below 1 become 1; std::clamp would pass NaN through, so test explicitly.
  const double bounded = drawn >= 1.0 ? std::min(drawn, kMaxDrawnTokens) : 1.0;
  std::int64_t tokens = std::llround(bounded);
  if (max_tokens) {
    tokens = std::min(tokens, *max_tokens);
  }
  return std::max<std::int64_t>(tokens, 1);
}

}  // namespace llmsim
