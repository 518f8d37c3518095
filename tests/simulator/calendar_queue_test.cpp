#include "simulator/calendar_queue.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "models/random.hpp"
#include "models/time.hpp"
#include "simulator/event_queue.hpp"

namespace llmsim {
namespace {

TimePoint at_ns(std::int64_t ns) { return TimePoint{} + Duration{ns}; }

TEST(CalendarQueue, EqualTimesRunFirstInFirstOut) {
  CalendarQueue<std::string_view> queue;
  queue.push(at_ns(5), "first");
  queue.push(at_ns(5), "second");
  queue.push(at_ns(1), "earlier");
  queue.push(at_ns(5), "third");
  EXPECT_EQ(queue.next_time(), at_ns(1));
  const auto earlier = queue.pop();
  EXPECT_EQ(earlier.payload, "earlier");
  EXPECT_EQ(earlier.sequence, 2U);
  EXPECT_EQ(queue.pop().payload, "first");
  EXPECT_EQ(queue.pop().payload, "second");
  EXPECT_EQ(queue.pop().payload, "third");
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.pushed(), 4U);
}

// One random workload, run through the heap and the calendar queue side by side: every pop must
// return the same (time, sequence, payload), so a run's events keep today's order exactly.
struct Workload {
  std::uint64_t initial;      // events pushed first
  std::uint64_t steps;        // pops, each followed by 0 to max_children pushes
  std::uint64_t max_children;
  std::int64_t horizon_ns;    // new events land up to this far after the one popped
  std::int64_t distinct;      // delays are multiples of horizon / distinct: ties when small
  bool far_outliers;          // now and then an event an hour away
  bool early_pushes;          // now and then a push before the event just popped
};

void expect_same_order(const Workload& w, std::uint64_t seed) {
  RandomStream rng(seed, "calendar_queue_test");
  HeapEventQueue<std::uint64_t> heap;
  CalendarQueue<std::uint64_t> calendar;
  std::uint64_t id = 0;
  const auto push = [&](std::int64_t base) {
    std::int64_t delay = static_cast<std::int64_t>(rng.next_u64() % static_cast<std::uint64_t>(w.distinct)) *
                         (w.horizon_ns / w.distinct);
    if (w.far_outliers && rng.next_u64() % 50 == 0) delay += 3'600'000'000'000;
    if (w.early_pushes && rng.next_u64() % 40 == 0) delay = -delay;
    heap.push(at_ns(base + delay), id);
    calendar.push(at_ns(base + delay), id);
    ++id;
  };
  for (std::uint64_t i = 0; i < w.initial; ++i) push(0);
  for (std::uint64_t step = 0; !heap.empty(); ++step) {
    ASSERT_EQ(calendar.size(), heap.size());
    ASSERT_EQ(calendar.next_time(), heap.next_time()) << step;
    const auto a = heap.pop();
    const auto b = calendar.pop();
    ASSERT_EQ(b.time, a.time) << step;
    ASSERT_EQ(b.sequence, a.sequence) << step;
    ASSERT_EQ(b.payload, a.payload) << step;
    const std::uint64_t children = step < w.steps ? rng.next_u64() % (w.max_children + 1) : 0;
    for (std::uint64_t c = 0; c < children; ++c) push(a.time.time_since_epoch().count());
  }
  EXPECT_TRUE(calendar.empty());
  EXPECT_EQ(calendar.pushed(), heap.pushed());
}

TEST(CalendarQueue, PopsInTheHeapsOrderOnRandomWorkloads) {
  const std::vector<Workload> workloads = {
      // the hold model: a steady 10,000 pending, delays up to 1 s, few ties
      {10'000, 50'000, 2, 1'000'000'000, 1'000'000'000, false, false},
      // many ties: 100 distinct delays, the queue growing then draining
      {100, 30'000, 3, 1'000'000, 100, false, false},
      // every event at the same few instants (a burst)
      {5'000, 5'000, 2, 10, 2, false, false},
      // far-future outliers beside near events (direct search of an empty year)
      {1'000, 20'000, 2, 50'000'000, 1'000'000, true, false},
      // pushes before the event just popped (the queue must move its current day back)
      {1'000, 20'000, 2, 50'000'000, 1'000'000, false, true},
  };
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same_order(workloads[i], 100 + i);
  }
}

}  // namespace
}  // namespace llmsim
