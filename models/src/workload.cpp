// Arrival plans and think times.
#include "models/workload.hpp"

#include <algorithm>

namespace llmsim {

ArrivalPlan::ArrivalPlan(const Phase& phase, std::uint64_t seed, std::uint64_t phase_index)
    : phase_(&phase), rng_(seed, "arrivals", phase_index) {}

bool is_open_loop(const Phase& phase) {
  return phase.start == StartMode::poisson || phase.start == StartMode::constant_rate;
}

std::optional<Duration> ArrivalPlan::next() {
  if (index_ >= phase_->users) return std::nullopt;
  const int i = index_++;
  switch (phase_->start) {
    case StartMode::all_at_once:
      return Duration{0};
    case StartMode::ramp:
      // Evenly spaced over [0, ramp_s): user i starts at i * ramp / users.
      return from_seconds(phase_->ramp_s * static_cast<double>(i) / static_cast<double>(phase_->users));
    case StartMode::constant_rate:
      return from_seconds(static_cast<double>(i) / phase_->rate_per_s);
    case StartMode::poisson:
      // The first arrival is at an exponential gap too: a Poisson process started at the phase start.
      poisson_clock_s_ += exponential_variate(rng_, 1.0 / phase_->rate_per_s);
      return from_seconds(poisson_clock_s_);
  }
  return std::nullopt;
}

Duration draw_think_time(const Phase& phase, std::uint64_t seed, std::uint64_t user_id,
                         std::uint64_t request_index) {
  return sample_duration(phase.think_time_s, RandomStream(seed, "think", user_id, request_index));
}

}  // namespace llmsim
