// Runs a shell command from a test and captures what it printed and how it exited.
//
//   CommandResult r = run_command(LLMSIM_BINARY_DIR "/llmsim --version");
//   EXPECT_EQ(r.status, 0);
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace llmsim::testing_support {

struct CommandResult {
  int status;          // exit status, -1 when the command did not exit normally
  std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh with stderr merged into stdout.
inline CommandResult run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    output += buffer.data();
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace llmsim::testing_support
