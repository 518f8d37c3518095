// A calendar queue (R. Brown, CACM 1988) of discrete events ordered by (time, sequence number):
// the same order as the 4-ary heap of event_queue.hpp, event for event, ties first in, first out.
//
// Time is cut into days of 2^shift nanoseconds and the days are dealt round a year of 2^k
// buckets; each bucket is a list kept sorted by (time, sequence). A pop looks at the current
// day's bucket and, when its head is later, moves on to the next day: when each bucket holds a
// few events, a push and a pop cost O(1) instead of the heap's O(log n) walk through memory.
// The year doubles or halves with the events pending (from 2 events a bucket to half of one),
// and the day is then set to about three times the mean gap between the earliest events. A push
// before the current day (never in a run, which pushes at or after now) moves the current day
// back to it. Nodes live in one pool and are recycled; memory follows the events pending.
//
//   CalendarQueue<int> q;
//   q.push(TimePoint{} + from_seconds(1), 7);
//   auto [time, sequence, payload] = q.pop();
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/time.hpp"

namespace llmsim {

template <class Payload>
class CalendarQueue {
  static_assert(std::is_trivially_copyable_v<Payload>, "events are copied in and out of the queue");

 public:
  struct Event {
    TimePoint time;
    std::uint64_t sequence;
    Payload payload;
  };

  CalendarQueue() { rebuild(kMinBuckets, 0); }

  // Adds an event at `time`; later pushes at the same time run after it.
  void push(TimePoint time, Payload payload) {
    const std::uint32_t node = allocate(Event{time, next_sequence_++, std::move(payload)});
    const std::int64_t day = day_of(time);
    if (size_ == 0 || day < current_day_) current_day_ = day;
    insert(node);
    ++size_;
    if (size_ > 2 * heads_.size()) resize(heads_.size() * 2);
  }

  // Removes and returns the earliest event. The queue must not be empty.
  Event pop() {
    assert(size_ > 0);
    std::uint32_t& head = heads_[bucket_of_day(find_current_day())];
    const std::uint32_t node = head;
    head = nodes_[node].next;
    const Event event = nodes_[node].event;
    release(node);
    --size_;
    if (size_ < heads_.size() / 2 && heads_.size() > kMinBuckets) resize(heads_.size() / 2);
    return event;
  }

  // Returns the earliest event's time. The queue must not be empty.
  TimePoint next_time() {
    assert(size_ > 0);
    return nodes_[heads_[bucket_of_day(find_current_day())]].event.time;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // Returns how many events were ever pushed.
  std::uint64_t pushed() const { return next_sequence_; }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t kMinBuckets = 16;
  // Events sampled from the front to set the day's length, as Brown's 25.
  static constexpr std::size_t kSample = 32;

  struct Node {
    Event event;
    std::uint32_t next;
  };

  static bool is_before(const Event& a, const Event& b) {
    return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
  }

  std::int64_t day_of(TimePoint time) const { return time.time_since_epoch().count() >> shift_; }
  std::size_t bucket_of_day(std::int64_t day) const {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(day) & mask_);
  }

  // Moves the current day forward to the earliest event's and returns it (the queue holds one).
  // A year with nothing due is skipped in one step: a direct search of the buckets' heads.
  std::int64_t find_current_day() {
    for (std::size_t step = 0; step < heads_.size(); ++step) {
      const std::uint32_t head = heads_[bucket_of_day(current_day_)];
      if (head != kNone && day_of(nodes_[head].event.time) <= current_day_) return current_day_;
      ++current_day_;
    }
    const Event* earliest = nullptr;
    for (const std::uint32_t head : heads_) {
      if (head != kNone && (!earliest || is_before(nodes_[head].event, *earliest))) {
        earliest = &nodes_[head].event;
      }
    }
    current_day_ = day_of(earliest->time);
    return current_day_;
  }

  // Links a node into its bucket, after every event that comes before it.
  void insert(std::uint32_t node) {
    const Event& event = nodes_[node].event;
    std::uint32_t* link = &heads_[bucket_of_day(day_of(event.time))];
    while (*link != kNone && is_before(nodes_[*link].event, event)) link = &nodes_[*link].next;
    nodes_[node].next = *link;
    *link = node;
  }

  std::uint32_t allocate(const Event& event) {
    std::uint32_t node = free_;
    if (node != kNone) {
      free_ = nodes_[node].next;
      nodes_[node].event = event;
    } else {
      assert(nodes_.size() < kNone);
      node = static_cast<std::uint32_t>(nodes_.size());
      nodes_.push_back(Node{event, kNone});
    }
    return node;
  }

  void release(std::uint32_t node) {
    nodes_[node].next = free_;
    free_ = node;
  }

  // Rebuilds the year with `buckets` buckets and a day fitted to the earliest events' spacing.
  void resize(std::size_t buckets) {
    std::vector<std::uint32_t> live;
    live.reserve(size_);
    for (const std::uint32_t head : heads_) {
      for (std::uint32_t n = head; n != kNone; n = nodes_[n].next) live.push_back(n);
    }
    rebuild(buckets, day_shift(live));
    for (const std::uint32_t n : live) insert(n);
    if (!live.empty()) current_day_ = day_of(earliest_of(live));
  }

  TimePoint earliest_of(const std::vector<std::uint32_t>& live) const {
    TimePoint earliest = nodes_[live.front()].event.time;
    for (const std::uint32_t n : live) earliest = std::min(earliest, nodes_[n].event.time);
    return earliest;
  }

  // Returns log2 of the day's length: about three mean gaps between the earliest events (at
  // least 1 ns, so a day never holds more of them than three, on average).
  unsigned day_shift(std::vector<std::uint32_t>& live) const {
    if (live.size() < 2) return shift_;
    const std::size_t count = std::min(live.size(), kSample);
    const auto by_time = [this](std::uint32_t a, std::uint32_t b) {
      return nodes_[a].event.time < nodes_[b].event.time;
    };
    std::nth_element(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(count - 1), live.end(),
                     by_time);
    const std::int64_t last = nodes_[live[count - 1]].event.time.time_since_epoch().count();
    const std::int64_t first = nodes_[*std::min_element(live.begin(), live.begin() +
                                                        static_cast<std::ptrdiff_t>(count), by_time)]
                                   .event.time.time_since_epoch().count();
    const auto gap = static_cast<std::uint64_t>(last - first) / (count - 1);
    const std::uint64_t day = std::max<std::uint64_t>(1, 3 * gap);
    return static_cast<unsigned>(std::bit_width(day) - 1);  // a power of two at or below
  }

  void rebuild(std::size_t buckets, unsigned shift) {
    heads_.assign(buckets, kNone);
    mask_ = buckets - 1;
    shift_ = shift;
  }

  std::vector<std::uint32_t> heads_;  // per bucket: its earliest node, or kNone
  std::vector<Node> nodes_;
  std::uint32_t free_ = kNone;        // recycled nodes, linked through `next`
  std::uint64_t mask_ = 0;
  unsigned shift_ = 0;
  std::int64_t current_day_ = 0;      // no pending event is earlier than this day
  std::size_t size_ = 0;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace llmsim
