#include "wire/openai_errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim::wire {
namespace {

using testing::HasSubstr;

TEST(LimitPhrase, NamesEveryKindAsOpenAiWritesIt) {
  EXPECT_STREQ(limit_phrase(LimitKind::rpm), "requests per min (RPM)");
  EXPECT_STREQ(limit_phrase(LimitKind::tpm), "tokens per min (TPM)");
  EXPECT_STREQ(limit_phrase(LimitKind::rpd), "requests per day (RPD)");
  EXPECT_STREQ(limit_phrase(LimitKind::tpd), "tokens per day (TPD)");
}

TEST(ErrorJson, WritesOpenAiKeysInOrderWithNulls) {
  const ApiError error{404, "Invalid URL (GET /v1/x)", "invalid_request_error", std::nullopt,
                       std::nullopt};
  EXPECT_EQ(error_json(error),
            R"json({"error":{"message":"Invalid URL (GET /v1/x)","type":"invalid_request_error",)json"
            R"json("param":null,"code":null}})json");
}

TEST(ErrorJson, EscapesTextAndWritesParamAndCode) {
  const ApiError error = invalid_type("messages[0].content", "a string", "an integer");
  EXPECT_EQ(error_json(error),
            R"({"error":{"message":"Invalid type for 'messages[0].content': expected a string, )"
            R"(but got an integer instead.","type":"invalid_request_error",)"
            R"("param":"messages[0].content","code":"invalid_type"}})");
}

TEST(MaskKey, ShowsFirstEightAndLastFourOfLongKeys) {
  struct Row {
    const char* key;
    const char* masked;
  };
  const Row rows[] = {
      {"sk-rmYXnABCDEFGHIJ7ngs", "sk-rmYXn**********7ngs"},  // long key: 8 + stars + 4
      {"short", "short"},                                     // short key shown whole
      {"123456789012", "123456789012"},                       // exactly 12: shown whole
      {"1234567890123", "12345678*0123"},                     // 13: one star
  };
  for (const Row& row : rows) {
    EXPECT_EQ(mask_key(row.key), row.masked) << row.key;
  }
}

TEST(MaskKey, CutsBetweenCharactersAndNeverReturnsInvalidUtf8) {
  // "€" is three bytes: a cut inside one shows it whole.
  EXPECT_EQ(mask_key("sk-aaaa\xe2\x82\xac\xe2\x82\xac-bbbbbbbbb"), "sk-aaaa\xe2\x82\xac*********bbbb");
  EXPECT_EQ(mask_key("sk-aaaaaaaaaaa\xe2\x82\xac"), "sk-aaaaa*****a\xe2\x82\xac");
  EXPECT_EQ(mask_key("sk-\xff"), "sk-\xef\xbf\xbd");
  EXPECT_EQ(mask_key("sk-\xffxxxxxxxxxxx"), "sk-\xef\xbf\xbdxxxx***xxxx");
}

TEST(ErrorJson, ReplacesInvalidUtf8InsteadOfThrowing) {
  std::string body;
  ASSERT_NO_THROW(body = error_json(invalid_url("GET", "/\xff\xc3")));
  EXPECT_EQ(body, "{\"error\":{\"message\":\"Invalid URL (GET /\xef\xbf\xbd\xef\xbf\xbd)\","
                  "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
  ASSERT_NO_THROW(error_json(unknown_fault("\x80")));
}

TEST(OpenAiErrors, TransportErrorsHaveTheirStatuses) {
  EXPECT_EQ(header_too_large().status, 431);
  EXPECT_EQ(missing_host().status, 400);
  EXPECT_EQ(unsupported_transfer_coding().status, 501);
  EXPECT_EQ(request_timeout(std::chrono::milliseconds(1500)).status, 408);
  EXPECT_THAT(request_timeout(std::chrono::milliseconds(1500)).message, HasSubstr("1500 ms"));
  EXPECT_EQ(invalid_admin_token().status, 401);
  EXPECT_EQ(too_many_keys(10).status, 503);
  EXPECT_EQ(too_many_keys(10).type, "server_error");
}

TEST(OpenAiErrors, AuthenticationErrorsAre401) {
  const ApiError missing = missing_api_key();
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.code, std::nullopt);
  EXPECT_TRUE(missing.message.starts_with("You didn't provide an API key. You need to provide"));
  const ApiError wrong = invalid_api_key("sk-wrong-key-123456");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.code, "invalid_api_key");
  EXPECT_EQ(wrong.message,
            "Incorrect API key provided: sk-wrong*******3456. You can find your API key at "
            "https://platform.openai.com/account/api-keys.");
}

TEST(OpenAiErrors, ValidationMessagesMatchOpenAi) {
  struct Row {
    ApiError error;
    const char* message;
    const char* code;
  };
  const Row rows[] = {
      // integer below its minimum
      {integer_below_minimum("max_tokens", 1, 0),
       "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 "
       "instead.",
       "integer_below_min_value"},
      // integer above its maximum
      {integer_above_maximum("n", 128, 129),
       "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead.",
       "integer_above_max_value"},
      // empty array
      {empty_array("messages"),
       "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
       "empty array instead.",
       "empty_array"},
      // missing field
      {missing_parameter("messages"), "Missing required parameter: 'messages'.",
       "missing_required_parameter"},
      // value outside an enumeration
      {invalid_value("encoding_format", "hex", "'float' and 'base64'"),
       "Invalid value: 'hex'. Supported values are: 'float' and 'base64'.", "invalid_value"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(row.error.status, 400);
    EXPECT_EQ(row.error.message, row.message);
    EXPECT_EQ(row.error.code, row.code);
    EXPECT_EQ(row.error.type, "invalid_request_error");
  }
}

TEST(OpenAiErrors, RateLimitMessagesNameLimitUsedRequestedAndWait) {
  Admission admission;
  admission.refused_by = LimitKind::tpm;
  admission.limit = 30000;
  admission.used = 29937;
  admission.requested = 385;
  admission.wait = std::chrono::milliseconds(644);
  const ApiError error = rate_limited("gpt-4o", "org-abc", admission);
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.type, "tokens");
  EXPECT_EQ(error.code, "rate_limit_exceeded");
  EXPECT_EQ(error.message,
            "Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): "
            "Limit 30000, Used 29937, Requested 385. Please try again in 644ms. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.");
}

TEST(OpenAiErrors, QuotaAndServerErrorsHaveTheirTypes) {
  EXPECT_EQ(quota_exhausted().type, "insufficient_quota");
  EXPECT_EQ(quota_exhausted().code, "insufficient_quota");
  EXPECT_EQ(server_error().status, 500);
  EXPECT_EQ(server_error().type, "server_error");
  const ApiError busy = overloaded("req_1");
  EXPECT_EQ(busy.status, 503);
  EXPECT_TRUE(busy.message.starts_with("That model is currently overloaded with other requests."));
  EXPECT_NE(busy.message.find("(Please include the request ID req_1 in your message.)"),
            std::string::npos);
}

}  // namespace
}  // namespace llmsim::wire
