#include "mockapi/text_generator.hpp"

#include <cmath>
#include <regex>

#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

TEST(ReplyText, IsTheSameForTheSameSeedKeyAndRequest) {
  const ReplyText a(42, "sk-a", 7);
  const ReplyText b(42, "sk-a", 7);
  EXPECT_EQ(a.text(0, 50), b.text(0, 50));
  EXPECT_EQ(a.text(3, 50), b.text(3, 50));
}

TEST(ReplyText, DiffersByKeyRequestSeedAndChoice) {
  const std::string base = ReplyText(42, "sk-a", 7).text(0, 30);
  EXPECT_NE(ReplyText(42, "sk-b", 7).text(0, 30), base);  // another key
  EXPECT_NE(ReplyText(42, "sk-a", 8).text(0, 30), base);  // another request
  EXPECT_NE(ReplyText(43, "sk-a", 7).text(0, 30), base);  // another seed
  EXPECT_NE(ReplyText(42, "sk-a", 7).text(1, 30), base);  // another choice
}

TEST(ReplyText, HasOneWordPerTokenAndConcatenatesTokens) {
  const ReplyText reply(1, "k", 0);
  const std::string text = reply.text(0, 25);
  std::string joined;
  for (int i = 0; i < 25; ++i) {
    const std::string token = reply.token(0, i);
    EXPECT_EQ(token.front() == ' ', i > 0) << i;  // a leading space on all but the first
    joined += token;
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(std::count(text.begin(), text.end(), ' '), 24);
  EXPECT_EQ(reply.text(0, 0), "");
}

TEST(ReplyText, AppendTextAddsWhatTextReturns) {
  const ReplyText reply(5, "sk-a", 3);
  for (const std::int64_t tokens : {0, 1, 2, 40}) {
    std::string out = "before ";
    reply.append_text(out, 1, tokens);
    EXPECT_EQ(out, "before " + reply.text(1, tokens)) << tokens;
  }
}

TEST(RequestId, IsReqAnd32HexDigitsAndDeterministic) {
  const std::string id = request_id(1, "sk-test", 0);
  EXPECT_TRUE(std::regex_match(id, std::regex("req_[0-9a-f]{32}"))) << id;
  EXPECT_EQ(id, request_id(1, "sk-test", 0));
  EXPECT_NE(id, request_id(1, "sk-test", 1));
  EXPECT_NE(id, request_id(1, "sk-other", 0));
  EXPECT_NE(id, request_id(2, "sk-test", 0));
}

TEST(CompletionId, HasPrefixAnd29Alphanumerics) {
  const std::string id = completion_id("chatcmpl-", 1, "k", 3);
  EXPECT_TRUE(std::regex_match(id, std::regex("chatcmpl-[A-Za-z0-9]{29}"))) << id;
  EXPECT_EQ(id, completion_id("chatcmpl-", 1, "k", 3));
}

double norm(const std::vector<float>& v) {
  double sum = 0.0;
  for (float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

TEST(EmbeddingVector, IsUnitLengthDeterministicAndDependsOnText) {
  const std::vector<float> a = embedding_vector(1, "hello", 1536);
  ASSERT_EQ(a.size(), 1536u);
  EXPECT_NEAR(norm(a), 1.0, 1e-5);  // float rounding of 1536 components
  EXPECT_EQ(a, embedding_vector(1, "hello", 1536));
  EXPECT_NE(a, embedding_vector(1, "hello!", 1536));
}

TEST(EmbeddingVector, FewerDimensionsAreTheRenormalisedPrefix) {
  const std::vector<float> full = embedding_vector(5, "text", 8);
  const std::vector<float> short_one = embedding_vector(5, "text", 4);
  const double prefix_norm = norm(std::vector<float>(full.begin(), full.begin() + 4));
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(short_one[i], full[i] / prefix_norm, 1e-6) << i;
  }
}

TEST(Base64Floats, EncodesLittleEndianFloat32) {
  EXPECT_EQ(base64_floats({1.0f}), "AACAPw==");               // 00 00 80 3f
  EXPECT_EQ(base64_floats({1.0f, -2.0f}), "AACAPwAAAMA=");    // + 00 00 00 c0
  EXPECT_EQ(base64_floats({1.0f, -2.0f, 0.0f}), "AACAPwAAAMAAAAAA");
  EXPECT_EQ(base64_floats({}), "");
}

TEST(FloatText, IsTheShortestRoundTrip) {
  EXPECT_EQ(float_text(0.125f), "0.125");
  EXPECT_EQ(float_text(-1e-05f), "-1e-05");
  EXPECT_EQ(float_text(0.1f), "0.1");
}

}  // namespace
}  // namespace llmsim::mockapi
