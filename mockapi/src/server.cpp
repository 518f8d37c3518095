// The listening socket, the thread pool, and graceful stop.
#include "mockapi/server.hpp"

#include <iostream>
#include <memory>
#include <random>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "record_proxy.hpp"
#include "session.hpp"

namespace llmsim::mockapi {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// After a failed accept (for example no file descriptor left), wait this long before the next,
// so a full table does not spin a thread.
constexpr std::chrono::milliseconds kAcceptRetryDelay{10};

// Logs an exception that escaped a coroutine; the connection it served is closed.
void log_exception(const char* where, std::exception_ptr exception) {
  if (!exception) {
    return;
  }
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& error) {
    std::cerr << "llmsim serve: " << where << ": " << error.what() << "\n";
  }
}

using IoContexts = std::vector<std::unique_ptr<asio::io_context>>;

// Accepts connections and gives them to the threads' io_contexts in turn.
asio::awaitable<void> accept_loop(SessionContext& context, tcp::acceptor& acceptor,
                                  const IoContexts& ios) {
  std::size_t next = 0;
  for (;;) {
    tcp::socket socket(*ios[next++ % ios.size()]);
    auto [error] = co_await acceptor.async_accept(socket, kAsTuple);
    if (error == asio::error::operation_aborted || !acceptor.is_open()) {
      co_return;
    }
    if (error) {
      asio::steady_timer timer(acceptor.get_executor(), kAcceptRetryDelay);
      co_await timer.async_wait(kAsTuple);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // tokens go out as soon as they are due
    auto connection = std::make_shared<Connection>(std::move(socket));
    asio::co_spawn(connection->stream.get_executor(), run_session(context, connection),
                   [](std::exception_ptr exception) { log_exception("session", exception); });
  }
}

}  // namespace

ProviderConfig default_provider_config() {
  ProviderConfig config;
  config.name = "openai";
  config.organization = "org-llmsim";
  config.models = {"gpt-3.5-turbo", "gpt-4o-mini", "gpt-4o", "text-embedding-3-small",
                   "text-embedding-ada-002"};
  config.limits.rpm = 10'000;
  config.limits.tpm = 10'000'000;
  config.latency.time_to_first_token_s = Distribution::constant(0.05);
  config.latency.per_token_s = Distribution::constant(0.005);
  config.tokens.completion_tokens = Distribution::constant(16.0);
  return config;
}

std::string random_admin_token() {
  std::random_device entropy;
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string token = "llmsim-admin-";
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t word = entropy();
    for (int shift = 28; shift >= 0; shift -= 4) token += kHex[(word >> shift) & 0xfu];
  }
  return token;
}

namespace {

ServerOptions with_admin_token(ServerOptions options) {
  if (options.admin_token.empty()) options.admin_token = random_admin_token();
  return options;
}

}  // namespace

struct Server::State {
  State(ServerOptions server_options, ProviderConfig config, std::uint64_t seed)
      : options(with_admin_token(std::move(server_options))),
        router(std::move(config), seed,
               options.created_unix_s.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                                   std::chrono::system_clock::now()
                                                       .time_since_epoch())
                                                   .count()),
               RouterOptions{.admin_token = options.admin_token,
                             .max_keys = options.max_keys,
                             .fixtures = options.fixtures,
                             .replay_speed = options.replay_speed}),
        context{router, options, stopping, registry, std::chrono::steady_clock::now()} {
    if (!options.record_from.empty()) {
      upstream.emplace(parse_upstream(options.record_from));
      context.upstream = &*upstream;
      if (!options.fixtures_out.empty()) {
        recorder = std::make_unique<Recorder>(options.fixtures_out);
        context.recorder = recorder.get();
      }
    }
  }

  ServerOptions options;
  Router router;
  std::atomic<bool> stopping{false};
  ConnectionRegistry registry;
  std::optional<Upstream> upstream;
  std::unique_ptr<Recorder> recorder;
  SessionContext context;
  // Declared last: destroyed first, while the registry and router the sessions use still exist.
  IoContexts ios;  // one per thread
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool is_running = false;
};

Server::Server(ServerOptions options, ProviderConfig config, std::uint64_t seed)
    : state_(std::make_unique<State>(std::move(options), std::move(config), seed)) {}

Server::~Server() { stop(); }

void Server::start() {
  State& state = *state_;
  const int threads = state.options.threads > 0
                          ? state.options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    // Concurrency hint 1: each io_context is run by one thread.
    state.ios.push_back(std::make_unique<asio::io_context>(1));
    state.keep_running.push_back(asio::make_work_guard(*state.ios.back()));
  }
  const std::string where = state.options.host + ":" + std::to_string(state.options.port);
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(state.options.host), state.options.port);
    state.acceptor.emplace(*state.ios.front());
    state.acceptor->open(endpoint.protocol());
    state.acceptor->set_option(asio::socket_base::reuse_address(true));
    state.acceptor->bind(endpoint);
    state.acceptor->listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& error) {
    state.acceptor.reset();
    state.keep_running.clear();
    state.ios.clear();
    throw std::system_error(error.code(), "cannot listen on " + where);
  }
  state.port = state.acceptor->local_endpoint().port();
  state.context.start = std::chrono::steady_clock::now();
  asio::co_spawn(state.acceptor->get_executor(),
                 accept_loop(state.context, *state.acceptor, state.ios),
                 [](std::exception_ptr exception) { log_exception("accept", exception); });
  for (const auto& io : state.ios) {
    state.threads.emplace_back([&io = *io] { io.run(); });
  }
  state.is_running = true;
}

std::uint16_t Server::port() const { return state_->port; }

int Server::thread_count() const { return static_cast<int>(state_->threads.size()); }

const std::string& Server::admin_token() const { return state_->options.admin_token; }

Router& Server::router() { return state_->router; }

void Server::stop() {
  State& state = *state_;
  if (!state.is_running) {
    return;
  }
  state.is_running = false;
  state.stopping = true;
  asio::post(state.acceptor->get_executor(), [&acceptor = *state.acceptor] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
  state.registry.cancel_idle();
  state.registry.wait_empty(state.options.grace_period);
  // Whatever is still running after the grace period is abandoned: its coroutine frames are
  // destroyed with the io_contexts, which closes their sockets.
  for (const auto& io : state.ios) {
    io->stop();
  }
  for (std::thread& thread : state.threads) {
    thread.join();
  }
  state.threads.clear();
  state.acceptor.reset();
  state.keep_running.clear();
  state.ios.clear();
}

}  // namespace llmsim::mockapi
