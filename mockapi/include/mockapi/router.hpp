// The mock server's request handling as a plain function: (request, now) -> response plan.
//
// The Router turns an HTTP request arriving at model time `now` into a ResponsePlan: a status,
// headers and body to send after a delay, a stream of server-sent events paced by the provider
// model, a hang (never answer) or a drop (close without answering). It owns the provider model
// (one rate limiter per API key) and numbers each key's requests: the n-th request on a key is
// decided with request_id n and gets x-request-id req_<32 hex> from (seed, key, n), so a seeded
// run replays byte for byte. It never reads a clock or touches a socket; the session executes the
// plan with timers. Thread-safe: the provider model and the counters sit behind one mutex, and
// `now` is clamped so the model never sees time go backwards across threads.
//
// An "api": "anthropic" provider answers Anthropic's routes instead (mockapi/messages_api.hpp):
//   POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /v1/models/{id}
//   (a key in x-api-key or Authorization: Bearer, and an anthropic-version, required; Anthropic's
//   error bodies, request-id and
//   anthropic-ratelimit-* headers, wire/anthropic.hpp); the ops and admin routes are the same.
// Routes (anything else, or another method, is OpenAI's 404 "Invalid URL (METHOD /path)"):
//   POST /v1/chat/completions, POST /v1/completions, POST /v1/embeddings, POST /v1/responses
//   (paths from models/endpoint.hpp), GET /v1/models,
//   GET /v1/models/{id} (Bearer key required); GET /healthz, GET /metrics; POST /admin/reset,
//   GET, POST and DELETE /admin/faults (mockapi/fault_queue.hpp) (the admin token required:
//   `Authorization: Bearer TOKEN`, see check_admin()).
//
// Keys kept: without `api_keys` any key is accepted, and the Router keeps a key's limiter and
// request count for at most `max_keys` keys. A new key beyond that makes room by forgetting the
// keys whose limiters a new one would equal (every bucket full), so no client's limits change;
// when none can go, the new key gets a 503 (too_many_keys) and no sweep runs for a model second.
// A forgotten key seen again numbers its requests from 0 again (its x-request-id repeat).
// Order of checks, as OpenAI: route, key (401), x-llmsim-fault (400), body (400), model (404),
// then the provider model (429, 500, 503, hang, drop, or the completion).
//
//   Router router(config, /*seed=*/42, /*created_unix_s=*/1700000000);
//   ResponsePlan plan = router.handle(HttpRequest{.method = "POST", .target = "/v1/embeddings",
//                                                 .authorization = "Bearer sk-1", .body = body},
//                                     now);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mockapi/fault_queue.hpp"
#include "mockapi/metrics.hpp"
#include "wire/openai_errors.hpp"
#include "mockapi/sse.hpp"
#include "models/endpoint.hpp"
#include "models/fixtures.hpp"
#include "models/provider_model.hpp"
#include "models/scenario.hpp"
#include "models/time.hpp"

namespace llmsim::mockapi {

// What the router reads from an HTTP request.
struct HttpRequest {
  std::string method;                      // "GET", "POST", ...
  std::string target;                      // "/v1/chat/completions"; a query string is ignored
  std::string authorization;               // the Authorization header; "" when absent
  std::optional<std::string> api_key;      // x-api-key (Anthropic's key header)
  std::optional<std::string> anthropic_version;  // anthropic-version
  std::optional<std::string> fault;        // x-llmsim-fault
  std::optional<std::string> retry_count;  // x-stainless-retry-count
  // x-llmsim-request-id: names the request's random streams instead of the key's request count,
  // so `llmsim load` gets the draws the simulator makes for the same request.
  std::optional<std::string> stream_id;
  std::string body;
};

// Response headers: (name, value) in order. Names are string literals (static storage, lower
// case), so a plan copies no header name.
using HeaderList = std::vector<std::pair<std::string_view, std::string>>;

enum class PlanKind {
  respond,  // wait `delay`, then send status, headers and body
  stream,   // 200 with server-sent events, each after its own delay
  hang,     // never answer; keep the connection until the client gives up
  drop,     // wait `delay`, then close the connection without a response
};

struct ResponsePlan {
  PlanKind kind = PlanKind::respond;
  int status = 200;
  HeaderList headers;                  // in order, names lower-case; content-type included
  std::string body;                    // respond
  Duration delay{0};                   // respond, drop: model time before answering or closing
  std::optional<StreamPlan> stream;    // stream
  std::string_view endpoint;           // metrics label (static): "chat.completions", "responses", "models", ...
  std::string key;                     // the request's API key ("" when none or rejected)

  // Returns the status for metrics and logs: "200", "429", ..., "hung" or "dropped".
  std::string status_label() const;

  // Returns the value of header `name`, or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// Keys kept without `api_keys` (llmsim serve --max-keys).
inline constexpr std::size_t kDefaultMaxKeys = 10'000;

struct RouterOptions {
  std::string admin_token;                // "": every admin request is refused
  std::size_t max_keys = kDefaultMaxKeys;  // keys whose limits are kept (without api_keys)
  std::shared_ptr<const FixtureSet> fixtures;  // rules answering before generated content
  double replay_speed = 1.0;              // recorded fixtures' timing is divided by this (> 0)
};

class Router {
 public:
  // Serves `config`'s models and limits; `created_unix_s` is the Unix time of model time 0 (the
  // `created` field of bodies is created_unix_s + whole seconds of `now`).
  Router(ProviderConfig config, std::uint64_t seed, std::int64_t created_unix_s,
         RouterOptions options = {});

  // Returns the plan for `request` arriving at model time `now`.
  ResponsePlan handle(const HttpRequest& request, TimePoint now);

  // Returns the 413 for a request whose body is over `limit_bytes` (only the head was read).
  ResponsePlan body_too_large(std::uint64_t limit_bytes);

  // Returns the 400 for bytes that do not parse as HTTP (or a body length that cannot be known).
  ResponsePlan malformed_request();

  // Returns the 431 for a request head over the header limit.
  ResponsePlan header_too_large();

  // Returns the 400 for an HTTP/1.1 request without Host.
  ResponsePlan missing_host();

  // Returns the 501 for a transfer coding other than chunked.
  ResponsePlan unsupported_transfer_coding();

  // Returns the 408 for a request not read whole within `timeout`.
  ResponsePlan request_timeout(std::chrono::milliseconds timeout);

  // Returns the 500 for a request whose handling failed (a bug, answered all the same).
  ResponsePlan internal_error();

  // Returns nullopt when `request` carries the admin token, else the 401 to send. Every admin
  // route calls it first.
  std::optional<ResponsePlan> check_admin(const HttpRequest& request, TimePoint now);

  // Returns the number of keys whose limits and request count are kept now.
  std::size_t key_count();

  Metrics& metrics() { return metrics_; }
  const ProviderConfig& config() const { return config_; }

 private:
  struct Context;  // one request's key, number, id and time

  Context begin(const std::string& key, TimePoint now);
  ResponsePlan transport_plan(const wire::ApiError& error);
  bool keep_key(const std::string& key, TimePoint now);
  void forget_fresh_keys();
  ResponsePlan error_plan(const Context& context, const wire::ApiError& error);
  ResponsePlan handle_v1(const HttpRequest& request, std::string_view endpoint, TimePoint now);
  ResponsePlan dispatch_v1(const Context& context, const HttpRequest& request,
                           std::string_view endpoint);
  ResponsePlan handle_models(const Context& context, std::string_view path);
  ResponsePlan handle_chat(const Context& context, const HttpRequest& request,
                           Endpoint endpoint);
  ResponsePlan handle_responses(const Context& context, const HttpRequest& request);
  ResponsePlan handle_embeddings(const Context& context, const HttpRequest& request);
  // An "api": "anthropic" provider's routes (POST /v1/messages, /v1/messages/count_tokens,
  // GET /v1/models): x-api-key and anthropic-version checked, Anthropic's bodies and headers.
  ResponsePlan handle_anthropic(const HttpRequest& request, std::string_view path, TimePoint now);
  ResponsePlan anthropic_messages(const Context& context, const HttpRequest& request);
  ResponsePlan handle_ops(const HttpRequest& request, std::string_view endpoint, TimePoint now);
  ResponsePlan metrics_plan(const Context& context, TimePoint now);
  Decision decide(ProviderRequest request, TimePoint now);
  // One request through the provider model: `provider_request` (the body's figures) gets the
  // context's key, stream id and attempt, the header's fault and the first matching queued fault
  // (its delay added to the first token), and, `with_fixtures`, the fixture that answers it.
  struct Decided {
    ProviderRequest request;
    Decision decision;
    const Fixture* fixture = nullptr;
  };
  Decided decide_request(const Context& context, const HttpRequest& request,
                         std::string_view endpoint, ProviderRequest provider_request,
                         bool with_fixtures = true);
  // Returns the fixture rule answering `request` on `endpoint`, or nullptr; an error answer
  // keeps the provider's random faults off `provider_request` (router_fixtures.cpp).
  // Applies the first queued fault matching the request (none when x-llmsim-fault forces one);
  // returns the extra time to the first token a "slow" rule with latency_ms adds.
  Duration apply_queued_fault(std::string_view endpoint, ProviderRequest& provider_request,
                              const HttpRequest& request);
  // Answers GET, POST and DELETE /admin/faults (the admin token already checked).
  ResponsePlan handle_faults(const HttpRequest& request, TimePoint now);
  const Fixture* find_fixture(std::string_view endpoint, const HttpRequest& request,
                              ProviderRequest& provider_request) const;
  bool has_model(const std::string& model) const;
  // Returns model time `now` as time since the Unix epoch (created_unix_s is model time 0).
  TimePoint unix_time(TimePoint now) const;

  const ProviderConfig config_;
  const std::uint64_t seed_;
  const std::int64_t created_unix_s_;
  const RouterOptions options_;
  Metrics metrics_;
  FaultQueue faults_;
  std::mutex mutex_;                               // guards what follows
  ProviderModel provider_;
  std::map<std::string, std::uint64_t> counters_;  // requests seen per key kept
  std::uint64_t anonymous_count_ = 0;              // requests without an accepted key
  TimePoint latest_{};                             // the latest `now` given to the model
  TimePoint next_sweep_{};                         // no sweep for room before this
};

}  // namespace llmsim::mockapi
