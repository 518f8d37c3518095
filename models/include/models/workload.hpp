// The workload model: when each user (or open-loop arrival) of a phase starts, and think times.
//
// A phase's users start all at once, evenly over a ramp, or as an open-loop arrival process
// (Poisson or constant rate). ArrivalPlan yields each start as an offset from the phase start,
// one at a time, so memory does not grow with the number of users. Draws come from the stream
// (seed, "arrivals", phase index), so changing another phase shifts nothing here.
//
//   ArrivalPlan plan(phase, seed, phase_index);
//   while (auto offset = plan.next()) start_user_at(phase_start + *offset);
#pragma once

#include <cstdint>
#include <optional>

#include "models/random.hpp"
#include "models/scenario_config.hpp"
#include "models/time.hpp"

namespace llmsim {

class ArrivalPlan {
 public:
  ArrivalPlan(const Phase& phase, std::uint64_t seed, std::uint64_t phase_index);

  // Returns the next user's start offset from the phase start, or nullopt after the last user.
  // Offsets are non-decreasing.
  std::optional<Duration> next();

  // Returns how many users have been yielded so far.
  int yielded() const { return index_; }

 private:
  const Phase* phase_;
  RandomStream rng_;
  int index_ = 0;
  double poisson_clock_s_ = 0.0;
};

// Returns true when the phase is open loop (arrivals at a rate, not a fixed population).
bool is_open_loop(const Phase& phase);

// Draws the think time before request `request_index` (1-based for follow-ups) of user `user_id`.
Duration draw_think_time(const Phase& phase, std::uint64_t seed, std::uint64_t user_id,
                         std::uint64_t request_index);

}  // namespace llmsim
