#include "simulator/event_queue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/random.hpp"
#include "models/time.hpp"

namespace llmsim {
namespace {

using ::testing::ElementsAre;

TimePoint at_ns(std::int64_t ns) { return TimePoint{} + Duration{ns}; }

// Pops every event and returns the payloads in order.
template <class Payload>
std::vector<Payload> drain(EventQueue<Payload>& queue) {
  std::vector<Payload> out;
  while (!queue.empty()) out.push_back(queue.pop().payload);
  return out;
}

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue<std::string_view> queue;
  queue.push(at_ns(30), "c");
  queue.push(at_ns(10), "a");
  queue.push(at_ns(20), "b");
  EXPECT_EQ(queue.next_time(), at_ns(10));
  EXPECT_THAT(drain(queue), ElementsAre("a", "b", "c"));
}

TEST(EventQueue, EqualTimesRunFirstInFirstOut) {
  EventQueue<std::string_view> queue;
  queue.push(at_ns(5), "first");
  queue.push(at_ns(5), "second");
  queue.push(at_ns(1), "earlier");
  queue.push(at_ns(5), "third");
  const auto earlier = queue.pop();
  EXPECT_EQ(earlier.payload, "earlier");
  EXPECT_EQ(earlier.sequence, 2U);  // the third push
  EXPECT_THAT(drain(queue), ElementsAre("first", "second", "third"));
}

TEST(EventQueue, CountsSizeAndPushes) {
  EventQueue<int> queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0U);
  EXPECT_EQ(queue.pushed(), 0U);
  queue.push(at_ns(2), 1);
  queue.push(at_ns(1), 2);
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(queue.size(), 2U);
  EXPECT_EQ(queue.pushed(), 2U);
  queue.pop();
  // Pops shrink the queue but never the count of pushes.
  EXPECT_EQ(queue.size(), 1U);
  EXPECT_EQ(queue.pushed(), 2U);
  queue.pop();
  EXPECT_TRUE(queue.empty());
  queue.push(at_ns(0), 3);
  EXPECT_EQ(queue.pushed(), 3U);
  EXPECT_EQ(queue.pop().sequence, 2U);
}

TEST(EventQueue, PayloadsMustBeTriviallyCopyable) {
  // Events are copied in and out of the heap; small trivially copyable payloads keep that cheap.
  static_assert(std::is_trivially_copyable_v<EventQueue<int>::Event>);
  EventQueue<int> queue;
  queue.push(TimePoint{} + from_seconds(2), 2);
  queue.push(TimePoint{} + from_seconds(1), 1);
  EXPECT_EQ(queue.pop().payload, 1);
  EXPECT_EQ(queue.pop().payload, 2);
}

TEST(EventQueue, ManyRandomPushesPopAsAStableSort) {
  // 20000 events over 100 distinct times: many ties, which must keep their push order.
  constexpr std::uint64_t kEvents = 20000;
  constexpr std::uint64_t kTimes = 100;
  RandomStream rng(11, "event_queue_test");
  EventQueue<std::uint64_t> queue;
  std::vector<std::pair<std::int64_t, std::uint64_t>> reference;  // (time, push index)
  for (std::uint64_t i = 0; i < kEvents; ++i) {
    const auto time = static_cast<std::int64_t>(rng.next_u64() % kTimes);
    queue.push(at_ns(time), i);
    reference.emplace_back(time, i);
  }
  std::stable_sort(reference.begin(), reference.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  ASSERT_EQ(queue.size(), kEvents);
  for (const auto& [time, index] : reference) {
    const auto event = queue.pop();
    ASSERT_EQ(event.time, at_ns(time));
    ASSERT_EQ(event.payload, index);
    ASSERT_EQ(event.sequence, index);
  }
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, InterleavedPushesAndPopsMatchAnOrderedSet) {
  // A discrete-event run: pop the earliest, push new events at or after it.
  RandomStream rng(12, "event_queue_test");
  EventQueue<std::uint64_t> queue;
  std::set<std::pair<std::int64_t, std::uint64_t>> reference;  // (time, sequence)
  std::uint64_t sequence = 0;
  const auto push = [&](std::int64_t time) {
    queue.push(at_ns(time), sequence);
    reference.emplace(time, sequence++);
  };
  for (int i = 0; i < 100; ++i) push(static_cast<std::int64_t>(rng.next_u64() % 50));
  for (int step = 0; !queue.empty(); ++step) {
    const auto event = queue.pop();
    const auto expected = *reference.begin();
    reference.erase(reference.begin());
    ASSERT_EQ(event.time, at_ns(expected.first)) << step;
    ASSERT_EQ(event.payload, expected.second) << step;
    // 0 to 3 new events (1.5 on average, so the queue grows), some at the same instant; none
    // after 20000 steps, so it drains.
    const auto children = rng.next_u64() % 4;
    for (std::uint64_t c = 0; c < children && step < 20000; ++c) {
      push(expected.first + static_cast<std::int64_t>(rng.next_u64() % 20));
    }
    ASSERT_EQ(queue.size(), reference.size());
  }
  EXPECT_TRUE(reference.empty());
  EXPECT_GT(queue.pushed(), 20000U);
  EXPECT_EQ(queue.pushed(), sequence);
}

}  // namespace
}  // namespace llmsim
