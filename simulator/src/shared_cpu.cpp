// The event-loop CPU: processor sharing over `cores` (see shared_cpu.hpp).
#include "simulator/shared_cpu.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim {

namespace {

// Heap order: the job ending first (lowest end_work, then lowest order) on top.
bool ends_later(const auto& a, const auto& b) {
  return a.end_work != b.end_work ? a.end_work > b.end_work : a.order > b.order;
}

// Service counts as done within half a nanosecond of its end, so that rounding in the sums of
// `work_` never leaves a job a nanosecond short at the time `next_done` (rounded up) named.
constexpr double kTolerance = 0.5;

}  // namespace

double SharedCpu::rate() const {
  if (jobs_.empty()) return 0.0;
  return std::min(1.0, static_cast<double>(cores_) / static_cast<double>(jobs_.size()));
}

void SharedCpu::advance(TimePoint now) {
  if (now > at_) work_ += static_cast<double>((now - at_).count()) * rate();
  at_ = std::max(at_, now);
}

void SharedCpu::add(TimePoint now, std::uint32_t job, Duration cost) {
  advance(now);
  jobs_.push_back(Job{.end_work = work_ + static_cast<double>(cost.count()),
                      .order = next_order_++,
                      .job = job,
                      .added = now,
                      .cost = cost});
  std::push_heap(jobs_.begin(), jobs_.end(),
                 [](const Job& a, const Job& b) { return ends_later(a, b); });
}

std::optional<TimePoint> SharedCpu::next_done() const {
  if (jobs_.empty()) return std::nullopt;
  const double left = std::max(0.0, jobs_.front().end_work - work_);
  return at_ + Duration{static_cast<std::int64_t>(std::ceil(left / rate()))};
}

std::vector<SharedCpu::Done> SharedCpu::take_done(TimePoint now) {
  std::vector<Done> done;
  const auto later = [](const Job& a, const Job& b) { return ends_later(a, b); };
  // Step from end to end: each job that ends speeds up the rest (a late call stays exact).
  while (!jobs_.empty()) {
    const TimePoint end = std::max(at_, *next_done());
    if (end > now) break;
    advance(end);
    while (!jobs_.empty() && jobs_.front().end_work <= work_ + kTolerance) {
      std::pop_heap(jobs_.begin(), jobs_.end(), later);
      const Job& job = jobs_.back();
      done.push_back(Done{.job = job.job, .waited = std::max(Duration{0}, now - job.added - job.cost)});
      jobs_.pop_back();
    }
  }
  advance(now);
  return done;
}

}  // namespace llmsim
