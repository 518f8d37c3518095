// The client's CPU as an event loop (client.cpu.discipline "event_loop"): every ready job shares
// the loop. A Python asyncio client runs each ready task's step in turn, so a job's step waits
// behind one step of every other ready task; with many short steps that is processor sharing:
// with n jobs on c cores each job is served at min(1, c / n) of a core, and a burst of n equal
// jobs all end together after n times their cost, where first come, first served would end the
// first after one cost.
//
// Exact and event-driven: `work` is the service every job present has received since the start
// (it grows at the current rate), and a job ends when `work` reaches its own start value plus its
// cost; jobs wait in a heap by that end value, ties in the order they came.
//
//   SharedCpu cpu(1);
//   cpu.add(now, slot, from_millis(2));
//   if (auto at = cpu.next_done()) schedule(*at);
//   for (const auto& done : cpu.take_done(now)) ... done.job, done.waited ...
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/time.hpp"

namespace llmsim {

class SharedCpu {
 public:
  struct Done {
    std::uint32_t job;
    Duration waited;  // time in the loop beyond the job's own cost (shared with others)
  };

  explicit SharedCpu(int cores) : cores_(cores) {}

  // Adds a job of `cost` at `now` (not before the last call's time).
  void add(TimePoint now, std::uint32_t job, Duration cost);

  // Returns when the next job ends if nothing is added before (nullopt when idle).
  std::optional<TimePoint> next_done() const;

  // Returns the jobs ended by `now`, in the order they ended (ties: first added first).
  std::vector<Done> take_done(TimePoint now);

  std::size_t size() const { return jobs_.size(); }

 private:
  struct Job {
    double end_work;     // `work_` at which the job ends (ns of service)
    std::uint64_t order; // tie-break: order of arrival
    std::uint32_t job;
    TimePoint added;
    Duration cost;
  };
  void advance(TimePoint now);
  double rate() const;  // service a job receives per ns now

  int cores_;
  double work_ = 0.0;
  TimePoint at_{};
  std::uint64_t next_order_ = 0;
  std::vector<Job> jobs_;  // a min-heap by (end_work, order)
};

}  // namespace llmsim
