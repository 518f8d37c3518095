// Internal: one client connection as a coroutine, and what sessions share with the Server.
//
// A session is one short loop: read a request (body limit, read timeout), ask the Router for a
// plan, carry the plan out with timers, repeat while the connection is kept alive. It only moves
// bytes; every decision is in the Router. Each connection lives on one thread's io_context, so
// the server may cancel an idle or hung connection from another thread by posting to it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "mockapi/router.hpp"
#include "mockapi/server.hpp"

namespace llmsim::mockapi {

struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket)
      : stream(std::move(socket)), read_timer(stream.get_executor()) {}
  boost::beast::tcp_stream stream;
  std::string response_head;  // reused for every response's status line and headers
  // The read timeout: cancels the read (tcp_stream's own timeout would close the socket, and a
  // started request is owed a 408). The generation tells a stale expiry from the current one.
  boost::asio::steady_timer read_timer;
  std::uint64_t read_generation = 0;
  bool read_timed_out = false;
  // Touched only on the connection's thread: true while waiting for a request or hanging, when
  // a stopping server may close the connection at once.
  bool is_cancellable = false;
};

// The open connections, so stop() can close idle ones and wait for the rest.
class ConnectionRegistry {
 public:
  // Adds a connection; returns its id for remove().
  std::uint64_t add(const std::shared_ptr<Connection>& connection);

  void remove(std::uint64_t id);

  // Posts, to each connection's executor, a cancel of its pending read if it is idle or hung.
  void cancel_idle();

  // Waits until no connection is left or `timeout` passes; returns whether none is left.
  bool wait_empty(std::chrono::steady_clock::duration timeout);

 private:
  std::mutex mutex_;
  std::condition_variable empty_;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 0;
};

struct Upstream;
class Recorder;

// What every session of one server shares.
struct SessionContext {
  Router& router;
  const ServerOptions& options;
  std::atomic<bool>& stopping;
  ConnectionRegistry& registry;
  std::chrono::steady_clock::time_point start;  // wall time of model time 0
  const Upstream* upstream = nullptr;  // --record-from: /v1 requests go there (record_proxy.hpp)
  Recorder* recorder = nullptr;        // --fixtures-out

  // Returns the model time now: options.time_scale.to_model(wall time since `start`).
  TimePoint model_now() const;
};

// Serves one connection until it closes, the client goes quiet, or the server stops.
boost::asio::awaitable<void> run_session(SessionContext& context,
                                         std::shared_ptr<Connection> connection);

}  // namespace llmsim::mockapi
