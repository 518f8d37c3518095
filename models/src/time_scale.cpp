// The one conversion between model and wall time. See time_scale.hpp.
#include "models/time_scale.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace llmsim {

namespace {

// Returns `value` rounded up to a whole count, saturated at the ends of std::int64_t.
std::int64_t ceil_saturated(long double value) {
  constexpr long double kPastMax = 0x1p63L;  // 2^63: one past the largest int64, exact
  const long double up = std::ceil(value);
  if (up >= kPastMax) return std::numeric_limits<std::int64_t>::max();
  if (up < -kPastMax) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(up);
}

// Returns a double's shortest round-trip text ("10", "0.25", "inf", "-nan").
std::string shortest_text(double value) {
  std::array<char, 32> text{};  // the shortest round-trip text of a double is at most 24 bytes
  const auto written = std::to_chars(text.data(), text.data() + text.size(), value);
  return std::string(text.data(), written.ptr);
}

bool is_valid(double model_per_wall) { return std::isfinite(model_per_wall) && model_per_wall > 0; }

}  // namespace

TimeScale::TimeScale(double model_per_wall) : model_per_wall_(model_per_wall) {
  if (!is_valid(model_per_wall)) {
    throw std::invalid_argument("time scale: must be a finite number > 0, got " + shortest_text(model_per_wall));
  }
}

std::optional<TimeScale> TimeScale::parse(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !is_valid(value)) return std::nullopt;
  return TimeScale(value);
}

std::chrono::nanoseconds TimeScale::to_wall(Duration model) const {
  return std::chrono::nanoseconds{
      ceil_saturated(static_cast<long double>(model.count()) / static_cast<long double>(model_per_wall_))};
}

Duration TimeScale::to_model(std::chrono::nanoseconds wall) const {
  return Duration{
      ceil_saturated(static_cast<long double>(wall.count()) * static_cast<long double>(model_per_wall_))};
}

std::string TimeScale::text() const { return shortest_text(model_per_wall_); }

}  // namespace llmsim
