// Portable probability distributions drawn from a RandomStream.
//
// The project's own code (inverse CDF, Box-Muller, Marsaglia-Tsang), not std::*_distribution, whose
// outputs differ between standard libraries: the same stream gives the same draws everywhere.
// A Distribution is a small value type (one of the families below) used for latencies, think
// times, token counts and the like. Units are the caller's (the scenario names them: `_s`, `_ms`).
//
//   Distribution ttft = Distribution::lognormal(/*median=*/0.6, /*sigma=*/0.35);
//   RandomStream rng(seed, "latency", request_id);
//   double seconds = ttft.sample(rng);
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "models/random.hpp"
#include "models/time.hpp"

namespace llmsim {

// Draws a standard normal variate (Box-Muller, one of the pair; consumes two uniforms).
double standard_normal(RandomStream& rng);

// Draws an exponential variate with the given mean (inverse CDF; consumes one uniform).
double exponential_variate(RandomStream& rng, double mean);

// Draws a Gamma(shape, scale=1) variate (Marsaglia-Tsang; shape < 1 via the boost x*U^(1/shape)).
double standard_gamma(RandomStream& rng, double shape);

class Distribution {
 public:
  struct Constant { double value; };
  struct Uniform { double min; double max; };
  struct Exponential { double mean; };
  struct Normal { double mean; double stddev; };           // may go negative; callers clamp
  struct LogNormal { double median; double sigma; };       // exp(N(ln median, sigma^2))
  struct Gamma { double shape; double scale; };
  // Piecewise-linear inverse CDF through (cumulative probability, value) points, probabilities
  // strictly increasing from 0 to 1 and values non-decreasing; or, with `discrete`, draws one of
  // the values with the given probabilities (weights normalised).
  struct Empirical {
    std::vector<std::pair<double, double>> points;
    bool discrete = false;
  };
  using Family = std::variant<Constant, Uniform, Exponential, Normal, LogNormal, Gamma, Empirical>;

  Distribution() : family_(Constant{0.0}) {}
  explicit Distribution(Family family) : family_(std::move(family)) {}

  static Distribution constant(double value) { return Distribution(Constant{value}); }
  static Distribution uniform(double min, double max) { return Distribution(Uniform{min, max}); }
  static Distribution exponential(double mean) { return Distribution(Exponential{mean}); }
  static Distribution normal(double mean, double stddev) { return Distribution(Normal{mean, stddev}); }
  static Distribution lognormal(double median, double sigma) { return Distribution(LogNormal{median, sigma}); }
  static Distribution gamma(double shape, double scale) { return Distribution(Gamma{shape, scale}); }
  static Distribution empirical(std::vector<std::pair<double, double>> points, bool discrete = false) {
    return Distribution(Empirical{std::move(points), discrete});
  }

  // Draws one value. Parameters are assumed valid (the scenario loader checks them).
  double sample(RandomStream& rng) const;

  // Returns the distribution's mean (analytic; for Empirical, of the interpolated CDF).
  double mean() const;

  // Returns a short description such as "lognormal(median=0.6, sigma=0.35)" for reports.
  std::string describe() const;

  const Family& family() const { return family_; }

 private:
  Family family_;
};

// Returns a duration drawn from `dist` in seconds, negative draws (a normal's tail) taken as 0:
// every latency, think time and delay of both models is drawn through here.
Duration sample_duration(const Distribution& dist, RandomStream rng);

}  // namespace llmsim
