// The mock server as a child process: what stop() measures, and the report's note on it.
#include "simulator/server_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace llmsim {
namespace {

// Ctrl-C reaches the whole process group: the child server has exited before stop() runs, and
// /proc/PID/status of the zombie has no peak, so the report said "peak memory 0.0 MB".
TEST(ServerProcess, MeasuresThePeakOfAServerThatExitedAlready) {
  ServerProcess server("/bin/sh", {"-c", "echo listening on http://127.0.0.1:9; exit 0"});
  EXPECT_EQ(server.url(), "http://127.0.0.1:9");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it exit
  const ProcessUsage usage = server.stop();
  EXPECT_GT(usage.peak_memory_kb, 0);
}

TEST(ServerUsageNote, SaysNotMeasuredRatherThanZero) {
  EXPECT_EQ(server_usage_note(ProcessUsage{.cpu_s = 1.25, .peak_memory_kb = 12595}),
            "started by llmsim: 1.25 CPU s, peak memory 12.3 MB");
  EXPECT_EQ(server_usage_note(ProcessUsage{.cpu_s = 0.5, .peak_memory_kb = 0}),
            "started by llmsim: 0.50 CPU s, peak memory not measured");
}

}  // namespace
}  // namespace llmsim
