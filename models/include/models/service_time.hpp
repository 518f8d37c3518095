// The first two moments of the time an admitted request holds a connection, from a scenario's
// distributions, for the queueing models of llmsim analyze.
//
// An admitted request holds its connection for S = rtt + per_request CPU + T + P (K - 1), where
// T is the time to first token, P the per-token time (both drawn once per request and clamped at
// 0, as the provider model does) and K the completion tokens (draw_completion_tokens: rounded, at
// least 1, capped by max_tokens). T, P and K are independent. Moments of T and P are closed
// forms per family; those of K are sums over its integer values of the family's CDF (exact for
// up to 100,000 values; wider ranges are summed in equal bins, each taken at its midpoint with
// the spread of a uniform spread over the bin, and mass beyond the 1 - 1e-12 quantile is put at
// that quantile).
//
//   Moments s = service_time_moments(scenario);
//   double cs2 = s.scv();   // 1 for exponential service
#pragma once

#include <cstdint>
#include <optional>

#include "models/distribution.hpp"
#include "models/scenario_config.hpp"

namespace llmsim {

struct Moments {
  double mean = 0;    // E[X]
  double second = 0;  // E[X^2]

  // Returns E[X^2] - E[X]^2 (never below 0).
  double variance() const;
  // Returns the squared coefficient of variation variance / mean^2 (0 when the mean is 0).
  double scv() const;
};

// Returns E[max(0, X)] and E[max(0, X)^2] of a distribution.
Moments clamped_moments(const Distribution& dist);

// Returns the moments of the completion tokens draw_completion_tokens(dist, rng, max_tokens) gives.
Moments completion_token_moments(const Distribution& dist, std::optional<std::int64_t> max_tokens);

// Returns the moments of S (seconds) for the scenario's first provider and its request.
Moments service_time_moments(const Scenario& scenario);

// Returns true when S is exponential: an exponential time to first token and nothing else (no
// round trip, no client CPU, and no per-token time or a single completion token).
bool is_exponential_service(const Scenario& scenario);

}  // namespace llmsim
