// The socket driver against the mock server (`llmsim serve`) through a counting proxy: what the
// driver reports as the bodies of successful responses is exactly the Content-Length of the 2xx
// responses that crossed the wire; the bodies of the 429s (retried or final) are left out.
#include "simulator/socket_driver.hpp"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "models/scenario.hpp"
#include "simulator/server_process.hpp"

namespace llmsim {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

const std::string kLlmsim = LLMSIM_BINARY_DIR "/llmsim";
const std::string kScenarioPath = LLMSIM_BINARY_DIR "/tests/socket-driver-bytes.json";

// What the proxy saw pass from the server to the client.
struct Passed {
  std::int64_t success_body_bytes = 0;  // Content-Length of 2xx responses
  std::int64_t refused_body_bytes = 0;  // Content-Length of 429s
  std::int64_t responses = 0;
};

// A forwarding HTTP proxy on loopback, one thread per client connection: each request goes to the
// server at `port` on its own kept-alive connection, each response back unchanged, and the proxy
// adds up the body bytes of the responses by status.
class CountingProxy {
 public:
  explicit CountingProxy(std::string upstream_port)
      : upstream_port_(std::move(upstream_port)), acceptor_(io_, tcp::endpoint(tcp::v4(), 0)) {
    accepting_ = std::thread([this] { accept_loop(); });
  }

  ~CountingProxy() {
    is_stopping_ = true;
    // Wakes the blocking accept with a connection of our own, then the clients' reads.
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    accepting_.join();
    {
      const std::lock_guard lock(mutex_);
      for (const auto& client : clients_) ::shutdown(client->native_handle(), SHUT_RDWR);
    }
    for (std::thread& t : serving_) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

  Passed passed() {
    const std::lock_guard lock(mutex_);
    return passed_;
  }

 private:
  void accept_loop() {
    for (;;) {
      auto client = std::make_shared<tcp::socket>(io_);
      boost::system::error_code error;
      acceptor_.accept(*client, error);
      if (error || is_stopping_) return;
      const std::lock_guard lock(mutex_);
      clients_.push_back(client);  // open until the proxy ends, so its descriptor stays its own
      serving_.emplace_back([this, client] { serve(*client); });
    }
  }

  // Passes requests and responses between one client connection and the server until either
  // side closes.
  void serve(tcp::socket& client) {
    boost::asio::io_context io;
    tcp::socket server(io);
    boost::system::error_code error;
    boost::asio::connect(server, tcp::resolver(io).resolve("127.0.0.1", upstream_port_), error);
    if (error) return;
    beast::flat_buffer from_client;
    beast::flat_buffer from_server;
    for (;;) {
      http::request<http::string_body> request;
      http::read(client, from_client, request, error);
      if (error) return;
      http::write(server, request, error);
      if (error) return;
      http::response_parser<http::string_body> parser;
      parser.body_limit(boost::none);
      http::read(server, from_server, parser, error);
      if (error) return;
      count(parser);
      http::write(client, parser.get(), error);
      if (error || !parser.get().keep_alive()) return;
    }
  }

  void count(const http::response_parser<http::string_body>& parser) {
    // A stream has no Content-Length; this test sends none (ADD_FAILURE rather than a wrong sum).
    if (!parser.content_length()) {
      ADD_FAILURE() << "a response without Content-Length";
      return;
    }
    const auto bytes = static_cast<std::int64_t>(*parser.content_length());
    const unsigned status = parser.get().result_int();
    const std::lock_guard lock(mutex_);
    ++passed_.responses;
    if (status >= 200 && status < 300) passed_.success_body_bytes += bytes;
    if (status == 429) passed_.refused_body_bytes += bytes;
  }

  std::string upstream_port_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> is_stopping_{false};
  std::thread accepting_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<tcp::socket>> clients_;
  std::vector<std::thread> serving_;
  Passed passed_;
};

// 30 users at once against 20 RPM: 20 answered at once, 10 refused with 429 and retried once
// after the retry-after the server sends (3 s a request), some of them refused again.
std::string write_scenario() {
  std::ofstream(kScenarioPath) << R"({"name": "socket-driver-bytes", "seed": 3,
    "provider": {"limits": {"rpm": 20},
                 "latency": {"time_to_first_token_s": 0.1, "per_token_s": 0, "refused_s": 0},
                 "tokens": {"completion": 12}},
    "client": {"connections": 30, "retry": {"max_retries": 1, "jitter": 0}},
    "workload": {"phases": [{"users": 30, "requests_per_user": 1}]}})";
  return kScenarioPath;
}

TEST(SocketDriver, SuccessBodyBytesAreTheContentLengthOf2xxResponses) {
  const std::string path = write_scenario();
  const Scenario scenario = load_scenario(path);
  const TimeScale scale(10);
  ServerProcess server(kLlmsim, {"serve", "--scenario", path, "--port", "0", "--seed",
                                 std::to_string(scenario.seed), "--time-scale", scale.text(),
                                 "--threads", "1"});
  const std::string port = server.url().substr(server.url().rfind(':') + 1);
  PhaseMetrics total;
  Passed passed;
  {
    CountingProxy proxy(port);
    const LoadResult result = run_load(
        scenario, LoadOptions{.targets = {LoadTarget{scenario.providers[0].name, proxy.url()}},
                              .time_scale = scale});
    ASSERT_FALSE(result.incomplete);
    for (const PhaseRun& phase : result.phases) total.merge(phase.metrics);
    passed = proxy.passed();
  }
  EXPECT_EQ(total.requests, 30u);
  EXPECT_GE(total.succeeded, 20u);
  EXPECT_GT(total.retries, 0u);
  EXPECT_EQ(static_cast<std::uint64_t>(passed.responses), total.provider_calls);
  // 429 bodies crossed the wire and are in bytes_received, but not in success_body_bytes.
  EXPECT_GT(passed.refused_body_bytes, 0);
  EXPECT_GT(passed.success_body_bytes, 0);
  EXPECT_EQ(total.success_body_bytes, passed.success_body_bytes);
  EXPECT_GT(total.bytes_received, passed.success_body_bytes + passed.refused_body_bytes);
}

}  // namespace
}  // namespace llmsim
