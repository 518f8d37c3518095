// Go's time.Duration text, written and read. See go_duration.hpp.
#include "wire/go_duration.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

namespace llmsim::wire {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kMsPerSecond = 1'000;
constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 3'600'000;

// Returns milliseconds as "N" or "N.fff" seconds with the fraction's trailing zeros dropped.
std::string seconds_text(std::int64_t ms) {
  std::string text = std::to_string(ms / kMsPerSecond);
  std::int64_t fraction = ms % kMsPerSecond;
  if (fraction == 0) return text;
  std::string digits = std::to_string(fraction);
  digits.insert(0, 3 - digits.size(), '0');  // milliseconds are three decimal places
  digits.erase(digits.find_last_not_of('0') + 1);
  return text + "." + digits;
}

// Returns |d| in whole milliseconds, rounded halfway away from zero (Go's Round).
std::int64_t rounded_ms(Duration d) {
  const bool negative = d.count() < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(d.count())
                                           : static_cast<std::uint64_t>(d.count());
  return static_cast<std::int64_t>((magnitude + kNsPerMs / 2) / kNsPerMs);
}

}  // namespace

std::string go_duration(Duration d) {
  const std::int64_t ms = rounded_ms(d);
  if (ms == 0) return "0s";
  std::string text = d.count() < 0 ? "-" : "";
  if (ms < kMsPerSecond) return text + std::to_string(ms) + "ms";
  const std::int64_t hours = ms / kMsPerHour;
  const std::int64_t minutes = ms % kMsPerHour / kMsPerMinute;
  if (hours > 0) text += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) text += std::to_string(minutes) + "m";
  return text + seconds_text(ms % kMsPerMinute) + "s";
}

std::optional<double> parse_go_duration_s(std::string_view text) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"h", 3600.0}, {"m", 60.0}, {"s", 1.0}};
  if (text == "0") return 0.0;
  double total = 0;
  bool any = false;
  while (!text.empty()) {
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || !std::isfinite(number)) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    bool matched = false;
    for (const auto& [unit, scale] : kUnits) {
      if (text.starts_with(unit)) {
        total += number * scale;
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) return std::nullopt;
    any = true;
  }
  if (!any) return std::nullopt;
  return total;
}

std::optional<Duration> parse_go_duration(std::string_view text) {
  const auto seconds = parse_go_duration_s(text);
  if (!seconds || *seconds < 0) return std::nullopt;  // a reset is never in the past
  return from_seconds(*seconds);
}

std::optional<Duration> go_duration_as_read(Duration d) {
  // go_duration rounds to the millisecond, halfway away from zero; a negative text does not parse.
  const std::int64_t ms = rounded_ms(d);
  if (ms == 0) return Duration{0};
  if (d.count() < 0) return std::nullopt;
  // parse_go_duration's arithmetic on the text's numbers: under a second "NNNms" is NNN x 1e-3;
  // otherwise the hours and minutes (exact) plus the seconds "S.fff", whose nearest double is the
  // correctly rounded quotient of the whole milliseconds by 1000.
  if (ms < kMsPerSecond) return from_seconds(static_cast<double>(ms) * 1e-3);
  const std::int64_t hours = ms / kMsPerHour;
  const std::int64_t minutes = ms % kMsPerHour / kMsPerMinute;
  const double whole = static_cast<double>(hours) * 3600.0 + static_cast<double>(minutes) * 60.0;
  return from_seconds(whole + static_cast<double>(ms % kMsPerMinute) / 1000.0);
}

}  // namespace llmsim::wire
