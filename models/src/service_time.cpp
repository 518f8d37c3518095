// Service-time moments from the scenario's distributions. See service_time.hpp.
#include "models/service_time.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <variant>

namespace llmsim {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// Spelled out for clang 14, which lacks C++20's deduction for aggregates (P1816).
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Beyond this many integer values, completion tokens are summed in bins.
constexpr double kMaxTokenTerms = 100000;
// Upper tail left out of the token sums (put at the quantile instead).
constexpr double kTokenTail = 1e-12;
// draw_completion_tokens's own cap on a drawn value.
constexpr double kMaxDrawnTokens = 0x1.0p40;

// Returns E[max(0, X)] and E[max(0, X)^2] of a normal (the partial moments above 0).
Moments clamped_normal(const Distribution::Normal& f) {
  if (f.stddev == 0) {
    const double x = std::max(0.0, f.mean);
    return {x, x * x};
  }
  const double z = f.mean / f.stddev;
  const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  const double pdf = std::exp(-z * z / 2) / std::sqrt(2 * std::numbers::pi);
  return {f.mean * cdf + f.stddev * pdf,
          (f.mean * f.mean + f.stddev * f.stddev) * cdf + f.mean * f.stddev * pdf};
}

// Moments of a piecewise-linear inverse CDF: on each segment Q is linear in p.
Moments interpolated_moments(const std::vector<std::pair<double, double>>& points) {
  Moments m;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const double dp = points[i].first - points[i - 1].first;
    const double a = points[i - 1].second;
    const double b = points[i].second;
    m.mean += dp * (a + b) / 2;
    m.second += dp * (a * a + a * b + b * b) / 3;
  }
  return m;
}

// Returns the weighted moments of g(value) over discrete atoms (weights normalised).
Moments atom_moments(const std::vector<std::pair<double, double>>& atoms,
                     const std::function<double(double)>& g) {
  Moments m;
  double total = 0;
  for (const auto& [weight, value] : atoms) {
    const double x = g(value);
    total += weight;
    m.mean += weight * x;
    m.second += weight * x * x;
  }
  return {m.mean / total, m.second / total};
}

// Returns P(X < x) of a piecewise-linear inverse CDF (flat segments are atoms).
double interpolated_cdf_below(const std::vector<std::pair<double, double>>& points, double x) {
  if (x <= points.front().second) return 0.0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const auto [p0, v0] = points[i - 1];
    const auto [p1, v1] = points[i];
    if (v0 < x && x <= v1) return p0 + (p1 - p0) * (x - v0) / (v1 - v0);
  }
  return 1.0;
}

// Returns P(X < x) of a continuous family (used at half-integers, where no family has an atom
// except an empirical one, which the piecewise form handles).
double cdf_below(const Distribution& dist, double x) {
  return std::visit(
      Overloaded{
          [](const Distribution::Constant&) -> double { return 0.0; },  // handled as an atom
          [x](const Distribution::Uniform& f) {
            return f.max == f.min ? (x > f.min ? 1.0 : 0.0)
                                  : std::clamp((x - f.min) / (f.max - f.min), 0.0, 1.0);
          },
          [x](const Distribution::Exponential& f) { return x <= 0 ? 0.0 : -std::expm1(-x / f.mean); },
          [x](const Distribution::Normal& f) {
            if (f.stddev == 0) return x > f.mean ? 1.0 : 0.0;
            return boost::math::cdf(boost::math::normal_distribution<>(f.mean, f.stddev), x);
          },
          [x](const Distribution::LogNormal& f) {
            if (x <= 0) return 0.0;
            if (f.sigma == 0) return x > f.median ? 1.0 : 0.0;
            return boost::math::cdf(
                boost::math::lognormal_distribution<>(std::log(f.median), f.sigma), x);
          },
          [x](const Distribution::Gamma& f) {
            return x <= 0 ? 0.0
                          : boost::math::cdf(boost::math::gamma_distribution<>(f.shape, f.scale), x);
          },
          [x](const Distribution::Empirical& f) { return interpolated_cdf_below(f.points, x); },
      },
      dist.family());
}

// Returns the completion tokens a drawn value becomes (draw_completion_tokens's rule).
double tokens_of(double drawn, double cap) {
  const double bounded = drawn >= 1.0 ? std::min(drawn, kMaxDrawnTokens) : 1.0;
  return std::max(1.0, std::min(static_cast<double>(std::llround(bounded)), cap));
}

// Returns the largest token count worth summing: the cap, or where P(X < k + 0.5) reaches
// 1 - kTokenTail (doubling from 1).
double token_sum_limit(const Distribution& dist, double cap) {
  double k = 1;
  while (k < cap && k < kMaxDrawnTokens && cdf_below(dist, k + 0.5) < 1.0 - kTokenTail) k *= 2;
  return std::min({k, cap, kMaxDrawnTokens});
}

// Moments of K for a continuous family: K <= k exactly when X < k + 0.5 (below the cap).
Moments continuous_token_moments(const Distribution& dist, double cap) {
  const double limit = token_sum_limit(dist, cap);
  const double width = std::max(1.0, std::ceil(limit / kMaxTokenTerms));
  Moments m;
  double below = 0;  // P(K < k)
  for (double k = 1; k <= limit; k += width) {
    const double last = std::min(limit, k + width - 1);
    const double upto = last >= limit ? 1.0 : cdf_below(dist, last + 0.5);
    const double mass = upto - below;
    const double mid = (k + last) / 2;
    const double spread = (last - k + 1) * (last - k + 1) - 1;  // n^2 - 1 for n values
    m.mean += mass * mid;
    m.second += mass * (mid * mid + spread / 12);
    below = upto;
  }
  return m;
}

}  // namespace

double Moments::variance() const { return std::max(0.0, second - mean * mean); }

double Moments::scv() const { return mean == 0 ? 0.0 : variance() / (mean * mean); }

Moments clamped_moments(const Distribution& dist) {
  return std::visit(
      Overloaded{
          [](const Distribution::Constant& f) {
            const double x = std::max(0.0, f.value);
            return Moments{x, x * x};
          },
          [](const Distribution::Uniform& f) {
            return Moments{(f.min + f.max) / 2, (f.min * f.min + f.min * f.max + f.max * f.max) / 3};
          },
          [](const Distribution::Exponential& f) { return Moments{f.mean, 2 * f.mean * f.mean}; },
          [](const Distribution::Normal& f) { return clamped_normal(f); },
          [](const Distribution::LogNormal& f) {
            const double s2 = f.sigma * f.sigma;
            return Moments{f.median * std::exp(s2 / 2), f.median * f.median * std::exp(2 * s2)};
          },
          [](const Distribution::Gamma& f) {
            return Moments{f.shape * f.scale, f.shape * (f.shape + 1) * f.scale * f.scale};
          },
          [](const Distribution::Empirical& f) {
            return f.discrete ? atom_moments(f.points, [](double v) { return v; })
                              : interpolated_moments(f.points);
          },
      },
      dist.family());
}

Moments completion_token_moments(const Distribution& dist, std::optional<std::int64_t> max_tokens) {
  const double cap = max_tokens ? static_cast<double>(*max_tokens) : kMaxDrawnTokens;
  const auto to_tokens = [cap](double v) { return tokens_of(v, cap); };
  if (const auto* c = std::get_if<Distribution::Constant>(&dist.family())) {
    const double k = to_tokens(c->value);
    return {k, k * k};
  }
  if (const auto* e = std::get_if<Distribution::Empirical>(&dist.family()); e && e->discrete) {
    return atom_moments(e->points, to_tokens);
  }
  return continuous_token_moments(dist, cap);
}

Moments service_time_moments(const Scenario& scenario) {
  const ProviderConfig& provider = scenario.providers.front();
  const ClientConfig& client = scenario.client;
  // The fixed part: a round trip, and the client CPU's cost to send (its queueing left out).
  const double fixed = client.network.rtt_ms / 1000.0 +
                       (client.cpu.enabled ? client.cpu.per_request_ms / 1000.0 : 0.0);
  const Moments first = clamped_moments(provider.latency.time_to_first_token_s);
  const Moments per_token = clamped_moments(provider.latency.per_token_s);
  Moments further;  // K - 1 further tokens; embeddings have none
  if (is_generation(scenario.request.endpoint)) {
    const Moments k = completion_token_moments(provider.tokens.completion_tokens,
                                               scenario.request.max_tokens);
    further = {k.mean - 1, k.second - 2 * k.mean + 1};
  }
  // S = fixed + T + P (K - 1), with T, P and K independent.
  const double tail_mean = per_token.mean * further.mean;
  const double tail_second = per_token.second * further.second;
  const double variable_mean = first.mean + tail_mean;
  const double variable_second = first.second + 2 * first.mean * tail_mean + tail_second;
  return {fixed + variable_mean, fixed * fixed + 2 * fixed * variable_mean + variable_second};
}

bool is_exponential_service(const Scenario& scenario) {
  const ProviderConfig& provider = scenario.providers.front();
  const ClientConfig& client = scenario.client;
  if (!std::holds_alternative<Distribution::Exponential>(provider.latency.time_to_first_token_s.family())) {
    return false;
  }
  if (client.network.rtt_ms != 0 || (client.cpu.enabled && client.cpu.per_request_ms != 0)) return false;
  const Moments per_token = clamped_moments(provider.latency.per_token_s);
  if (per_token.second == 0 || !is_generation(scenario.request.endpoint)) return true;
  const Moments k = completion_token_moments(provider.tokens.completion_tokens, scenario.request.max_tokens);
  return k.second - 2 * k.mean + 1 == 0;  // K is always 1: no further tokens
}

}  // namespace llmsim
