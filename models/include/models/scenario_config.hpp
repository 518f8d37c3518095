// A scenario's in-memory form: the plain configuration structs of a study (providers, client,
// request mix, workload, thresholds), without the loader.
//
// Every field, its unit and its default is documented in data/README.md. The loader
// (models/scenario.hpp) fills these from a JSON file and rejects what a user wrote wrongly;
// code that only reads a configuration (the provider model, the client model, the mock server)
// includes this header alone. Defaults here are the documented defaults of an absent field.
//
//   ProviderConfig provider;
//   provider.limits.rpm = 500;
//   ProviderModel model(provider, seed);   // models/provider_model.hpp
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/distribution.hpp"
#include "models/endpoint.hpp"
#include "models/rate_limiter.hpp"

namespace llmsim {

// --- provider ---------------------------------------------------------------------------------

struct LatencyConfig {
  Distribution time_to_first_token_s = Distribution::constant(0.0);  // admitted requests
  Distribution per_token_s = Distribution::constant(0.0);            // per output token after the first, drawn once per request
  Distribution refused_s = Distribution::constant(0.0);              // 429s and other errors: time to the whole response
};

struct TokenConfig {
  // Completion tokens when the request does not pin them; capped by max_tokens.
  Distribution completion_tokens = Distribution::constant(16.0);
};

// Probabilities per admitted request; their sum must be <= 1.
struct FaultConfig {
  double server_error = 0.0;     // 500 server_error
  double overloaded = 0.0;       // 503 "That model is currently overloaded ..."
  double timeout = 0.0;          // hangs: never answers; the client's timeout fires
  double drop_mid_stream = 0.0;  // connection closed after half the tokens
  double quota_exhausted = 0.0;  // 429 insufficient_quota
  double slow_first_byte = 0.0;  // first token delayed by slow_first_byte_s
  Distribution slow_first_byte_s = Distribution::constant(10.0);
};

// Units of each limit already used when the run starts (for example earlier traffic today).
struct InitialUsage {
  std::int64_t requests_today = 0;
  std::int64_t tokens_today = 0;
};

// The wire format a provider speaks; the provider model behind it is the same.
enum class ProviderApi { openai, anthropic };

// Returns "openai" or "anthropic", as scenario files write it.
const char* api_name(ProviderApi api);

struct ProviderConfig {
  std::string name = "openai";
  ProviderApi api = ProviderApi::openai;
  std::string organization = "org-llmsim";
  std::vector<std::string> models = {"gpt-3.5-turbo"};  // models this provider serves (one limit group)
  RateLimits limits;
  // Where published limits came from: "gpt-4o-mini tier 1, data/limits/openai.json, as of 2025-01
  // (2025, model page)"; none when the scenario gives only explicit numbers.
  std::optional<std::string> limits_source;
  InitialUsage initial_usage;
  LatencyConfig latency;
  TokenConfig tokens;
  FaultConfig faults;
  std::vector<std::string> api_keys;  // empty: any key is accepted (mock server)
  bool send_retry_after_ms = false;   // also send retry-after-ms (Azure does; OpenAI does not)
  int embedding_dimensions = 1536;
  // Share of choices that call a tool under tool_choice "auto" (the rest answer in text).
  double tool_call_share = 0.8;
  // A fixtures file for `llmsim serve` (models/fixtures.hpp), resolved against the scenario's
  // folder; "" when none. Only the mock server reads it.
  std::string fixtures;
};

// --- client -----------------------------------------------------------------------------------

struct RetryConfig {
  int max_retries = 0;                       // 0: no retries
  double initial_backoff_s = 0.5;            // SDK: min(0.5 * 2^n, 8) * (1 - 0.25 * U)
  double max_backoff_s = 8.0;
  double jitter = 0.25;
  bool honor_retry_after = true;             // use retry-after-ms / retry-after when present
  double max_retry_after_s = 60.0;           // above this, fall back to backoff (node SDK)
  bool retry_on_429 = true;
  bool retry_on_5xx = true;
  bool retry_on_timeout = true;
  bool retry_on_connection_error = true;
};

// How the client's CPU serves its jobs: first come, first served on `cores` servers, or as an
// event loop (Python asyncio) where every ready task's step shares the loop (processor sharing).
enum class CpuDiscipline : std::uint8_t { fifo, event_loop };

// The client's own CPU as a resource (optional): `cores` servers, costs per event.
struct CpuConfig {
  bool enabled = false;
  int cores = 1;
  CpuDiscipline discipline = CpuDiscipline::fifo;
  double per_start_ms = 0.0;       // to build an attempt, before it waits for a connection
  double per_connection_ms = 0.0;  // to open a connection (the TLS handshake's client work)
  double per_request_ms = 0.0;     // to send a request on a connection (JSON, syscalls)
  double per_response_ms = 0.0;    // to receive and handle a response
};

struct NetworkConfig {
  double rtt_ms = 0.0;                   // one round trip between client and API
  // Opening a connection: round trips before the first request can go (TCP 1, TLS 1.2 2 more,
  // TLS 1.3 1 more); 0 with no per_connection_ms keeps connections free, as if always open.
  int connect_round_trips = 0;
  // An idle connection closes after this long and the next use opens a new one (aiohttp 15 s);
  // unset: open connections stay open.
  std::optional<double> keepalive_s;
  std::int64_t request_overhead_bytes = 300;   // HTTP headers and JSON framing of a request
  // A response's head and success framing together; unset: as the provider's API sends them
  // (wire::response_sizes: OpenAI's whole chat completion 460 + 540).
  std::optional<std::int64_t> response_overhead_bytes;
};

// Failures that send an attempt elsewhere (the next provider, or the local model).
struct RouteTriggers {
  bool rate_limit = false;        // any 429 but "request too large" (limits, daily, quota)
  bool server_error = false;      // 5xx
  bool timeout = false;           // the client's timeout fired
  bool connection_error = false;  // refused, reset or closed mid-response
};

enum class KeyChoice { first, round_robin, least_loaded };
enum class ProviderChoice { first, failover, round_robin, least_loaded };

// Several API keys and several providers (data/README.md, "ROUTING"). The defaults are the
// behaviour without routing: every request goes to the first provider with its first key.
struct RoutingConfig {
  KeyChoice key_choice = KeyChoice::first;            // among a provider's api_keys
  ProviderChoice providers = ProviderChoice::first;   // where a request's first attempt goes
  // A failed attempt with one of these goes to the next provider at once (not with "first").
  RouteTriggers failover_on{true, true, true, true};
};

// A local model that serves requests the providers refused (data/README.md, "LOCAL_FALLBACK").
struct LocalFallbackConfig {
  RouteTriggers on;                                  // failures it takes over
  int concurrency = 1;                               // requests served at once; more fall through
  Distribution time_to_first_token_s = Distribution::constant(0.0);
  Distribution per_token_s = Distribution::constant(0.0);
  std::optional<Distribution> completion_tokens;     // none: the first provider's
};

// Strategies (optional; see data/README.md "Strategies"). Each is off when absent.

// A bounded waiting line in front of the provider: attempts wait there for a connection (and a
// pacing slot) and are shed when it is full or their wait passes max_wait_s.
struct QueueConfig {
  int max_length = 0;                    // attempts that may wait at once (0: none may wait)
  std::optional<double> max_wait_s;      // none: wait as long as it takes
};

// A limiter in the client with the provider's bucket model (GCRA) that holds each attempt until
// it may be sent. At least one of the two limits is set.
struct PacingConfig {
  std::optional<std::int64_t> requests_per_minute;
  std::optional<std::int64_t> tokens_per_minute;
  bool learn_from_headers = false;       // lower the bucket to the x-ratelimit-remaining-* seen
};

// A response cache in the client: hits are answered locally after `latency_s` and never reach the
// provider. Either a plain hit ratio, or keyed by prompt over `distinct_prompts` prompts of Zipf
// popularity, with an optional TTL and LRU capacity.
struct CacheConfig {
  std::optional<double> hit_ratio;            // set: ratio mode; none: keyed mode
  std::int64_t distinct_prompts = 1;
  double zipf_exponent = 1.0;
  std::optional<double> ttl_s;                // none: entries never expire
  std::optional<std::int64_t> capacity;       // entries kept (LRU); none: unbounded
  Distribution latency_s = Distribution::constant(0.001);
};

// Priority classes: each user is VIP with probability vip_share; VIP attempts leave the waiting
// line first.
struct PriorityConfig {
  double vip_share = 0.0;
};

struct ClientConfig {
  int connections = 100;                 // connection pool size (aiohttp's default is 100)
  std::optional<double> timeout_s;       // per attempt; none: wait forever
  RetryConfig retry;
  CpuConfig cpu;
  NetworkConfig network;
  RoutingConfig routing;
  std::optional<LocalFallbackConfig> local_fallback;  // none: no local model
  std::optional<QueueConfig> queue;
  std::optional<PacingConfig> pacing;
  std::optional<CacheConfig> cache;
  std::optional<PriorityConfig> priority;
};

// --- request mix ------------------------------------------------------------------------------

struct RequestConfig {
  Endpoint endpoint = Endpoint::chat_completions;
  std::string model = "gpt-3.5-turbo";
  std::int64_t prompt_tokens = 20;             // estimated from `prompt` when that is given
  std::optional<std::string> prompt;
  std::optional<std::int64_t> max_tokens;
  bool stream = false;
};

// --- workload ---------------------------------------------------------------------------------

enum class StartMode { all_at_once, ramp, poisson, constant_rate };

struct Phase {
  std::string name;
  int users = 1;
  StartMode start = StartMode::all_at_once;
  double ramp_s = 0.0;                    // ramp: users start evenly over this many seconds
  double rate_per_s = 0.0;                // poisson / constant_rate: arrivals per second
  std::optional<int> requests_per_user;   // closed loop: requests each user sends in turn
  std::optional<double> duration_s;       // stop issuing new requests after this long
  Distribution think_time_s = Distribution::constant(0.0);
  double gap_before_s = 0.0;              // pause between the previous phase's end and this one
};

struct Workload {
  std::vector<Phase> phases;
};

// --- thresholds -------------------------------------------------------------------------------

struct Threshold {
  std::string metric;   // "success_rate", "latency_s.p95", "throughput_rps", "errors.rate_limit_requests" ...
  std::string op;       // "<", "<=", ">", ">=", "=="
  double value = 0.0;
  std::optional<std::string> phase;  // none: the total
  std::string text;     // as written, for the report
};

struct Scenario {
  std::string path;           // file it was loaded from
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::vector<ProviderConfig> providers;  // at least one; client.routing says which serve
  ClientConfig client;
  RequestConfig request;
  Workload workload;
  std::vector<Threshold> thresholds;
};

// The routing facts both drivers share (defined with the routing reader, scenario_routing.cpp).

// Returns the number of providers requests may go to: all with routing, else only the first.
std::size_t routed_provider_count(const Scenario& scenario);

// Returns the seed of provider `index`'s random streams: the scenario's seed for the first (so a
// scenario without routing draws as before), mixed with the provider's name for the others so
// that two providers never share draws. The mock server started for a provider uses the same.
std::uint64_t provider_seed(std::uint64_t seed, const std::vector<ProviderConfig>& providers,
                            std::size_t index);

// Returns whether the run counts attempts per provider, key and local model for the report
// (routing or a local fallback configured).
bool has_routing(const Scenario& scenario);

}  // namespace llmsim
