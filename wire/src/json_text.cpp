// JSON strings and integers appended as nlohmann::json's dump() writes them.
#include "wire/json_text.hpp"

#include <array>
#include <charconv>
#include <cstddef>

#include <nlohmann/json.hpp>

namespace llmsim::wire {
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

// Returns the length of the valid UTF-8 character at the start of `text` (> 0), or minus the
// length of its longest invalid start (the bytes one U+FFFD replaces: the lead byte and the
// continuation bytes that fit it, as Unicode's "maximal subpart" practice and nlohmann's
// replace handler count them).
std::ptrdiff_t character_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < kFirstNonAscii) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;   // range of the second byte (excludes overlong forms, surrogates
  unsigned char high = 0xbf;  // and code points above U+10FFFF)
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return -1;
  }
  std::size_t i = 1;
  for (; i < length && i < text.size(); ++i) {
    const unsigned char b = byte(i);
    if (i == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xbf)) break;
  }
  return i == length ? static_cast<std::ptrdiff_t>(length) : -static_cast<std::ptrdiff_t>(i);
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::ptrdiff_t length = character_length(text);
    if (length < 0) {
      out += kReplacement;
      text.remove_prefix(static_cast<std::size_t>(-length));
    } else {
      out.append(text.substr(0, static_cast<std::size_t>(length)));
      text.remove_prefix(static_cast<std::size_t>(length));
    }
  }
  return out;
}

void append_json_string_lossy(std::string& out, std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= kFirstNonAscii) {
      append_json_string(out, valid_utf8(text));
      return;
    }
  }
  append_json_string(out, text);
}

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

}  // namespace llmsim::wire
