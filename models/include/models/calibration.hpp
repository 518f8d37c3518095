// Calibration: the provider section of a scenario fitted to a trace (models/trace.hpp).
//
// What it fits, in the provider model's own terms (models/provider_model.cpp), so that each
// fitted value is directly a scenario field (data/README.md):
// - latency of admitted requests: end - sent = TTFT + per_token * (tokens - 1). Least squares on
//   the completion tokens (Eigen) gives the means; when the trace's first bytes come before its
//   ends (streamed responses, or the simulator), TTFT = first_byte - sent and per-token =
//   (end - first_byte) / (tokens - 1), each a lognormal fitted by maximum likelihood (the model
//   draws both once per request). Otherwise TTFT is the lognormal of the regression's residual
//   intercepts (y - slope * (tokens - 1)) and per-token the slope as a constant.
// - refused_s: lognormal (MLE) of end - sent over 429 refusals and 5xx/quota errors;
// - fault rates as fractions of admitted requests (admitted: everything but rate-limit 429s);
// - completion tokens: gamma by maximum likelihood (a constant when every row has the same);
// - rate limits: x-ratelimit-limit-* when the trace carries them, else the admitted rate over
//   the stretch between the first and last 429 of that limit (where the bucket is empty at both
//   ends), else the highest count admitted in any 60 s (a lower bound: the limit never bit).
// - A trace recorded against Anthropic (its `api` column) fits Anthropic's limits the same way:
//   rpm, itpm (prompt tokens) and otpm (completion tokens) from the
//   anthropic-ratelimit-{requests,input-tokens,output-tokens}-limit headers, else from the 429s
//   whose category names requests or tokens (Anthropic's 429 message names the limit; the trace
//   keeps its category, rate_limit_requests or rate_limit_tokens, so a tokens 429 counts for both
//   token limits), else the busiest minute for rpm. 529 overloaded_error counts as `overloaded`,
//   402 billing_error as quota. A trace whose rows name both APIs is refused: calibrate fits one
//   provider.
// Every estimate has a 95% interval: asymptotic normal from the Fisher information (lognormal,
// gamma, regression), Wilson's score interval for the rates. Goodness of fit: the two-sample
// Kolmogorov-Smirnov distance between the trace's end - sent of successes and draws from the
// fitted model at the trace's own token counts (seeded, so the output is deterministic).
//
//   CalibrationResult fit = calibrate(read_trace("trace.csv"));
//   std::cout << calibration_text(fit);
//   std::ofstream("provider.json") << provider_json(fit);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/trace.hpp"

namespace llmsim {

// A fitted value and its 95% interval.
struct Estimate {
  double value = 0;
  double low = 0;
  double high = 0;
};

struct LogNormalFit {
  Estimate median;  // exp(mu)
  Estimate sigma;
  std::size_t samples = 0;
};

struct GammaFit {
  Estimate shape;
  Estimate scale;
  std::size_t samples = 0;
};

struct LimitFit {
  Estimate per_minute;
  std::string source;  // "x-ratelimit-limit-requests", "sustained rate between 429s", ...
};

struct CalibrationResult {
  std::string api = "openai";   // the trace's api column: "openai" or "anthropic"
  std::size_t attempts = 0;
  std::size_t admitted = 0;     // reached past the rate limiter
  std::size_t succeeded = 0;    // 2xx, complete
  std::size_t refused = 0;      // 429 rate_limit_exceeded
  std::size_t unclassified = 0; // other statuses, connection failures before any response
  bool is_streamed = false;     // first bytes before ends: TTFT and per-token measured apart

  // Least squares of end - sent (s) on completion tokens - 1.
  Estimate intercept_s;
  Estimate slope_s;
  std::size_t regression_samples = 0;

  std::optional<LogNormalFit> time_to_first_token_s;  // none: no success with a positive TTFT
  std::optional<LogNormalFit> per_token_s;            // streamed only
  std::optional<Estimate> per_token_constant_s;       // not streamed: the slope
  std::optional<LogNormalFit> refused_s;
  std::optional<GammaFit> completion_tokens;
  std::optional<double> completion_tokens_constant;

  Estimate server_error, overloaded, timeout, drop_mid_stream, quota_exhausted;
  std::optional<LimitFit> rpm;
  std::optional<LimitFit> tpm;    // OpenAI only
  std::optional<LimitFit> itpm;   // Anthropic only: input tokens per minute
  std::optional<LimitFit> otpm;   // Anthropic only: output tokens per minute

  double ks_distance = 0;       // sup |F_trace - F_model| of end - sent of successes
  double ks_critical = 0;       // 5% critical value for these sample sizes
  std::size_t ks_trace_samples = 0;
  std::size_t ks_model_samples = 0;
};

// Fits the provider model to `rows`; `seed` names the stream of the KS draws. Throws
// std::invalid_argument when the trace has fewer than 3 successes (nothing to fit), or rows of
// both APIs, or an api other than "openai" and "anthropic".
CalibrationResult calibrate(const std::vector<TraceRow>& rows, std::uint64_t seed = 1);

// Returns the fitted parameters with their intervals and the KS distance, one per line.
std::string calibration_text(const CalibrationResult& fit);

// Returns the fitted provider section as JSON that the scenario loader accepts as `provider`:
// with "api": "anthropic" and limits rpm, itpm, otpm for an Anthropic trace, else rpm and tpm.
std::string provider_json(const CalibrationResult& fit);

}  // namespace llmsim
