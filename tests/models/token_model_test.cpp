// Tests for the token model: text and chat estimates, rate-limit cost, completion-length draws.
#include "models/token_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

namespace llmsim {
namespace {

TEST(TokenModelTest, EstimatesTextTokensAsBytesOverFourRoundedUp) {
  struct Row {
    std::string_view text;
    std::int64_t tokens;
  };
  const std::vector<Row> table = {
      {"", 0},                    // empty text costs nothing
      {"a", 1},                   // one byte rounds up to one token
      {"abcd", 1},                // exactly four bytes
      {"abcde", 2},               // five bytes round up
      {"Hello, world", 3},        // the header's example: 12 bytes
      {"h\xc3\xa9llo", 2},        // "héllo": é is two bytes, 6 bytes in all
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3},  // "日本語": three 3-byte characters, 9 bytes
      {"\xf0\x9f\x98\x80", 1},    // one 4-byte emoji is one token
      {"\xf0\x9f\x98\x80!", 2},   // emoji plus one ASCII byte
      {std::string_view("a\0b", 3), 1},  // embedded NUL counts as a byte
  };
  for (const Row& row : table) {
    EXPECT_EQ(estimate_text_tokens(row.text), row.tokens) << "text of " << row.text.size() << " bytes";
  }
}

TEST(TokenModelTest, EstimatesChatWithPerMessageAndReplyFraming) {
  struct Row {
    std::vector<std::string_view> messages;
    std::int64_t tokens;
  };
  const std::vector<Row> table = {
      {{}, 3},                                // no messages: only the reply priming
      {{""}, 6},                              // one empty message: 0 + 3 framing + 3 priming
      {{"Hi"}, 7},                            // 1 + 3 + 3
      {{"You are a helpful assistant.", "Hi"}, 17},  // (7 + 3) + (1 + 3) + 3
      {{"abcd", "abcd", "abcd"}, 15},         // 3 * (1 + 3) + 3
  };
  for (const Row& row : table) {
    EXPECT_EQ(estimate_chat_tokens(row.messages), row.tokens)
        << row.messages.size() << " messages";
  }
}

TEST(TokenModelTest, RateLimitCostIsLargerOfMaxTokensTimesNAndPrompt) {
  struct Row {
    std::int64_t prompt;
    std::optional<std::int64_t> max_tokens;
    int n;
    std::int64_t cost;
  };
  const std::vector<Row> table = {
      {100, std::nullopt, 1, 100},  // no max_tokens: the prompt estimate alone
      {100, std::nullopt, 5, 100},  // no max_tokens: n does not multiply the estimate
      {100, 500, 1, 500},           // max_tokens above the prompt wins
      {100, 50, 1, 100},            // prompt above max_tokens wins
      {100, 50, 3, 150},            // max_tokens * n above the prompt wins
      {100, 20, 3, 100},            // max_tokens * n below the prompt
      {0, 0, 1, 0},                 // nothing at all
      {10, 100, 4, 400},            // several choices multiply the reservation
  };
  for (const Row& row : table) {
    EXPECT_EQ(rate_limit_cost(row.prompt, row.max_tokens, row.n), row.cost)
        << "prompt " << row.prompt << " max_tokens " << row.max_tokens.value_or(-1) << " n "
        << row.n;
  }
}

TEST(TokenModelTest, RateLimitCostDefaultsToOneChoice) {
  EXPECT_EQ(rate_limit_cost(10, 40), 40);
}

// The provider's cost rule: generation reserves max_tokens x n (rate_limit_cost), embeddings pay
// their prompt estimate only, whatever max_tokens and n the request carries.
TEST(TokenModelTest, RequestTokenCostChargesEmbeddingsTheirPromptOnly) {
  struct Row {
    bool generates;
    std::int64_t prompt;
    std::optional<std::int64_t> max_tokens;
    int n;
    std::int64_t cost;
  };
  const std::vector<Row> table = {
      {true, 100, 500, 1, 500},            // generation: max_tokens above the prompt is reserved
      {true, 100, 50, 1, 100},             // generation: the prompt above max_tokens
      {true, 100, 50, 3, 150},             // generation: n choices multiply max_tokens
      {true, 100, std::nullopt, 3, 100},   // generation without max_tokens: the prompt alone
      {false, 100, 500, 1, 100},           // embeddings: max_tokens does not apply
      {false, 100, 50, 3, 100},            // embeddings: nor does n
      {false, 7, std::nullopt, 1, 7},      // embeddings: the prompt estimate
      {false, 0, std::nullopt, 1, 0},      // nothing at all
  };
  for (const Row& row : table) {
    EXPECT_EQ(request_token_cost(row.generates, row.prompt, row.max_tokens, row.n), row.cost)
        << (row.generates ? "generation" : "embeddings") << " prompt " << row.prompt << " max_tokens "
        << row.max_tokens.value_or(-1) << " n " << row.n;
  }
}

// Scenarios carry no n: their requests cost as one choice, as the provider charges n = 1.
TEST(TokenModelTest, RequestTokenCostDefaultsToOneChoice) {
  EXPECT_EQ(request_token_cost(true, 10, 40), 40);
  EXPECT_EQ(request_token_cost(true, 10, 40), request_token_cost(true, 10, 40, 1));
}

TEST(TokenModelTest, DrawsCompletionTokensRoundedAtLeastOneAndCapped) {
  struct Row {
    const char* what;
    double value;
    std::optional<std::int64_t> max_tokens;
    std::int64_t tokens;
  };
  const std::vector<Row> table = {
      {"rounds down", 16.4, std::nullopt, 16},
      {"rounds half away from zero", 2.5, std::nullopt, 3},
      {"below one becomes one", 0.2, std::nullopt, 1},
      {"negative becomes one", -5.0, std::nullopt, 1},
      {"zero becomes one", 0.0, std::nullopt, 1},
      {"not a number becomes one", std::nan(""), std::nullopt, 1},
      {"no cap without max_tokens", 1e6, std::nullopt, 1'000'000},
      {"capped by max_tokens", 1000.0, 256, 256},
      {"below max_tokens unchanged", 100.0, 256, 100},
      {"equal to max_tokens", 256.0, 256, 256},
      {"still at least one when max_tokens is 0", 50.0, 0, 1},
  };
  for (const Row& row : table) {
    RandomStream rng(1, "completion");
    EXPECT_EQ(draw_completion_tokens(Distribution::constant(row.value), rng, row.max_tokens),
              row.tokens)
        << row.what;
  }
}

TEST(TokenModelTest, DrawnCompletionsStayWithinOneAndMaxTokens) {
  const Distribution dist = Distribution::lognormal(100.0, 1.5);
  RandomStream rng(5, "completion");
  RandomStream same(5, "completion");
  bool hit_cap = false;
  bool hit_floor = false;
  for (int i = 0; i < 10'000; ++i) {
    const std::int64_t tokens = draw_completion_tokens(dist, rng, 300);
    ASSERT_GE(tokens, 1);
    ASSERT_LE(tokens, 300);
    hit_cap = hit_cap || tokens == 300;
    hit_floor = hit_floor || tokens == 1;
    // One draw of the distribution per completion, no extra uniforms.
    const double expected = dist.sample(same);
    if (expected >= 1.0 && expected <= 299.0) {
      ASSERT_EQ(tokens, std::llround(expected));
    }
  }
  // sigma 1.5 around 100 reaches both ends: P(x > 300) ~ 23%, P(x < 1.5) ~ 0.2%.
  EXPECT_TRUE(hit_cap);
  EXPECT_TRUE(hit_floor);
}

}  // namespace
}  // namespace llmsim
