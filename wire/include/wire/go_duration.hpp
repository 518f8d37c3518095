// Go's time.Duration text, the format of OpenAI's x-ratelimit-reset-* headers and of the waits in
// its 429 messages, in both directions.
//
// Written rounded to the millisecond (Go's Duration.Round(time.Millisecond), halfway away from
// zero): below one second "Nms" ("12ms", "644ms"); otherwise "[Hh][Mm]S[.fff]s" with the
// fraction's trailing zeros dropped and "0s" kept when minutes are present ("1s", "1.146s",
// "6m0s", "7m12s", "1h0m0s"). Zero is "0s". Read back: any sequence of <number><unit> with the
// units ns, us, µs, ms, s, m, h, as Go's time.ParseDuration takes them.
//
//   std::string text = go_duration(from_millis(644.2));           // "644ms"
//   std::optional<Duration> d = parse_go_duration("1m26.4s");      // 86.4 s
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "models/time.hpp"

namespace llmsim::wire {

// Formats `d` as Go's time.Duration string rounded to milliseconds: "12ms", "1.146s", "6m0s".
std::string go_duration(Duration d);

// Returns a Go duration ("120ms", "1.5s", "6m0s", "1h2m3.5s", "250us", "0", "-1.5s") in seconds,
// or nullopt when it is not one (empty, a number without its unit, an unknown unit, inf).
std::optional<double> parse_go_duration_s(std::string_view text);

// Returns the same as a Duration, or nullopt when it is not one or is negative: the header a
// client reads (a reset in the past means nothing; see wire/openai.hpp).
std::optional<Duration> parse_go_duration(std::string_view text);

// Returns what a client reads back from the text go_duration(d) writes: the same value as
// parse_go_duration(go_duration(d)), computed without the text (the simulator does it per attempt).
std::optional<Duration> go_duration_as_read(Duration d);

}  // namespace llmsim::wire
