#include "mockapi/token_logprobs.hpp"

#include <cmath>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kPieces = {"The", " cat", "\":\"", " é", " sat"};

std::vector<TokenLogprob> draw(int k, std::uint64_t seed = 7) {
  RandomStream rng(seed, "logprobs");
  return token_logprobs(kPieces, k, rng);
}

TEST(TokenLogprobs, OneEntryPerTokenWithKDistinctDescendingAlternatives) {
  for (int k : {0, 1, 5, 20}) {
    const std::vector<TokenLogprob> entries = draw(k);
    ASSERT_EQ(entries.size(), kPieces.size()) << k;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const TokenLogprob& entry = entries[i];
      EXPECT_LE(entry.logprob, 0.0f);
      ASSERT_EQ(entry.top.size(), static_cast<std::size_t>(k));
      std::set<std::string> tokens;
      bool listed = false;
      for (std::size_t t = 0; t < entry.top.size(); ++t) {
        tokens.insert(entry.top[t].token);
        if (t > 0) {
          EXPECT_GE(entry.top[t - 1].logprob, entry.top[t].logprob) << k << "/" << i;
        }
        if (entry.top[t].token == kPieces[i]) {
          listed = true;
          EXPECT_EQ(entry.top[t].logprob, entry.logprob);  // listed with its own logprob
        }
      }
      EXPECT_EQ(tokens.size(), entry.top.size()) << "alternatives are distinct";
      if (!listed && k > 0) {
        EXPECT_LE(entry.logprob, entry.top.back().logprob);
      }
    }
  }
}

TEST(TokenLogprobs, ProbabilitiesOfAPositionSumToAtMostOne) {
  for (const TokenLogprob& entry : draw(20)) {
    double sum = 0;
    for (const TopLogprob& t : entry.top) sum += std::exp(static_cast<double>(t.logprob));
    EXPECT_LE(sum, 1.0 + 1e-6);
  }
}

TEST(TokenLogprobs, SameStreamSameNumbersAndAnotherStreamOthers) {
  const auto a = draw(3);
  const auto b = draw(3);
  const auto c = draw(3, 8);
  ASSERT_EQ(a.size(), b.size());
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].logprob, b[i].logprob);
    for (std::size_t t = 0; t < 3; ++t) EXPECT_EQ(a[i].top[t].token, b[i].top[t].token);
    differs = differs || a[i].logprob != c[i].logprob;
  }
  EXPECT_TRUE(differs);
}

TEST(TokenLogprobs, AFixedNumberOfDrawsPerTokenKeepsAPrefixsNumbers) {
  RandomStream rng(7, "logprobs");
  const std::vector<std::string> prefix(kPieces.begin(), kPieces.begin() + 2);
  const auto shorter = token_logprobs(prefix, 4, rng);
  const auto longer = draw(4);
  for (std::size_t i = 0; i < prefix.size(); ++i) EXPECT_EQ(shorter[i].logprob, longer[i].logprob);
}

TEST(TokenLogprobs, TheGeneratedTokenIsSometimesNotTheMostLikely) {
  RandomStream rng(3, "logprobs");
  const std::vector<std::string> pieces(400, " word");
  int top = 0;
  int unlisted = 0;
  for (const TokenLogprob& entry : token_logprobs(pieces, 2, rng)) {
    top += entry.top[0].token == " word" ? 1 : 0;
    unlisted += entry.top[0].token != " word" && entry.top[1].token != " word" ? 1 : 0;
  }
  // kTopRankShare = 0.85 of 400: 340, binomial sd ~7; ranks 1 and 2 share the rest (~30 each).
  EXPECT_NEAR(top, 340, 30);
  EXPECT_GT(unlisted, 5);
}

TEST(TokenLogprobs, AlternativesKeepTheLeadingSpaceOfTheToken) {
  const auto entries = draw(5);
  for (const TopLogprob& t : entries[1].top) EXPECT_EQ(t.token.front(), ' ') << t.token;
  for (const TopLogprob& t : entries[0].top) EXPECT_NE(t.token.front(), ' ') << t.token;
}

TEST(AppendChoiceLogprobs, WritesOpenAisShapeWithUtf8Bytes) {
  const auto entries = draw(2);
  std::string out;
  append_choice_logprobs(out, kPieces, entries, 2, 4);
  const Json json = Json::parse(out);
  EXPECT_TRUE(json["refusal"].is_null());
  ASSERT_EQ(json["content"].size(), 2u);
  const Json& quote = json["content"][0];
  EXPECT_EQ(quote["token"], "\":\"");
  EXPECT_EQ(quote["bytes"], Json::array({34, 58, 34}));
  EXPECT_EQ(json["content"][1]["bytes"], Json::array({32, 195, 169}));  // " é"
  EXPECT_FLOAT_EQ(quote["logprob"].get<float>(), entries[2].logprob);
  ASSERT_EQ(quote["top_logprobs"].size(), 2u);
  const Json& alternative = quote["top_logprobs"][0];
  EXPECT_EQ(alternative.size(), 3u);  // token, logprob, bytes
  EXPECT_EQ(alternative["bytes"].size(), alternative["token"].get<std::string>().size());
  std::string none;
  append_choice_logprobs(none, kPieces, entries, 0, 0);
  EXPECT_EQ(none, R"({"content":[],"refusal":null})");
}

TEST(AppendCompletionLogprobs, WritesTheLegacyShapeWithCharacterOffsets) {
  const std::vector<TokenLogprob> entries = draw(2);
  std::string text;
  append_completion_logprobs(text, kPieces, entries, 1, kPieces.size());
  const Json legacy = Json::parse(text);
  EXPECT_EQ(legacy["tokens"], Json({" cat", "\":\"", " é", " sat"}));
  // Offsets count characters from the start of the text: "The" is 3, " é" is 2 characters.
  EXPECT_EQ(legacy["text_offset"], Json({3, 7, 10, 12}));
  for (std::size_t i = 0; i < 4; ++i) {
    const TokenLogprob& entry = entries[i + 1];
    EXPECT_FLOAT_EQ(legacy["token_logprobs"][i].get<float>(), entry.logprob);
    const Json& top = legacy["top_logprobs"][i];
    // The K alternatives and the generated token: K + 1 entries unless it is among them.
    EXPECT_TRUE(top.size() == 2 || top.size() == 3) << top;
    EXPECT_FLOAT_EQ(top[kPieces[i + 1]].get<float>(), entry.logprob);
    for (const TopLogprob& alternative : entry.top) {
      EXPECT_FLOAT_EQ(top[alternative.token].get<float>(), alternative.logprob);
    }
  }
}

}  // namespace
}  // namespace llmsim::mockapi
