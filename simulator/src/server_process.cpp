// The mock server as a child process. See server_process.hpp.
#include "simulator/server_process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace llmsim {

namespace {

// Reads utime + stime (fields 14 and 15 of /proc/PID/stat) in seconds.
double process_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces: fields are counted after its closing paren.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long process_peak_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

ProcessUsage self_usage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return ProcessUsage{seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_maxrss};
}

std::string server_usage_note(const ProcessUsage& usage) {
  char text[160];
  if (usage.peak_memory_kb <= 0) {
    std::snprintf(text, sizeof text, "started by llmsim: %.2f CPU s, peak memory not measured", usage.cpu_s);
  } else {
    std::snprintf(text, sizeof text, "started by llmsim: %.2f CPU s, peak memory %.1f MB", usage.cpu_s,
                  static_cast<double>(usage.peak_memory_kb) / 1024.0);
  }
  return text;
}

ServerProcess::ServerProcess(const std::string& program, const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("cannot create a pipe for the mock server");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int spawned = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  stdout_fd_ = fds[0];
  if (spawned != 0) {
    close(stdout_fd_);
    throw std::runtime_error("cannot start the mock server " + program);
  }
  // Wait for "listening on http://HOST:PORT\n".
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (output.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  const std::string marker = "listening on ";
  const std::size_t at = output.find(marker);
  const std::size_t end = output.find('\n');
  if (at == std::string::npos || end == std::string::npos) {
    stop();
    throw std::runtime_error("the mock server did not start: " + output);
  }
  url_ = output.substr(at + marker.size(), end - at - marker.size());
}

ServerProcess::~ServerProcess() { stop(); }

ProcessUsage ServerProcess::stop() {
  ProcessUsage usage;
  if (pid_ <= 0) return usage;
  usage.cpu_s = process_cpu_s(pid_);
  usage.peak_memory_kb = process_peak_kb(pid_);
  kill(pid_, SIGTERM);
  int status = 0;
  rusage child{};
  wait4(pid_, &status, 0, &child);
  // A child that exited already (Ctrl-C reaches the whole process group) is a zombie whose
  // /proc/PID/status has no VmHWM: its rusage from wait4 still has the peak (in KB on Linux).
  if (usage.peak_memory_kb == 0) usage.peak_memory_kb = child.ru_maxrss;
  pid_ = -1;
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
  return usage;
}

}  // namespace llmsim
