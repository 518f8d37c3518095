// The connection coroutine: read, plan, wait, write; repeat while kept alive.
#include "session.hpp"

#include <array>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include "wire/json_text.hpp"
#include "mockapi/request_reader.hpp"
#include "mockapi/response_head.hpp"
#include "record_proxy.hpp"

namespace llmsim::mockapi {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHangReadBytes = 512;  // scratch space while waiting for a hung client
constexpr int kHttp11 = 11;

// Removes the connection from the registry and the gauge when the session ends, however it ends.
class RegistryEntry {
 public:
  RegistryEntry(SessionContext& context, const std::shared_ptr<Connection>& connection)
      : context_(context), id_(context.registry.add(connection)) {
    context_.router.metrics().add_connections(1);
  }
  ~RegistryEntry() {
    context_.router.metrics().add_connections(-1);
    context_.registry.remove(id_);
  }
  RegistryEntry(const RegistryEntry&) = delete;
  RegistryEntry& operator=(const RegistryEntry&) = delete;

 private:
  SessionContext& context_;
  std::uint64_t id_;
};

// Counts a request in flight for as long as it lives, however the request ends.
class InFlight {
 public:
  explicit InFlight(Metrics& metrics) : metrics_(metrics) { metrics_.add_in_flight(1); }
  ~InFlight() { metrics_.add_in_flight(-1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Metrics& metrics_;
};

// Arms the connection's read timeout for one request; disarms it when destroyed. On expiry the
// pending read is cancelled and read_timed_out is set.
class ReadDeadline {
 public:
  ReadDeadline(const std::shared_ptr<Connection>& connection, std::chrono::milliseconds timeout)
      : connection_(*connection) {
    const std::uint64_t generation = ++connection_.read_generation;
    connection_.read_timed_out = false;
    connection_.stream.expires_never();
    connection_.read_timer.expires_after(timeout);
    connection_.read_timer.async_wait([connection, generation](const beast::error_code& error) {
      if (error || connection->read_generation != generation) return;
      connection->read_timed_out = true;
      connection->stream.cancel();
    });
  }
  ~ReadDeadline() {
    ++connection_.read_generation;
    connection_.read_timer.cancel();
  }
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;

 private:
  Connection& connection_;
};

template <class Body>
void set_headers(http::response<Body>& response, const ResponsePlan& plan, bool keep_alive) {
  for (const auto& [name, value] : plan.headers) {
    response.set(name, value);
  }
  response.set(http::field::server, "llmsim");
  response.keep_alive(keep_alive);
}

// Adds the server's time scale to a response's headers (see kTimeScaleHeader).
void add_time_scale_header(const SessionContext& context, ResponsePlan& plan) {
  plan.headers.emplace_back(kTimeScaleHeader, context.options.time_scale.text());
}

asio::awaitable<void> wait_for(const SessionContext& context, Duration model_delay) {
  if (model_delay <= Duration::zero()) {
    co_return;
  }
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(context.options.time_scale.to_wall(model_delay));
  co_await timer.async_wait(kAsTuple);
}

// Writes a whole response, head and body in one gather write; returns whether the connection
// stays open.
asio::awaitable<bool> send_response(const SessionContext& context, Connection& connection,
                                    const ResponsePlan& plan, unsigned version, bool keep_alive) {
  write_response_head(connection.response_head, plan.status, version, plan.headers, keep_alive,
                      plan.body.size());
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(connection.response_head),
                                                     asio::buffer(plan.body)};
  connection.stream.expires_after(context.options.read_timeout);
  auto [error, bytes] = co_await asio::async_write(connection.stream, buffers, kAsTuple);
  co_return !error && keep_alive;
}

// Waits until `deadline` (wall time); stream events are paced from one start, so a timer's own
// lateness does not add up over hundreds of tokens.
asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(deadline);
  co_await timer.async_wait(kAsTuple);
}

// Writes the server-sent events of a stream as HTTP chunks, events due at the same time
// together; returns whether the connection stays open (not after a drop).
asio::awaitable<bool> send_stream(const SessionContext& context, Connection& connection,
                                  const ResponsePlan& plan, unsigned version,
                                  bool wants_keep_alive) {
  const StreamPlan& stream = *plan.stream;
  http::response<http::empty_body> response{http::status::ok, version};
  http::response_serializer<http::empty_body> serializer(response);
  bool is_head_sent = false;
  std::string pending;
  const auto flush = [&]() -> asio::awaitable<bool> {
    connection.stream.expires_after(context.options.read_timeout);
    if (!is_head_sent) {
      set_headers(response, plan, wants_keep_alive && !context.stopping);
      response.chunked(true);
      auto [error, bytes] = co_await http::async_write_header(connection.stream, serializer,
                                                              kAsTuple);
      if (error) co_return false;
      is_head_sent = true;
    }
    auto [error, bytes] =
        co_await asio::async_write(connection.stream, http::make_chunk(asio::buffer(pending)),
                                   kAsTuple);
    pending.clear();
    co_return !error;
  };
  const std::size_t count = event_count(stream);
  auto deadline = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    StreamEvent event = stream_event(stream, i);
    if (event.delay > Duration::zero()) {
      if (!pending.empty() && !co_await flush()) co_return false;
      deadline += context.options.time_scale.to_wall(event.delay);
      co_await wait_until(deadline);
    }
    pending += event.data;
  }
  if (!co_await flush() || stream.drop_after_tokens) {
    co_return false;
  }
  auto [error, bytes] = co_await asio::async_write(connection.stream, http::make_chunk_last(),
                                                   kAsTuple);
  co_return !error && response.keep_alive();
}

// Keeps a hung request's connection open, discarding input, until the client closes it.
asio::awaitable<void> hang(const SessionContext& context, Connection& connection) {
  connection.is_cancellable = true;
  if (context.stopping) {
    co_return;
  }
  connection.stream.expires_never();
  std::array<char, kHangReadBytes> scratch{};
  for (;;) {
    auto [error, bytes] = co_await connection.stream.async_read_some(asio::buffer(scratch),
                                                                     kAsTuple);
    if (error) co_return;
  }
}

// Carries out a plan; returns whether the connection stays open.
asio::awaitable<bool> execute(SessionContext& context, Connection& connection, ResponsePlan& plan,
                              unsigned version, bool wants_keep_alive) {
  switch (plan.kind) {
    case PlanKind::respond:
      co_await wait_for(context, plan.delay);
      co_return co_await send_response(context, connection, plan, version,
                                       wants_keep_alive && !context.stopping);
    case PlanKind::stream:
      co_return co_await send_stream(context, connection, plan, version, wants_keep_alive);
    case PlanKind::hang:
      co_await hang(context, connection);
      co_return false;
    case PlanKind::drop:
      co_await wait_for(context, plan.delay);
      co_return false;
  }
  co_return false;
}

void log_request(const HttpRequest& request, const ResponsePlan& plan, double seconds) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t time = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::ostringstream line;
  line << std::put_time(&utc, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0')
       << millis << "Z " << (request.method.empty() ? "-" : request.method) << ' '
       << (request.target.empty() ? "-" : request.target) << ' ' << plan.status_label()
       << " key=" << (plan.key.empty() ? "-" : wire::mask_key(plan.key)) << ' ' << std::fixed
       << std::setprecision(3) << seconds << "s\n";
  std::cerr << line.str() << std::flush;  // one write per line, so threads do not interleave
}

// Handles one request read from the connection; returns whether the connection stays open.
asio::awaitable<bool> serve_request(SessionContext& context, Connection& connection,
                                    const HttpRequest& request, unsigned version,
                                    bool wants_keep_alive) {
  const auto started = std::chrono::steady_clock::now();
  Metrics& metrics = context.router.metrics();
  const InFlight in_flight(metrics);
  ResponsePlan plan;
  if (context.upstream != nullptr && request.target.starts_with("/v1/")) {
    const bool keep = co_await proxy_request(context, connection, request, version, wants_keep_alive);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.record("proxy", "relayed", seconds);
    co_return keep;
  }
  try {
    plan = context.router.handle(request, context.model_now());
  } catch (const std::exception& error) {
    // A bug, not the client's fault; the client still gets an answer and the gauges go down.
    std::cerr << "llmsim serve: " << request.method << " " << wire::valid_utf8(request.target) << ": "
              << error.what() << "\n";
    plan = context.router.internal_error();
  }
  add_time_scale_header(context, plan);
  const bool keep_alive = co_await execute(context, connection, plan, version, wants_keep_alive);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics.record(plan.endpoint, plan.status_label(), seconds);
  if (context.options.log_requests) {
    log_request(request, plan, seconds);
  }
  co_return keep_alive;
}

// Answers a request that could not be read or must not be served (400, 408, 413, 431, 501),
// then the connection closes.
asio::awaitable<void> refuse(SessionContext& context, Connection& connection,
                             const HttpRequest& request, ResponsePlan plan) {
  const auto started = std::chrono::steady_clock::now();
  add_time_scale_header(context, plan);
  co_await send_response(context, connection, plan, kHttp11, /*keep_alive=*/false);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  context.router.metrics().record(plan.endpoint, plan.status_label(), seconds);
  if (context.options.log_requests) {
    log_request(request, plan, seconds);
  }
}

// Reads one request within the read timeout. Until its head arrives the connection is idle (a
// stopping server may close it); `Expect: 100-continue` (curl sends it for larger bodies) is
// answered before the body is read.
// A head that must be refused is returned as http::error::bad_value, with nothing more read.
asio::awaitable<beast::error_code> read_request(const SessionContext& context,
                                                const std::shared_ptr<Connection>& shared,
                                                beast::flat_buffer& buffer,
                                                RequestReader& parser) {
  Connection& connection = *shared;
  const ReadDeadline deadline(shared, context.options.read_timeout);
  connection.is_cancellable = true;
  auto [error, bytes] = co_await http::async_read_header(connection.stream, buffer, parser,
                                                         kAsTuple);
  connection.is_cancellable = false;
  if (error) {
    co_return error;
  }
  if (parser.head_refusal() != HeadRefusal::none) {
    co_return http::error::bad_value;
  }
  if (parser.expects_continue()) {
    http::response<http::empty_body> proceed{http::status::continue_, parser.version()};
    auto [write_error, written] = co_await http::async_write(connection.stream, proceed, kAsTuple);
    if (write_error) {
      co_return write_error;
    }
  }
  auto [body_error, body_bytes] = co_await http::async_read(connection.stream, buffer, parser,
                                                            kAsTuple);
  co_return body_error;
}

bool is_malformed(const beast::error_code& error) {
  return error.category() == http::make_error_code(http::error::bad_target).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message;
}

// Returns the plan refusing a request that could not be read or served, or nullopt when the
// connection just closes (the client closed it, or went quiet before starting a request, or the
// server is stopping).
std::optional<ResponsePlan> refusal_for(SessionContext& context, const Connection& connection,
                                        const beast::error_code& error,
                                        const RequestReader& parser,
                                        const beast::flat_buffer& buffer) {
  Router& router = context.router;
  if (error == http::error::body_limit) return router.body_too_large(context.options.body_limit_bytes);
  if (error == http::error::header_limit) return router.header_too_large();
  if (error == http::error::bad_value && parser.is_header_done()) {
    switch (parser.head_refusal()) {
      case HeadRefusal::missing_host: return router.missing_host();
      case HeadRefusal::unsupported_coding: return router.unsupported_transfer_coding();
      case HeadRefusal::chunked_not_final: return router.malformed_request();
      case HeadRefusal::none: break;
    }
  }
  if (connection.read_timed_out && (parser.got_some() || buffer.size() > 0)) {
    return router.request_timeout(context.options.read_timeout);
  }
  if (is_malformed(error)) return router.malformed_request();
  return std::nullopt;
}


}  // namespace

TimePoint SessionContext::model_now() const {
  return TimePoint{} + options.time_scale.to_model(
                           std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start));
}

asio::awaitable<void> run_session(SessionContext& context, std::shared_ptr<Connection> connection) {
  const RegistryEntry entry(context, connection);
  beast::flat_buffer buffer;
  HttpRequest request;  // reused: its strings keep their capacity from request to request
  bool keep_alive = true;
  while (keep_alive && !context.stopping) {
    RequestReader parser(request);
    parser.body_limit(context.options.body_limit_bytes);
    const beast::error_code error = co_await read_request(context, connection, buffer, parser);
    connection->is_cancellable = false;
    if (error) {
      // Refused or timed-out requests get their answer; otherwise the client closed, went quiet
      // between requests, or the server is stopping.
      if (auto plan = refusal_for(context, *connection, error, parser, buffer)) {
        co_await refuse(context, *connection, request, *plan);
      }
      break;
    }
    keep_alive = co_await serve_request(context, *connection, request, parser.version(),
                                        parser.keep_alive());
  }
  beast::error_code ignored;
  connection->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

std::uint64_t ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(next_id_, connection);
  return next_id_++;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
  if (connections_.empty()) {
    empty_.notify_all();
  }
}

void ConnectionRegistry::cancel_idle() {
  std::lock_guard lock(mutex_);
  for (const auto& [id, weak] : connections_) {
    if (std::shared_ptr<Connection> connection = weak.lock()) {
      asio::post(connection->stream.get_executor(), [connection] {
        if (connection->is_cancellable) {
          connection->stream.cancel();
        }
      });
    }
  }
}

bool ConnectionRegistry::wait_empty(std::chrono::steady_clock::duration timeout) {
  std::unique_lock lock(mutex_);
  return empty_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

}  // namespace llmsim::mockapi
