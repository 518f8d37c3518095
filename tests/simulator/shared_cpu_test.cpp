// The event-loop CPU: processor sharing, checked against ends worked out by hand.
#include "simulator/shared_cpu.hpp"

#include <gtest/gtest.h>

namespace llmsim {
namespace {

TimePoint at_ms(double ms) { return TimePoint{} + from_millis(ms); }

TEST(SharedCpu, TwoJobsShareOneCoreUntilTheShorterEnds) {
  SharedCpu cpu(1);
  cpu.add(at_ms(0), 1, from_millis(10));
  cpu.add(at_ms(0), 2, from_millis(30));
  // Both at half speed: job 1's 10 ms take 20 ms; job 2 then runs alone: 20 + 20 = 40 ms.
  ASSERT_EQ(cpu.next_done(), at_ms(20));
  auto done = cpu.take_done(at_ms(20));
  ASSERT_EQ(done.size(), 1U);
  EXPECT_EQ(done[0].job, 1U);
  EXPECT_EQ(done[0].waited, from_millis(10));
  EXPECT_EQ(cpu.next_done(), at_ms(40));
  done = cpu.take_done(at_ms(40));
  ASSERT_EQ(done.size(), 1U);
  EXPECT_EQ(done[0].waited, from_millis(10));
  EXPECT_EQ(cpu.size(), 0U);
  EXPECT_FALSE(cpu.next_done());
}

TEST(SharedCpu, ALateLookEndsJobsInTheOrderTheyEnded) {
  SharedCpu cpu(1);
  cpu.add(at_ms(0), 7, from_millis(30));
  cpu.add(at_ms(0), 8, from_millis(10));
  cpu.add(at_ms(5), 9, from_millis(10));
  const auto done = cpu.take_done(at_ms(1000));
  ASSERT_EQ(done.size(), 3U);
  EXPECT_EQ(done[0].job, 8U);
  EXPECT_EQ(done[1].job, 9U);
  EXPECT_EQ(done[2].job, 7U);
}

TEST(SharedCpu, EqualJobsAllEndTogetherInArrivalOrder) {
  SharedCpu cpu(1);
  for (std::uint32_t j = 0; j < 1000; ++j) cpu.add(at_ms(0), j, from_millis(2));
  // First come, first served would end the first at 2 ms; shared, all end at 2 s.
  ASSERT_EQ(cpu.next_done(), at_ms(2000));
  const auto done = cpu.take_done(at_ms(2000));
  ASSERT_EQ(done.size(), 1000U);
  for (std::uint32_t j = 0; j < 1000; ++j) EXPECT_EQ(done[j].job, j);
}

TEST(SharedCpu, TwoCoresServeTwoJobsAtFullSpeed) {
  SharedCpu cpu(2);
  cpu.add(at_ms(0), 1, from_millis(10));
  cpu.add(at_ms(0), 2, from_millis(10));
  cpu.add(at_ms(0), 3, from_millis(10));
  // Three jobs on two cores: each at 2/3 speed, all end at 15 ms.
  EXPECT_EQ(cpu.next_done(), at_ms(15));
  EXPECT_EQ(cpu.take_done(at_ms(15)).size(), 3U);
}

}  // namespace
}  // namespace llmsim
