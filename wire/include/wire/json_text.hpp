// Appending JSON text to a string by hand, byte for byte as nlohmann::json's dump() writes it.
//
// The server's hot paths (completion bodies, usage objects, stream chunks, error bodies) write
// their JSON straight into one string instead of building a JSON document and dumping it: the
// document costs a map, a node and a string per field. These helpers keep the bytes exactly what
// `nlohmann::ordered_json::dump()` (compact, ensure_ascii off) would print, so the two can be
// compared in tests: strings escape `"`, `\` and control characters (`\n`, `\u001f` ...) and
// pass UTF-8 through unchanged; text that is not valid UTF-8 throws nlohmann's type_error 316,
// as dump() does.
//
//   std::string out = "{\"id\":";
//   append_json_string(out, id);          // "chatcmpl-..." with quotes
//   out += ",\"created\":";
//   append_json_int(out, created);        // 1700000000
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmsim::wire {

// Appends `text` as a JSON string literal (quotes included); throws nlohmann::json::type_error
// when `text` is not valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

// Returns `text` with each invalid UTF-8 sequence (RFC 3629: no overlong forms, surrogates or
// code points above U+10FFFF) replaced by one U+FFFD per maximal invalid subpart, as nlohmann's
// error_handler_t::replace does; valid text comes back unchanged.
std::string valid_utf8(std::string_view text);

// Appends `text` as a JSON string literal like append_json_string, but never throws: invalid
// UTF-8 is replaced by U+FFFD first. For text that copies client input (error messages).
void append_json_string_lossy(std::string& out, std::string_view text);

// Appends `value` in decimal.
void append_json_int(std::string& out, std::int64_t value);

}  // namespace llmsim::wire
