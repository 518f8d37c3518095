// The provider model: what an OpenAI-compatible API does with a request arriving at `now`.
//
// One model, two faces: the simulator calls it in memory; the mock server calls the same code
// and turns the Decision into HTTP. It is pure in the sense of DESIGN.md: time comes in as `now`,
// randomness from streams named (seed, purpose, request id, attempt), and it never reads a clock
// or touches a socket. Its only state is the rate limiters, one per (API key, limit group).
//
// Order of the decision: rate limits (refusal: 429 with which limit and wait; too large), then
// faults (quota, 500, 503, hang, drop, slow first byte), then the completion: tokens, time to
// first token and per-token time.
//
//   ProviderModel provider(config, seed);
//   Decision d = provider.decide(ProviderRequest{.key = "k", .prompt_tokens = 30,
//                                                .request_id = 7, .attempt = 0}, now);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/rate_limiter.hpp"
#include "models/scenario_config.hpp"
#include "models/time.hpp"

namespace llmsim {

enum class Outcome {
  ok,
  rate_limited,     // 429 rate_limit_exceeded (refused_by says which limit)
  too_large,        // 429 "Request too large"
  quota_exhausted,  // 429 insufficient_quota
  server_error,     // 500
  overloaded,       // 503
  hang,             // never answers
  drop_mid_stream,  // connection closed after some tokens
};

// Returns a stable name: "ok", "rate_limited", "too_large", "quota_exhausted", "server_error" ...
const char* outcome_name(Outcome outcome);

// Fault kinds a caller can force (the mock server's x-llmsim-fault header).
std::optional<Outcome> parse_forced_fault(std::string_view text);

struct ProviderRequest {
  std::string key = "default";      // API key: each key is its own account
  std::string model;                // empty: the provider's first model
  std::int64_t prompt_tokens = 0;
  std::optional<std::int64_t> max_tokens;
  int n = 1;                        // choices; completion tokens are per choice
  bool is_embedding = false;        // no completion tokens
  std::uint64_t request_id = 0;     // names the random streams, with `attempt`
  std::uint32_t attempt = 0;
  // Force this outcome (x-llmsim-fault): rate_limited skips the limiter and refuses as if the
  // requests bucket were empty; any other outcome still goes through admission first.
  std::optional<Outcome> forced;
  // The limit a forced rate_limited reports (a queued 429 naming one); nullopt: RPM, else TPM.
  // The provider must have that limit (the caller checks); its wait is one unit of its window.
  std::optional<LimitKind> forced_limit;
  bool force_slow_first_byte = false;  // x-llmsim-fault: slow
};

struct Decision {
  Outcome outcome = Outcome::ok;
  Admission admission;              // the limiter's answer and x-ratelimit-* values
  // ok / drop / slow: time from arrival to the first token, and between further tokens.
  Duration time_to_first_token{0};
  Duration per_token{0};
  std::int64_t prompt_tokens = 0;
  int choices = 1;                     // n
  std::int64_t completion_tokens = 0;  // total over the n choices (each has the same length)
  std::int64_t tokens_before_drop = 0; // drop_mid_stream: tokens sent before the close
  // refusals and errors: time from arrival to the whole response.
  Duration error_delay{0};

  // Returns the time from arrival until the last byte of the response (hang: Duration::max()).
  Duration total_time() const;

  // Returns the completion tokens of one choice.
  std::int64_t completion_tokens_per_choice() const { return completion_tokens / choices; }
};

// The API key a client uses against a provider when none is given: the provider's first
// configured key, else "sk-llmsim" (any key is accepted then). The key names the account's
// limiter and its random streams, so the simulator and `llmsim load` use the same one.
std::string default_api_key(const ProviderConfig& config);

// Returns what `request` costs the rate limits: OpenAI's token estimate (request_token_cost) on
// TPM and TPD; Anthropic's input (the prompt) on ITPM and output estimate (max_tokens per
// choice) on OTPM; one request on RPM and RPD.
RequestCost request_cost(const ProviderRequest& request);

class ProviderModel {
 public:
  ProviderModel(ProviderConfig config, std::uint64_t seed);

  // Decides what happens to `request` arriving at `now` and updates the limiter of its key.
  Decision decide(const ProviderRequest& request, TimePoint now);

  // Returns the x-ratelimit-* values of a key at `now` without changing anything.
  RateLimitHeaders headers(const std::string& key, TimePoint now);

  // Returns each limiter's levels at `now`, by key (sorted).
  std::map<std::string, std::vector<LimiterLevel>> levels(TimePoint now);

  // Forgets `key`'s limiter when a new one would answer the same from `now` on (every bucket
  // full, and no initial usage that a new one would start with); returns whether the key now has
  // no limiter. The mock server calls it to bound the keys it keeps.
  bool forget_if_fresh(const std::string& key, TimePoint now);

  // Returns the number of keys with a limiter.
  std::size_t key_count() const { return limiters_.size(); }

  // Refills every limiter (mock server admin reset) and forgets keys.
  void reset();

  const ProviderConfig& config() const { return config_; }

 private:
  RateLimiter& limiter_for(const std::string& key, TimePoint now);

  ProviderConfig config_;
  std::uint64_t seed_;
  std::map<std::string, RateLimiter> limiters_;
};

}  // namespace llmsim
