// Starting `llmsim serve` as a child process for a real-socket run, and measuring it.
//
// The load generator and the server run in separate processes, so each one's CPU time and peak
// memory can be reported on its own (the load-test report's "Peak CPU / Peak Memory").
//
//   ServerProcess server("/proc/self/exe", {"serve", "--scenario", path, "--port", "0"});
//   std::string url = server.url();          // "http://127.0.0.1:PORT"
//   ProcessUsage usage = server.stop();      // SIGTERM, wait, CPU seconds and peak memory
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace llmsim {

struct ProcessUsage {
  double cpu_s = 0;          // user + system CPU seconds
  long peak_memory_kb = 0;   // VmHWM / ru_maxrss
};

// Returns this process's CPU seconds and peak resident memory so far.
ProcessUsage self_usage();

// Returns the report's note on a server llmsim started: "started by llmsim: 1.25 CPU s, peak
// memory 12.3 MB", or "peak memory not measured" when the peak is unknown (0).
std::string server_usage_note(const ProcessUsage& usage);

class ServerProcess {
 public:
  // Starts `program args...` and waits (up to 10 s) for its "listening on URL" line; throws
  // std::runtime_error with the child's output when it does not come.
  ServerProcess(const std::string& program, const std::vector<std::string>& args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }

  // Reads the child's CPU time and peak memory, sends SIGTERM and waits for it to exit.
  ProcessUsage stop();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
};

}  // namespace llmsim
