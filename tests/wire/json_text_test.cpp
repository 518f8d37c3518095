#include "wire/json_text.hpp"

#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/random.hpp"

namespace llmsim::wire {
namespace {

std::string written(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string dumped(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }

TEST(AppendJsonString, EscapesEveryAsciiCharacterAsDumpDoes) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    EXPECT_EQ(written(text), dumped(text)) << "character " << c;
  }
}

TEST(AppendJsonString, SpellsOutTheCommonEscapes) {
  EXPECT_EQ(written("say \"hi\"\\\n\t\x01\x1f\x7f"), R"("say \"hi\"\\\n\t\u0001\u001f)" "\x7f\"");
  EXPECT_EQ(written(""), R"("")");
}

TEST(AppendJsonString, MatchesDumpOnRandomAsciiAndUtf8Text) {
  // Pieces mixing plain text, every escape class and 2-, 3- and 4-byte UTF-8 sequences.
  const std::vector<std::string> pieces = {"gpt", "-", " ", "\"", "\\", "\n", "\r", "\b", "\f",
                                           "\t", "\x01", "\x1f", "/", "\x7f", "é", "€", "😀",
                                           "日本"};
  RandomStream rng(7, "json-text");
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    const auto length = rng.next_u64() % 12;
    for (std::uint64_t k = 0; k < length; ++k) text += pieces[rng.next_u64() % pieces.size()];
    EXPECT_EQ(written(text), dumped(text)) << text;
  }
}

TEST(AppendJsonString, ThrowsOnInvalidUtf8AsDumpDoes) {
  for (const std::string text : {"\xff", "ab\xc3", "\xe2\x82", "x\x80y"}) {
    EXPECT_THROW(dumped(text), nlohmann::json::type_error);
    EXPECT_THROW(written(text), nlohmann::json::type_error) << text;
  }
}

TEST(AppendJsonInt, WritesDecimalLikeDump) {
  for (const std::int64_t value : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1700000000},
                                   std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max()}) {
    std::string out;
    append_json_int(out, value);
    EXPECT_EQ(out, nlohmann::json(value).dump());
  }
}

TEST(ValidUtf8, ReplacesEachBadByteAsNlohmannsReplaceHandlerDoes) {
  using nlohmann::json;
  const std::vector<std::string> texts = {
      "plain", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // valid: unchanged
      "\xff", "a\x80z", "\xc3", "\xe2\x82", "\xc0\xaf",          // bad lead, lone, cut, overlong
      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x28\xa1",        // surrogate, > U+10FFFF, bad tail
  };
  for (const std::string& text : texts) {
    const std::string dumped_replace = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    append_json_string_lossy(out, text);
    EXPECT_EQ(out, dumped_replace) << text;
    std::string quoted(1, '"');
    quoted += valid_utf8(text);
    quoted += '"';
    EXPECT_TRUE(json::accept(quoted)) << text;
  }
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("a\xffz"), "a\xef\xbf\xbdz");
}

}  // namespace
}  // namespace llmsim::wire
