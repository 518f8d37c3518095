// The mock OpenAI server, usable in-process: Boost.Beast over Asio with C++20 coroutines.
//
// A fixed number of threads each run their own io_context (as nginx's workers each run their own
// event loop: no locks or strands between threads on the path of a request); the listening
// socket hands new connections to them in turn. Every connection is a coroutine that reads a
// request (HTTP/1.1 keep-alive, body limit, read timeout), asks the Router for a
// plan and carries it out with steady_timers: no thread ever sleeps, so ten thousand delayed
// requests cost ten thousand small coroutine frames and sockets, not threads.
//
// Time: the provider model sees `now` = time_scale.to_model(wall time since start()), and every
// delay it decides is waited for time_scale.to_wall(delay) of wall time (models/time_scale.hpp,
// the load driver's conversion too), so a scenario can run K times faster.
//
// Stopping is graceful: stop() closes the listening socket, closes idle keep-alive connections
// and hung requests, lets requests in progress finish for up to the grace period, then cancels
// what is left and joins the threads.
//
//   Server server(ServerOptions{.port = 0}, default_provider_config(), /*seed=*/1);
//   server.start();                    // throws std::system_error if the address is taken
//   std::uint16_t port = server.port();
//   ...
//   server.stop();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mockapi/router.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"
#include "models/time_scale.hpp"

namespace llmsim::mockapi {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                         // 0: an ephemeral port (see port())
  int threads = 0;                                   // 0: one per core
  TimeScale time_scale;                              // model seconds per wall second (default 1)
  std::uint64_t body_limit_bytes = 8 * 1024 * 1024;  // larger bodies get a 413
  std::chrono::milliseconds read_timeout{30'000};    // to read a whole request (and each write)
  std::chrono::milliseconds grace_period{5'000};     // for requests in progress at stop()
  bool log_requests = false;                         // one line per request on stderr
  std::optional<std::int64_t> created_unix_s;        // `created` at model time 0; default: now
  std::string admin_token;                           // for /admin routes; "": a random one
  std::size_t max_keys = kDefaultMaxKeys;            // keys whose limits are kept (no api_keys)
  std::shared_ptr<const FixtureSet> fixtures;        // answers before generated content
  double replay_speed = 1.0;                         // recorded fixtures' timing divided by it
  std::string record_from;   // "http://HOST[:PORT][/PREFIX]": relay /v1 requests there; "": no
  std::string fixtures_out;  // with record_from: where the recorded fixtures are written
};

// Returns a random admin token: "llmsim-admin-" and 32 hex digits from the system's entropy.
std::string random_admin_token();

// Returns the provider served without a scenario: gpt-3.5-turbo, gpt-4o-mini, gpt-4o and two
// embedding models; any key; generous limits (10,000 RPM and 10,000,000 TPM per key, far above
// what a development loop sends); 50 ms to the first token, 5 ms per further token; 16
// completion tokens unless max_tokens is lower; no faults unless forced by x-llmsim-fault.
ProviderConfig default_provider_config();

class Server {
 public:
  Server(ServerOptions options, ProviderConfig config, std::uint64_t seed);
  ~Server();  // stops if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on host:port and starts the threads; throws std::system_error naming the
  // address when it cannot bind. Call once.
  void start();

  // Returns the bound port (the ephemeral one when options.port was 0); 0 before start().
  std::uint16_t port() const;

  // Stops gracefully (see above) and joins the threads; does nothing when not running.
  void stop();

  // Returns the number of threads serving requests.
  int thread_count() const;

  // Returns the admin token /admin routes need (options.admin_token, or the random one).
  const std::string& admin_token() const;

  // Returns the router (metrics, config) for in-process callers.
  Router& router();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace llmsim::mockapi
