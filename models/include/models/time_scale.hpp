// The time scale of a run over real sockets: K model (scenario) seconds pass per wall second.
//
// `llmsim load --time-scale K` and `llmsim serve --time-scale K` run a scenario K times faster
// while the client and provider models still see scenario time. This is the one conversion
// between the two clocks, for the socket driver and the mock server alike; it reads no clock
// (callers subtract their own start):
//
// - wall = model / K and model = wall x K, in whole nanoseconds, both ROUNDED UP (toward the
//   later time). So a wait for a model delay never ends early: to_model(to_wall(d)) >= d, and a
//   timer armed at to_wall(t) finds the model clock at t or later when it fires.
// - Computed in long double (a 64-bit significand on x86-64 Linux: every nanosecond count is
//   exact), so K = 1 is the identity for every count; results beyond Duration's range saturate
//   at its ends.
// - K is a finite number > 0, checked when the scale is made.
//
//   TimeScale scale(10);                              // ten model seconds per wall second
//   scale.to_wall(from_seconds(1));                   // 100 ms of wall time
//   scale.to_model(std::chrono::milliseconds(100));   // 1 s of model time
//   scale.text();                                     // "10", as x-llmsim-time-scale writes it
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "models/time.hpp"

namespace llmsim {

class TimeScale {
 public:
  // Makes the scale 1: model time is wall time.
  TimeScale() = default;

  // Makes the scale of `model_per_wall` model seconds per wall second; throws
  // std::invalid_argument ("time scale: must be a finite number > 0, got 0") otherwise.
  explicit TimeScale(double model_per_wall);

  // Returns the scale's text, or nullopt when `text` is not a number (whole text) or not a
  // finite number > 0: the reading of text() (a server's x-llmsim-time-scale header).
  static std::optional<TimeScale> parse(std::string_view text);

  // Returns K, model seconds per wall second.
  double model_per_wall() const { return model_per_wall_; }

  // Returns the wall time a model duration takes: model / K, rounded up to a whole nanosecond.
  std::chrono::nanoseconds to_wall(Duration model) const;

  // Returns the model time a wall duration stands for: wall x K, rounded up to a whole nanosecond.
  Duration to_model(std::chrono::nanoseconds wall) const;

  // Returns K as the shortest decimal text that reads back to the same double ("10", "0.25"):
  // the x-llmsim-time-scale header and the --time-scale a started server is given.
  std::string text() const;

  friend bool operator==(const TimeScale&, const TimeScale&) = default;

 private:
  double model_per_wall_ = 1.0;
};

}  // namespace llmsim
