// Portable distributions: the sampling algorithms, analytic means and report descriptions.
#include "models/distribution.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <system_error>

namespace llmsim {
namespace {

// Returns `value` in its shortest round-trip decimal form ("0.6", "1e+20", "-3").
std::string format_number(double value) {
  char buffer[32];  // the longest shortest-form double is 24 characters
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) {
    return "?";
  }
  return std::string(buffer, end);
}

// Returns "[(a, b), (c, d)]" for a list of (probability or weight, value) points.
std::string format_points(const std::vector<std::pair<double, double>>& points) {
  std::string text = "[";
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i > 0) {
      text += ", ";
    }
    // Appended piecewise: `"(" + std::string` trips GCC 12's false -Wrestrict positive.
    text += '(';
    text += format_number(points[i].first);
    text += ", ";
    text += format_number(points[i].second);
    text += ')';
  }
  return text + "]";
}

// Draws from the piecewise-linear inverse CDF through (probability, value) points (one uniform).
// Uniforms below the first probability or above the last take the end values.
double sample_interpolated(const std::vector<std::pair<double, double>>& points, double u) {
  if (points.empty()) {
    return 0.0;
  }
  auto upper = std::upper_bound(points.begin(), points.end(), u,
                                [](double x, const auto& point) { return x < point.first; });
  if (upper == points.begin()) {
    return points.front().second;
  }
  if (upper == points.end()) {
    return points.back().second;
  }
  const auto& [p0, v0] = *(upper - 1);
  const auto& [p1, v1] = *upper;
  return v0 + (v1 - v0) * ((u - p0) / (p1 - p0));
}

// Draws one of the values with probability proportional to its weight (one uniform).
double sample_discrete(const std::vector<std::pair<double, double>>& points, double u) {
  double total = 0.0;
  for (const auto& point : points) {
    total += point.first;
  }
  double target = u * total;
  double cumulative = 0.0;
  for (const auto& [weight, value] : points) {
    cumulative += weight;
    if (target < cumulative) {
      return value;
    }
  }
  return points.empty() ? 0.0 : points.back().second;  // rounding left target == total
}

// Returns the mean of the piecewise-linear inverse CDF: the integral of the quantile function.
double mean_interpolated(const std::vector<std::pair<double, double>>& points) {
  double mean = 0.0;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const auto& [p0, v0] = points[i - 1];
    const auto& [p1, v1] = points[i];
    mean += (p1 - p0) * (v0 + v1) / 2.0;
  }
  return mean;
}

// Returns the weighted mean of the values (0 when the weights sum to 0).
double mean_discrete(const std::vector<std::pair<double, double>>& points) {
  double total = 0.0;
  double weighted = 0.0;
  for (const auto& [weight, value] : points) {
    total += weight;
    weighted += weight * value;
  }
  return total > 0.0 ? weighted / total : 0.0;
}

// Helper for std::visit over several lambdas.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

double standard_normal(RandomStream& rng) {
  // Box-Muller: the radius needs log(u1), so u1 must not be 0; the angle may start at 0.
  const double u1 = rng.uniform_open01();
  const double u2 = rng.uniform01();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  return radius * std::cos(2.0 * std::numbers::pi * u2);
}

double exponential_variate(RandomStream& rng, double mean) {
  // Inverse CDF -mean*ln(1-U); 1-U is uniform on (0, 1) like U itself, so use U directly.
  return -mean * std::log(rng.uniform_open01());
}

double standard_gamma(RandomStream& rng, double shape) {
  if (shape < 1.0) {
    // Marsaglia-Tsang's boost: Gamma(a) = Gamma(a+1) * U^(1/a); the gamma draw comes first.
    const double boosted = standard_gamma(rng, shape + 1.0);
    return boosted * std::pow(rng.uniform_open01(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double x = standard_normal(rng);
    double v = 1.0 + c * x;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;
    const double u = rng.uniform_open01();
    const double x2 = x * x;
    // 0.0331 is the paper's constant for the cheap squeeze test that avoids the logarithms.
    if (u < 1.0 - 0.0331 * x2 * x2) {
      return d * v;
    }
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) {
      return d * v;
    }
  }
}

double Distribution::sample(RandomStream& rng) const {
  return std::visit(
      Overloaded{
          [](const Constant& f) { return f.value; },
          [&rng](const Uniform& f) { return f.min + (f.max - f.min) * rng.uniform01(); },
          [&rng](const Exponential& f) { return exponential_variate(rng, f.mean); },
          [&rng](const Normal& f) { return f.mean + f.stddev * standard_normal(rng); },
          [&rng](const LogNormal& f) {
            return std::exp(std::log(f.median) + f.sigma * standard_normal(rng));
          },
          [&rng](const Gamma& f) { return f.scale * standard_gamma(rng, f.shape); },
          [&rng](const Empirical& f) {
            const double u = rng.uniform01();
            return f.discrete ? sample_discrete(f.points, u) : sample_interpolated(f.points, u);
          },
      },
      family_);
}

double Distribution::mean() const {
  return std::visit(
      Overloaded{
          [](const Constant& f) { return f.value; },
          [](const Uniform& f) { return (f.min + f.max) / 2.0; },
          [](const Exponential& f) { return f.mean; },
          [](const Normal& f) { return f.mean; },
          [](const LogNormal& f) { return f.median * std::exp(f.sigma * f.sigma / 2.0); },
          [](const Gamma& f) { return f.shape * f.scale; },
          [](const Empirical& f) {
            return f.discrete ? mean_discrete(f.points) : mean_interpolated(f.points);
          },
      },
      family_);
}

std::string Distribution::describe() const {
  return std::visit(
      Overloaded{
          [](const Constant& f) { return "constant(" + format_number(f.value) + ")"; },
          [](const Uniform& f) {
            return "uniform(min=" + format_number(f.min) + ", max=" + format_number(f.max) + ")";
          },
          [](const Exponential& f) { return "exponential(mean=" + format_number(f.mean) + ")"; },
          [](const Normal& f) {
            return "normal(mean=" + format_number(f.mean) + ", stddev=" + format_number(f.stddev) +
                   ")";
          },
          [](const LogNormal& f) {
            return "lognormal(median=" + format_number(f.median) +
                   ", sigma=" + format_number(f.sigma) + ")";
          },
          [](const Gamma& f) {
            return "gamma(shape=" + format_number(f.shape) + ", scale=" + format_number(f.scale) +
                   ")";
          },
          [](const Empirical& f) {
            std::string text = f.discrete ? "discrete(" : "empirical(";
            return text + format_points(f.points) + ")";
          },
      },
      family_);
}

Duration sample_duration(const Distribution& dist, RandomStream rng) {
  return from_seconds(std::max(0.0, dist.sample(rng)));
}

}  // namespace llmsim
