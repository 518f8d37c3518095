// JSON strings and integers appended as nlohmann::json's dump() writes them.
#include "mockapi/json_text.hpp"

#include <array>
#include <charconv>

#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

constexpr unsigned char kFirstNonAscii = 0x80;
constexpr unsigned char kFirstPrintable = 0x20;

// Appends one character that needs escaping (", \ or a control character) as dump() does.
void append_escaped(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  constexpr std::string_view kHex = "0123456789abcdef";  // dump() writes \u001f in lower case
  out += "\\u00";
  out += kHex[static_cast<unsigned char>(c) >> 4];
  out += kHex[static_cast<unsigned char>(c) & 0xf];
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= kFirstNonAscii) {
      // Rare on the hot paths (ids, model names, generated words are ASCII): let the library
      // check the UTF-8 and write the string, so invalid text fails exactly as dump() fails.
      out += nlohmann::json(text).dump();
      return;
    }
  }
  out += '"';
  std::size_t plain = 0;  // start of the characters not yet appended, which need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < kFirstPrintable) {
      out.append(text.data() + plain, i - plain);
      append_escaped(out, c);
      plain = i + 1;
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void append_json_int(std::string& out, std::int64_t value) {
  std::array<char, 24> buffer{};  // 20 digits and a sign at most
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

}  // namespace llmsim::mockapi
