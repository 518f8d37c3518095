#include "app/serve_command.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

extern char** environ;

namespace llmsim {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;

const std::string kBinary = LLMSIM_BINARY_DIR "/llmsim";

// The built llmsim binary as a child process with stdout and stderr piped to the test.
class Process {
 public:
  explicit Process(const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(pipe(err), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<std::string> argv_text = {kBinary};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, kBinary.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Process() {
    if (!exit_code_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Returns the next line of stdout, or nullopt when none comes within `timeout`.
  std::optional<std::string> read_line(milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd fd{out_, POLLIN, 0};
      if (poll(&fd, 1, 50) <= 0) continue;
      char c = 0;
      if (read(out_, &c, 1) != 1) return std::nullopt;
      if (c == '\n') return line;
      line += c;
    }
    return std::nullopt;
  }

  // Returns everything the process wrote on stderr (call after it exited).
  std::string stderr_text() {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(err_, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
    return text;
  }

  // Returns the exit code, or nullopt when the process is still running after `timeout`.
  std::optional<int> wait_exit(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_ && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      } else {
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
    return exit_code_;
  }

  void signal(int number) { kill(pid_, number); }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  int err_ = -1;
  std::optional<int> exit_code_;
};

// Sends a raw HTTP/1.1 request with Connection: close and returns the whole response.
std::string http_exchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "";
  }
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  close(fd);
  return response;
}

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-test\r\n"
         "Connection: close\r\n\r\n";
}

std::string chat_post() {
  const std::string body =
      R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"hi"}],"max_tokens":3})";
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-test\r\n"
         "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Reads the "listening on http://127.0.0.1:PORT" line; returns the port, or 0.
int listening_port(Process& process) {
  const std::optional<std::string> line = process.read_line(milliseconds(10'000));
  std::smatch match;
  if (!line || !std::regex_match(*line, match, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) {
    ADD_FAILURE() << "no listening line, got: " << line.value_or("(nothing)");
    return 0;
  }
  return std::stoi(match[1]);
}

TEST(ServeCommand, ServesOnAnEphemeralPortAndExitsZeroOnSigterm) {
  Process server({"serve", "--port", "0", "--threads", "1", "--log-requests"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  EXPECT_THAT(http_exchange(port, get("/healthz")), HasSubstr("{\"status\":\"ok\"}"));
  const std::string models = http_exchange(port, get("/v1/models"));
  EXPECT_THAT(models, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(models, HasSubstr("\"id\":\"gpt-4o-mini\""));  // the built-in provider
  EXPECT_THAT(http_exchange(port, chat_post()), HasSubstr("\"object\":\"chat.completion\""));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
  const std::string log = server.stderr_text();
  EXPECT_THAT(log, HasSubstr(" GET /healthz 200 key=- "));
  EXPECT_THAT(log, HasSubstr(" POST /v1/chat/completions 200 key=sk-test "));
}

TEST(ServeCommand, PrintsARandomAdminTokenThatResetNeeds) {
  Process server({"serve", "--port", "0", "--threads", "1", "--log-requests"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  const std::optional<std::string> line = server.read_line(milliseconds(10'000));
  std::smatch match;
  ASSERT_TRUE(line && std::regex_match(*line, match,
                                       std::regex("admin token: (llmsim-admin-[0-9a-f]{32})")))
      << line.value_or("(nothing)");
  const std::string reset = "POST /admin/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  EXPECT_THAT(http_exchange(port, reset + "Content-Length: 0\r\n\r\n"),
              HasSubstr("HTTP/1.1 401 Unauthorized"));
  EXPECT_THAT(http_exchange(port, reset + "Authorization: Bearer " + match[1].str() +
                                      "\r\nContent-Length: 0\r\n\r\n"),
              HasSubstr("{\"status\":\"reset\"}"));
  // A malformed request is logged too.
  EXPECT_THAT(http_exchange(port, "HELLO THERE\r\n\r\n"), HasSubstr("HTTP/1.1 400 Bad Request"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
  const std::string log = server.stderr_text();
  EXPECT_THAT(log, HasSubstr(" POST /admin/reset 401 key=- "));
  EXPECT_THAT(log, HasSubstr(" POST /admin/reset 200 key=- "));
  EXPECT_THAT(log, HasSubstr(" - - 400 key=- "));
  EXPECT_EQ(log.find("warning"), std::string::npos);  // 127.0.0.1: nothing exposed
}

TEST(ServeCommand, TakesTheAdminTokenFromTheFlagAndDoesNotPrintIt) {
  Process server({"serve", "--port", "0", "--threads", "1", "--admin-token", "tok-1"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  EXPECT_THAT(http_exchange(port, "POST /admin/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                  "Authorization: Bearer tok-1\r\nContent-Length: 0\r\n\r\n"),
              HasSubstr("{\"status\":\"reset\"}"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
  EXPECT_FALSE(server.read_line(milliseconds(100)).has_value());  // no "admin token:" line
}

TEST(ServeCommand, WarnsWhenTheAddressIsNotLoopback) {
  EXPECT_FALSE(exposure_warning("127.0.0.1").has_value());
  EXPECT_FALSE(exposure_warning("127.0.0.2").has_value());
  EXPECT_FALSE(exposure_warning("::1").has_value());
  for (const char* host : {"0.0.0.0", "::", "192.168.1.10", "localhost"}) {
    const std::optional<std::string> warning = exposure_warning(host);
    ASSERT_TRUE(warning.has_value()) << host;
    EXPECT_EQ(*warning, "llmsim serve: warning: --host " + std::string(host) +
                            " is not a loopback address: any machine that can reach it may use "
                            "the mock API with any key, read /metrics (request counts, masked "
                            "keys) and, with the admin token, call /admin/reset\n");
  }
}

TEST(ServeCommand, SigintAlsoStopsWithExitZero) {
  Process server({"serve", "--port", "0", "--threads", "1"});
  ASSERT_GT(listening_port(server), 0);
  server.signal(SIGINT);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
}

TEST(ServeCommand, ServesTheScenariosFirstProvider) {
  Process server({"serve", "--scenario", LLMSIM_SOURCE_DIR "/data/scenarios/gaja-2025-06-10.json",
                  "--port", "0", "--threads", "1", "--time-scale", "100"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  const std::string models = http_exchange(port, get("/v1/models"));
  EXPECT_THAT(models, HasSubstr("\"id\":\"gpt-3.5-turbo\""));
  EXPECT_THAT(models, testing::Not(HasSubstr("gpt-4o-mini")));
  const std::string reply = http_exchange(port, chat_post());
  EXPECT_THAT(reply, HasSubstr("x-ratelimit-limit-requests: 500\r\n"));
  EXPECT_THAT(reply, HasSubstr("openai-organization: org-gaja\r\n"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
}

TEST(ServeCommand, BadFlagsExitTwo) {
  const std::vector<std::vector<std::string>> rows = {
      {"serve", "--time-scale", "0"},           // time must run forward
      {"serve", "--time-scale", "inf"},         // and at a finite pace
      {"serve", "--threads", "-1"},             // negative thread count
      {"serve", "--port", "70000"},             // not a port
      {"serve", "--read-timeout-s", "0"},       // no time to read a request
      {"serve", "--scenario", "/nonexistent"},  // no such file
      {"serve", "--bogus"},                     // unknown flag
  };
  for (const auto& args : rows) {
    Process process(args);
    EXPECT_EQ(process.wait_exit(milliseconds(10'000)), 2) << args[1];
  }
}

TEST(ServeCommand, InvalidScenarioExitsTwoNamingTheFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "llmsim_serve_bad_scenario.json";
  std::ofstream(path) << R"({"name": "", "workload": {"phases": []}})";
  Process process({"serve", "--scenario", path.string(), "--port", "0"});
  EXPECT_EQ(process.wait_exit(milliseconds(10'000)), 2);
  EXPECT_THAT(process.stderr_text(), HasSubstr(path.string()));
  std::filesystem::remove(path);
}

// A scenario with only a provider section: serve reads nothing else; `llmsim run` needs more.
TEST(ServeCommand, ServesAScenarioWithoutWorkloadWhichRunStillRefuses) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "llmsim_serve_provider_only.json";
  std::ofstream(path) << R"({"name": "provider only",
    "provider": {"models": ["gpt-4o"], "limits": {"rpm": 42}}})";
  Process server({"serve", "--scenario", path.string(), "--port", "0", "--threads", "1"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  EXPECT_THAT(http_exchange(port, get("/v1/models")), HasSubstr("\"id\":\"gpt-4o\""));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
  Process run({"run", path.string()});
  EXPECT_EQ(run.wait_exit(milliseconds(10'000)), 2);
  EXPECT_THAT(run.stderr_text(), HasSubstr(path.string() + ": /workload: required, got nothing"));
  std::filesystem::remove(path);
}

// A workload that is there is still checked by serve.
TEST(ServeCommand, StillChecksAWorkloadThatIsGiven) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "llmsim_serve_bad_workload.json";
  std::ofstream(path) << R"({"name": "x", "provider": {"limits": {"rpm": 42}},
    "workload": {"phases": []}})";
  Process process({"serve", "--scenario", path.string(), "--port", "0"});
  EXPECT_EQ(process.wait_exit(milliseconds(10'000)), 2);
  EXPECT_THAT(process.stderr_text(),
              HasSubstr(path.string() + ": /workload/phases: must be a non-empty array of phase "
                                        "objects, got []"));
  std::filesystem::remove(path);
}

TEST(ServeCommand, BadFixturesAndRecordFlagsExitTwo) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "llmsim_bad_fixtures.json";
  std::ofstream(path) << R"({"fixtures": [{"answer": {"content": 3}}]})";
  Process fixtures({"serve", "--port", "0", "--fixtures", path.string()});
  EXPECT_EQ(fixtures.wait_exit(milliseconds(10'000)), 2);
  EXPECT_EQ(fixtures.stderr_text(),
            path.string() + ": /fixtures/0/answer/content: must be a string, got 3\n");
  std::filesystem::remove(path);
  Process https({"serve", "--port", "0", "--record-from", "https://api.openai.com"});
  EXPECT_EQ(https.wait_exit(milliseconds(10'000)), 2);
  EXPECT_EQ(https.stderr_text(),
            "llmsim serve: --record-from: must be an http:// URL (https is not supported), got "
            "\"https://api.openai.com\"\n");
}

// The provider's "fixtures" is read relative to the scenario file.
TEST(ServeCommand, ReadsTheScenariosFixturesRelativeToIt) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "llmsim_serve_fixtures";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "f.json") << R"({"fixtures": [{"answer": {"content": "from the file"}}]})";
  std::ofstream(dir / "s.json") << R"({"name": "x", "provider": {"limits": {"rpm": 60}, "fixtures": "f.json"}})";
  Process server({"serve", "--scenario", (dir / "s.json").string(), "--port", "0", "--threads", "1"});
  const int port = listening_port(server);
  ASSERT_GT(port, 0);
  // chat_post() asks for max_tokens 3: three 4-byte pieces of the fixture's content.
  const std::string reply = http_exchange(port, chat_post());
  EXPECT_THAT(reply, HasSubstr("\"content\":\"from the fil\""));
  EXPECT_THAT(reply, HasSubstr("\"finish_reason\":\"length\""));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(milliseconds(10'000)), 0);
  std::filesystem::remove_all(dir);
}

TEST(ServeCommand, TakenPortExitsTwo) {
  Process first({"serve", "--port", "0", "--threads", "1"});
  const int port = listening_port(first);
  ASSERT_GT(port, 0);
  Process second({"serve", "--port", std::to_string(port), "--threads", "1"});
  EXPECT_EQ(second.wait_exit(milliseconds(10'000)), 2);
  EXPECT_THAT(second.stderr_text(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(port)));
}

}  // namespace
}  // namespace llmsim
