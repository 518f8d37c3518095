#include "mockapi/server.hpp"

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mockapi/text_generator.hpp"

namespace llmsim::mockapi {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;
using testing::HasSubstr;

constexpr std::uint64_t kSeed = 7;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// A provider with fixed latencies: first token after `ttft_s`, `tokens` tokens `per_token_s` apart.
ProviderConfig fixed_config(double ttft_s, double per_token_s, double tokens) {
  ProviderConfig config;
  config.organization = "org-test";
  config.models = {"gpt-3.5-turbo"};
  config.latency.time_to_first_token_s = Distribution::constant(ttft_s);
  config.latency.per_token_s = Distribution::constant(per_token_s);
  config.tokens.completion_tokens = Distribution::constant(tokens);
  return config;
}

http::request<http::string_body> chat_request(const std::string& extra = "",
                                              const std::string& fault = "") {
  http::request<http::string_body> request{http::verb::post, "/v1/chat/completions", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, "Bearer sk-test");
  if (!fault.empty()) request.set("x-llmsim-fault", fault);
  request.body() =
      R"({"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"hi"}])" + extra + "}";
  request.prepare_payload();
  return request;
}

struct Reply {
  beast::error_code error;
  bool timed_out = false;
  http::response<http::string_body> response;
};

// A blocking-style HTTP client over one connection; every wait has a timeout.
class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  // Sends a request and reads the response (or what arrived of it).
  Reply exchange(const http::request<http::string_body>& request,
                 milliseconds timeout = milliseconds(10'000)) {
    Reply reply;
    http::response_parser<http::string_body> parser;
    bool done = false;
    http::async_write(stream_, request, [&](beast::error_code error, std::size_t) {
      if (error) {
        reply.error = error;
        done = true;
        return;
      }
      http::async_read(stream_, buffer_, parser, [&](beast::error_code read_error, std::size_t) {
        reply.error = read_error;
        done = true;
      });
    });
    reply.timed_out = !run(done, timeout);
    reply.response = parser.release();
    return reply;
  }

  // Sends bytes as they are (a partial or malformed request).
  void send_raw(const std::string& bytes) { asio::write(stream_.socket(), asio::buffer(bytes)); }

  // Reads one response after send_raw.
  Reply read_reply(milliseconds timeout = milliseconds(10'000)) {
    Reply reply;
    http::response_parser<http::string_body> parser;
    bool done = false;
    http::async_read(stream_, buffer_, parser, [&](beast::error_code error, std::size_t) {
      reply.error = error;
      done = true;
    });
    reply.timed_out = !run(done, timeout);
    reply.response = parser.release();
    return reply;
  }

 private:
  // Runs the client's operations until done or `timeout`; returns whether they finished.
  bool run(bool& done, milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (done) return true;
    stream_.cancel();
    io_.restart();
    io_.run();
    return false;
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::unique_ptr<Server> start_server(ProviderConfig config, ServerOptions options = {}) {
  options.port = 0;
  if (options.threads == 0) options.threads = 2;
  auto server = std::make_unique<Server>(options, std::move(config), kSeed);
  server->start();
  return server;
}

// Returns the server's Prometheus text.
std::string metrics_text(std::uint16_t port) {
  TestClient client(port);
  http::request<http::string_body> request{http::verb::get, "/metrics", 11};
  request.set(http::field::host, "127.0.0.1");
  return client.exchange(request).response.body();
}

// Polls /metrics until it contains `text` or two seconds pass.
bool eventually_in_metrics(std::uint16_t port, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (metrics_text(port).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> events;
  for (std::size_t start = 0; start < body.size();) {
    const std::size_t end = body.find("\n\n", start);
    if (end == std::string::npos) break;
    events.push_back(body.substr(start, end - start));
    start = end + 2;
  }
  return events;
}

TEST(Server, ServesSeveralRequestsOnOneKeptAliveConnection) {
  auto server = start_server(fixed_config(0.0, 0.0, 4.0));
  TestClient client(server->port());
  for (std::uint64_t n = 0; n < 3; ++n) {
    const Reply reply = client.exchange(chat_request());
    ASSERT_FALSE(reply.error) << reply.error.message();
    EXPECT_EQ(reply.response.result_int(), 200);
    EXPECT_TRUE(reply.response.keep_alive());
    EXPECT_EQ(reply.response["x-request-id"], request_id(kSeed, "sk-test", n));
  }
  EXPECT_TRUE(eventually_in_metrics(server->port(),
      "llmsim_requests_total{endpoint=\"chat.completions\",status=\"200\"} 3\n"));
}

// A load generator at another --time-scale measured the server as if its delays were its own;
// the server now states its scale on every response, streamed or not, refused or not.
TEST(Server, StatesItsTimeScaleOnEveryResponse) {
  ServerOptions options;
  options.time_scale = TimeScale(12.5);
  auto server = start_server(fixed_config(0.0, 0.0, 2.0), options);
  TestClient client(server->port());
  const Reply plain = client.exchange(chat_request());
  ASSERT_FALSE(plain.error) << plain.error.message();
  EXPECT_EQ(plain.response[kTimeScaleHeader], "12.5");
  const Reply stream = client.exchange(chat_request(R"(, "stream": true)"));
  ASSERT_FALSE(stream.error) << stream.error.message();
  EXPECT_EQ(stream.response[kTimeScaleHeader], "12.5");
  const Reply bad = client.exchange(chat_request(R"(, "max_tokens": "x")"));
  ASSERT_FALSE(bad.error) << bad.error.message();
  EXPECT_EQ(bad.response.result_int(), 400);
  EXPECT_EQ(bad.response[kTimeScaleHeader], "12.5");
}

TEST(Server, StreamsTokenChunksInOrderWithUsageAndDone) {
  ServerOptions options;
  options.time_scale = TimeScale(10.0);  // 1 s to the first token and 0.5 s per token take 0.3 s in all
  auto server = start_server(fixed_config(1.0, 0.5, 5.0), options);
  TestClient client(server->port());
  const auto started = std::chrono::steady_clock::now();
  const Reply reply =
      client.exchange(chat_request(R"(,"stream":true,"stream_options":{"include_usage":true})"));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(reply.error) << reply.error.message();
  EXPECT_EQ(reply.response[http::field::content_type], "text/event-stream; charset=utf-8");
  EXPECT_TRUE(reply.response.chunked());
  EXPECT_GE(elapsed, milliseconds(290));  // (1 + 4 * 0.5) s / 10
  const std::vector<std::string> events = sse_events(reply.response.body());
  ASSERT_EQ(events.size(), 9u);  // role, 5 tokens, finish, usage, [DONE]
  EXPECT_THAT(events[0], HasSubstr(R"("delta":{"role":"assistant","content":"","refusal":null})"));
  const ReplyText text(kSeed, "sk-test", 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(events[1 + i], HasSubstr(R"("delta":{"content":")" + text.token(0, i) + "\"}"));
  }
  EXPECT_THAT(events[6], HasSubstr(R"("finish_reason":"stop")"));
  EXPECT_THAT(events[7], HasSubstr(R"("choices":[],"usage":{"prompt_tokens":7,"completion_tokens":5)"));
  EXPECT_EQ(events[8], "data: [DONE]");
  EXPECT_TRUE(client.exchange(chat_request()).response.keep_alive());  // still usable
}

TEST(Server, RefusesWith429AfterTheBucketIsSpent) {
  ProviderConfig config = fixed_config(0.0, 0.0, 1.0);
  config.limits.rpm = 2;
  auto server = start_server(config);
  TestClient client(server->port());
  EXPECT_EQ(client.exchange(chat_request()).response.result_int(), 200);
  EXPECT_EQ(client.exchange(chat_request()).response.result_int(), 200);
  const Reply refused = client.exchange(chat_request());
  EXPECT_EQ(refused.response.result_int(), 429);
  EXPECT_EQ(refused.response["retry-after"], "30");  // one request of 2 per minute, rounded up
  EXPECT_EQ(refused.response["x-ratelimit-remaining-requests"], "0");
  EXPECT_THAT(refused.response.body(),
              HasSubstr("on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try "
                        "again in "));
  EXPECT_TRUE(refused.response.keep_alive());
}

TEST(Server, ForcedErrorsAndDrops) {
  auto server = start_server(fixed_config(0.0, 0.0, 4.0));
  EXPECT_EQ(TestClient(server->port()).exchange(chat_request("", "500")).response.result_int(), 500);
  EXPECT_EQ(TestClient(server->port()).exchange(chat_request("", "503")).response.result_int(), 503);
  // A non-streamed drop closes the connection without a response.
  const Reply dropped = TestClient(server->port()).exchange(chat_request("", "drop"));
  EXPECT_EQ(dropped.error, http::error::end_of_stream);
  // A streamed drop ends mid-stream after half the tokens, without [DONE].
  const Reply cut = TestClient(server->port()).exchange(chat_request(R"(,"stream":true)", "drop"));
  EXPECT_EQ(cut.error, http::error::partial_message);
  const std::vector<std::string> events = sse_events(cut.response.body());
  EXPECT_EQ(events.size(), 3u);  // role and 2 of 4 tokens
  EXPECT_THAT(cut.response.body(), testing::Not(HasSubstr("[DONE]")));
}

TEST(Server, HangsUntilTheClientGivesUpWhileServingOthers) {
  auto server = start_server(fixed_config(0.0, 0.0, 1.0));
  {
    TestClient hung(server->port());
    const Reply reply = hung.exchange(chat_request("", "hang"), milliseconds(300));
    EXPECT_TRUE(reply.timed_out);
    EXPECT_EQ(TestClient(server->port()).exchange(chat_request()).response.result_int(), 200);
  }  // the hung client closes its connection
  EXPECT_TRUE(eventually_in_metrics(server->port(),
      "llmsim_requests_total{endpoint=\"chat.completions\",status=\"hung\"} 1\n"));
}

TEST(Server, ClosesAHalfOpenClientAfterTheReadTimeoutWhileServingOthers) {
  ServerOptions options;
  options.read_timeout = milliseconds(200);
  auto server = start_server(fixed_config(0.0, 0.0, 1.0), options);
  TestClient slow(server->port());
  const auto started = std::chrono::steady_clock::now();
  slow.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");  // never finished
  EXPECT_EQ(TestClient(server->port()).exchange(chat_request()).response.result_int(), 200);
  const Reply reply = slow.read_reply(milliseconds(5'000));
  EXPECT_FALSE(reply.timed_out);
  // A started request is owed an answer: 408, then the connection closes.
  EXPECT_EQ(reply.response.result_int(), 408);
  EXPECT_THAT(reply.response.body(), HasSubstr(R"("code":"request_timeout")"));
  EXPECT_FALSE(reply.response.keep_alive());
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(190));
  EXPECT_TRUE(slow.read_reply(milliseconds(5'000)).error == http::error::end_of_stream);
}

TEST(Server, ClosesAnIdleKeptAliveConnectionSilentlyAfterTheReadTimeout) {
  ServerOptions options;
  options.read_timeout = milliseconds(200);
  auto server = start_server(fixed_config(0.0, 0.0, 1.0), options);
  TestClient client(server->port());
  EXPECT_EQ(client.exchange(chat_request()).response.result_int(), 200);
  const Reply reply = client.read_reply(milliseconds(5'000));  // no request started: no 408
  EXPECT_FALSE(reply.timed_out);
  EXPECT_TRUE(reply.error == http::error::end_of_stream ||
              reply.error == asio::error::connection_reset)
      << reply.error.message();
}

TEST(Server, AnswersOversizedAndMalformedRequestsThenCloses) {
  ServerOptions options;
  options.body_limit_bytes = 1024;
  auto server = start_server(fixed_config(0.0, 0.0, 1.0), options);
  TestClient big(server->port());
  big.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n");
  const Reply too_large = big.read_reply();
  EXPECT_EQ(too_large.response.result_int(), 413);
  EXPECT_THAT(too_large.response.body(), HasSubstr("the limit is 1024 bytes"));
  EXPECT_FALSE(too_large.response.keep_alive());
  TestClient garbage(server->port());
  garbage.send_raw("HELLO THERE\r\n\r\n");
  const Reply malformed = garbage.read_reply();
  EXPECT_EQ(malformed.response.result_int(), 400);
  EXPECT_THAT(malformed.response.body(), HasSubstr("\"type\":\"invalid_request_error\""));
}

// Sends `bytes` on a new connection; returns the first response and whether the server then
// closed the connection (instead of reading what followed as another request).
std::pair<Reply, bool> refused_then_closed(std::uint16_t port, const std::string& bytes) {
  TestClient client(port);
  client.send_raw(bytes);
  Reply first = client.read_reply();
  const Reply next = client.read_reply(milliseconds(2'000));
  const bool closed = !next.timed_out && (next.error == http::error::end_of_stream ||
                                          next.error == asio::error::connection_reset);
  return {std::move(first), closed};
}

TEST(Server, RefusesHeadsItCannotServeThenCloses) {
  auto server = start_server(fixed_config(0.0, 0.0, 1.0));
  const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  struct Row {
    std::string head;
    int status;
  };
  const std::vector<Row> rows = {
      // over Beast's 8 KB header limit
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nx-big: " + std::string(16 * 1024, 'a') + "\r\n\r\n",
       431},
      // the gzip body would otherwise be read as the next request
      {"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" +
           healthz, 400},
      {"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
       "0\r\n\r\n" + healthz, 501},
      {"GET /healthz HTTP/1.1\r\n\r\n" + healthz, 400},  // HTTP/1.1 without Host
  };
  for (const Row& row : rows) {
    const auto [reply, closed] = refused_then_closed(server->port(), row.head);
    EXPECT_EQ(reply.response.result_int(), row.status) << row.head.substr(0, 80);
    EXPECT_THAT(reply.response.body(), HasSubstr("\"error\":{")) << row.head.substr(0, 80);
    EXPECT_FALSE(reply.response.keep_alive());
    EXPECT_TRUE(closed) << row.head.substr(0, 80);
  }
  EXPECT_TRUE(eventually_in_metrics(server->port(),
      "llmsim_requests_total{endpoint=\"unknown\",status=\"431\"} 1\n"));
  // HTTP/1.0 needs no Host.
  EXPECT_EQ(refused_then_closed(server->port(), "GET /healthz HTTP/1.0\r\n\r\n").first
                .response.result_int(), 200);
}

TEST(Server, AnswersInvalidUtf8InputAndEveryGaugeReturnsToZero) {
  ProviderConfig config = fixed_config(0.0, 0.0, 1.0);
  config.api_keys = {"sk-test"};
  auto server = start_server(config);
  const std::vector<std::pair<std::string, int>> requests = {
      {"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-test\r\n"
       "x-llmsim-fault: \xff\xfe\r\n\r\n", 400},
      {"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-\xc3\xa9\xff-not-a-key\r\n\r\n",
       401},
  };
  for (const auto& [bytes, status] : requests) {
    TestClient client(server->port());
    client.send_raw(bytes);
    const Reply reply = client.read_reply();
    ASSERT_FALSE(reply.error) << reply.error.message();
    EXPECT_EQ(reply.response.result_int(), status);
    EXPECT_THAT(reply.response.body(), HasSubstr("\xef\xbf\xbd"));  // U+FFFD
  }
  // Only the /metrics request itself is left in flight, on its own connection.
  EXPECT_TRUE(eventually_in_metrics(server->port(), "llmsim_requests_in_flight 1\n"));
  EXPECT_TRUE(eventually_in_metrics(server->port(), "llmsim_open_connections 1\n"));
}

TEST(Server, AdminResetNeedsTheServersToken) {
  ServerOptions options;
  options.admin_token = "tok-server";
  auto server = start_server(fixed_config(0.0, 0.0, 1.0), options);
  EXPECT_EQ(server->admin_token(), "tok-server");
  http::request<http::string_body> reset{http::verb::post, "/admin/reset", 11};
  reset.set(http::field::host, "127.0.0.1");
  reset.prepare_payload();
  EXPECT_EQ(TestClient(server->port()).exchange(reset).response.result_int(), 401);
  reset.set(http::field::authorization, "Bearer tok-server");
  EXPECT_EQ(TestClient(server->port()).exchange(reset).response.result_int(), 200);
  // Without a token given, the server makes up one.
  auto other = start_server(fixed_config(0.0, 0.0, 1.0));
  EXPECT_THAT(other->admin_token(), testing::MatchesRegex("llmsim-admin-[0-9a-f]{32}"));
  EXPECT_NE(other->admin_token(), random_admin_token());
}

// Returns this process's virtual memory size (VmSize) in kB.
std::int64_t vm_size_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmSize:")) return std::stoll(line.substr(7));
  }
  return 0;
}

TEST(Server, ReservesNoMemoryForBodiesThatDoNotArrive) {
  // A thousand clients each announcing 8 MB and sending one byte once cost 8 GB.
  ServerOptions options;
  options.body_limit_bytes = 64ull << 20;
  auto server = start_server(fixed_config(0.0, 0.0, 1.0), options);
  const std::int64_t size_before_kb = vm_size_kb();
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(std::make_unique<TestClient>(server->port()));
    clients.back()->send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 67108864\r\n\r\n{");
  }
  ASSERT_TRUE(eventually_in_metrics(server->port(), "llmsim_open_connections 201\n"));
  // 200 x 64 MB reserved would be 12.8 GB of address space (untouched, so not resident).
  EXPECT_LT(vm_size_kb() - size_before_kb, 1'000'000);
}

TEST(Server, AnswersExpectContinueBeforeReadingTheBody) {
  auto server = start_server(fixed_config(0.0, 0.0, 1.0));
  TestClient client(server->port());
  const http::request<http::string_body> request = chat_request();
  client.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                  "Authorization: Bearer sk-test\r\nExpect: 100-continue\r\nContent-Length: " +
                  std::to_string(request.body().size()) + "\r\n\r\n");
  EXPECT_EQ(client.read_reply().response.result(), http::status::continue_);
  client.send_raw(request.body());
  EXPECT_EQ(client.read_reply().response.result_int(), 200);
}

TEST(Server, StopFinishesRequestsInProgressAndClosesIdleConnections) {
  ServerOptions options;
  options.time_scale = TimeScale(5.0);  // the 1 s first token takes 0.2 s
  auto server = start_server(fixed_config(1.0, 0.0, 1.0), options);
  TestClient idle(server->port());
  ASSERT_EQ(idle.exchange(chat_request()).response.result_int(), 200);
  Reply in_progress;
  std::thread request([&] {
    in_progress = TestClient(server->port()).exchange(chat_request());
  });
  std::this_thread::sleep_for(milliseconds(80));
  const auto stop_started = std::chrono::steady_clock::now();
  server->stop();
  request.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, milliseconds(2'000));
  EXPECT_EQ(in_progress.response.result_int(), 200);
  EXPECT_FALSE(in_progress.response.keep_alive());  // "Connection: close" while stopping
  const Reply after = idle.read_reply(milliseconds(1'000));
  EXPECT_FALSE(after.timed_out);  // closed by stop()
  EXPECT_THROW(TestClient{server->port()}, boost::system::system_error);
}

TEST(Server, StartThrowsNamingTheAddressWhenThePortIsTaken) {
  auto first = start_server(fixed_config(0.0, 0.0, 1.0));
  ServerOptions options;
  options.port = first->port();
  Server second(options, fixed_config(0.0, 0.0, 1.0), kSeed);
  EXPECT_THAT([&] { second.start(); },
              testing::ThrowsMessage<std::system_error>(
                  HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first->port()))));
}

int thread_count() {
  const auto tasks = std::filesystem::directory_iterator("/proc/self/task");
  return static_cast<int>(std::distance(begin(tasks), end(tasks)));
}

std::int64_t resident_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  return 0;
}

// Sends one chat request on its own connection; sets `status` and counts itself `finished`.
asio::awaitable<void> one_request(std::uint16_t port, int& status, int& finished) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto [connect_error] = co_await stream.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kAsTuple);
  if (connect_error) {
    ++finished;
    co_return;
  }
  const http::request<http::string_body> request = chat_request();
  auto [write_error, written] = co_await http::async_write(stream, request, kAsTuple);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  auto [read_error, read] = co_await http::async_read(stream, buffer, response, kAsTuple);
  if (!write_error && !read_error) status = response.result_int();
  ++finished;
}

struct Peak {
  int threads = 0;
  std::int64_t resident_kb = 0;
};

// Samples the thread count and resident memory every 20 ms while `running`.
asio::awaitable<void> sample(bool& running, Peak& peak) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (running) {
    peak.threads = std::max(peak.threads, thread_count());
    peak.resident_kb = std::max(peak.resident_kb, resident_kb());
    timer.expires_after(milliseconds(20));
    co_await timer.async_wait(kAsTuple);
  }
}

TEST(Server, ServesAThousandConcurrentDelayedRequestsOnAFixedThreadPool) {
  constexpr int kRequests = 1000;
  ServerOptions options;
  options.threads = 2;
  options.time_scale = TimeScale(10.0);  // each request waits 5 model seconds: 0.5 s of wall time
  auto server = start_server(fixed_config(5.0, 0.0, 1.0), options);
  ASSERT_EQ(server->thread_count(), 2);
  const int threads_before = thread_count();
  const std::int64_t resident_before = resident_kb();
  asio::io_context io;  // the clients run on this test's thread: no thread is added
  std::vector<int> statuses(kRequests, 0);
  int finished = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    asio::co_spawn(io,
                   one_request(server->port(), statuses[static_cast<std::size_t>(i)], finished),
                   asio::detached);
  }
  bool running = true;
  Peak peak;
  asio::co_spawn(io, sample(running, peak), asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (finished < kRequests) {
      timer.expires_after(milliseconds(10));
      co_await timer.async_wait(kAsTuple);
    }
    running = false;
  }, asio::detached);
  io.run_for(std::chrono::seconds(60));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), kRequests);
  EXPECT_LT(elapsed, std::chrono::seconds(20));  // one after another they would take 500 s
  EXPECT_EQ(peak.threads, threads_before);
  // Both ends of each connection (client and server coroutine, sockets, buffers) in this process.
  const std::int64_t per_connection_kb = (peak.resident_kb - resident_before) / kRequests;
  RecordProperty("resident_kb_per_connection", static_cast<int>(per_connection_kb));
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's shadow memory and quarantine inflate it
  EXPECT_LT(per_connection_kb, 64) << "resident growth per connection";
#endif
}

}  // namespace
}  // namespace llmsim::mockapi
