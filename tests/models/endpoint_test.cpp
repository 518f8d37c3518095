#include "models/endpoint.hpp"

#include <gtest/gtest.h>

namespace llmsim {
namespace {

TEST(Endpoint, NamesAndPathsRoundTrip) {
  struct Row {
    Endpoint endpoint;
    std::string_view name;
    std::string_view path;
  };
  const Row rows[] = {
      {Endpoint::chat_completions, "chat.completions", "/v1/chat/completions"},
      {Endpoint::completions, "completions", "/v1/completions"},
      {Endpoint::embeddings, "embeddings", "/v1/embeddings"},
      {Endpoint::responses, "responses", "/v1/responses"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(endpoint_name(row.endpoint), row.name);
    EXPECT_EQ(endpoint_path(row.endpoint), row.path);
    EXPECT_EQ(parse_endpoint(row.name), row.endpoint);
  }
}

TEST(Endpoint, UnknownNamesAreNone) {
  EXPECT_EQ(parse_endpoint("chat"), std::nullopt);         // the short form is no name
  EXPECT_EQ(parse_endpoint("Responses"), std::nullopt);    // names are case-sensitive
  EXPECT_EQ(parse_endpoint("/v1/responses"), std::nullopt);  // a path is no name
}

TEST(Endpoint, OnlyEmbeddingsGenerateNothing) {
  EXPECT_TRUE(is_generation(Endpoint::chat_completions));
  EXPECT_TRUE(is_generation(Endpoint::completions));
  EXPECT_TRUE(is_generation(Endpoint::responses));
  EXPECT_FALSE(is_generation(Endpoint::embeddings));
}

}  // namespace
}  // namespace llmsim
