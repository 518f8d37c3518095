// Virtual and wall time as integer nanoseconds.
//
// Simulated time is a count of nanoseconds since the start of a run, held in std::chrono types so
// units cannot be mixed up by accident. Models take `TimePoint now` as an argument and never read
// a clock. Conversions to and from seconds at the boundary (JSON, reports) go through the helpers
// below, which round to the nearest nanosecond.
//
//   TimePoint t = TimePoint{} + from_seconds(1.5);
//   double s = to_seconds(t.time_since_epoch());   // 1.5
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace llmsim {

// The clock of a run: epoch is the start of the scenario. Never read; only a time base.
struct RunClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<RunClock, duration>;
  static constexpr bool is_steady = true;
};

using Duration = RunClock::duration;
using TimePoint = RunClock::time_point;

// Converts seconds (may be fractional or negative) to a Duration, rounding to the nearest ns.
inline Duration from_seconds(double seconds) {
  return Duration{static_cast<std::int64_t>(std::llround(seconds * 1e9))};
}

// Converts milliseconds to a Duration, rounding to the nearest ns.
inline Duration from_millis(double millis) {
  return Duration{static_cast<std::int64_t>(std::llround(millis * 1e6))};
}

// Returns a Duration in seconds as a double (divided, not multiplied by 1e-9, so that whole
// seconds convert exactly).
inline double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }

// Returns a TimePoint as seconds since the start of the run.
inline double to_seconds(TimePoint t) { return to_seconds(t.time_since_epoch()); }

// The header every mock server response carries with the server's time scale, shortest decimal
// text ("10"): `llmsim serve` writes it, and `llmsim load` refuses a server running at another
// scale than its own (a real API sends none, and is never refused).
inline constexpr std::string_view kTimeScaleHeader = "x-llmsim-time-scale";

}  // namespace llmsim
