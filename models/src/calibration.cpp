// Calibration: maximum-likelihood and least-squares fits of the provider model to a trace.
#include "models/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "models/distribution.hpp"
#include "models/random.hpp"

namespace llmsim {

namespace {

constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile
// Times at or below this are taken as zero (the trace has nanosecond cells).
constexpr double kTimeEpsilon_s = 1e-6;
// Kolmogorov's 5% critical constant c(0.05) for the two-sample statistic.
constexpr double kKs5Percent = 1.358;
// Draws from the model per trace success for the KS comparison, and their cap.
constexpr std::size_t kKsReplicates = 20;
constexpr std::size_t kKsMaxModelSamples = 200000;
constexpr double kSecondsPerMinute = 60.0;
constexpr double kStreamedShare = 0.05;

enum class Kind { ok, refused, server_error, overloaded, timeout, drop, quota, unclassified };

Kind kind_of(const TraceRow& row) {
  if (row.status >= 200 && row.status < 300) {
    if (row.error.empty()) return Kind::ok;
    return row.error == "connection" ? Kind::drop : Kind::unclassified;
  }
  if (row.error == "timeout") return Kind::timeout;
  if (row.status == 429) {
    if (row.error == "quota" || row.error_code == "insufficient_quota") return Kind::quota;
    return Kind::refused;
  }
  if (row.status == 402) return Kind::quota;  // Anthropic's billing_error
  if (row.status == 503 || row.status == 529) return Kind::overloaded;  // OpenAI's, Anthropic's
  if (row.status >= 500) return Kind::server_error;
  return Kind::unclassified;
}

Estimate symmetric(double value, double standard_error) {
  return Estimate{value, value - kZ95 * standard_error, value + kZ95 * standard_error};
}

// Fits a lognormal by maximum likelihood: mu and sigma of the logs (sigma with 1/n); intervals
// from the Fisher information (se(mu) = sigma/sqrt(n), se(sigma) = sigma/sqrt(2n)).
std::optional<LogNormalFit> fit_lognormal(const std::vector<double>& values) {
  std::vector<double> logs;
  for (double v : values) {
    if (v > kTimeEpsilon_s) logs.push_back(std::log(v));
  }
  if (logs.empty()) return std::nullopt;
  const double n = static_cast<double>(logs.size());
  const double mu = std::accumulate(logs.begin(), logs.end(), 0.0) / n;
  double squares = 0;
  for (double l : logs) squares += (l - mu) * (l - mu);
  const double sigma = std::sqrt(squares / n);
  const double se_mu = sigma / std::sqrt(n);
  LogNormalFit fit;
  fit.median = Estimate{std::exp(mu), std::exp(mu - kZ95 * se_mu), std::exp(mu + kZ95 * se_mu)};
  fit.sigma = symmetric(sigma, sigma / std::sqrt(2 * n));
  fit.sigma.low = std::max(0.0, fit.sigma.low);
  fit.samples = logs.size();
  return fit;
}

// Fits a gamma by maximum likelihood (Newton on the shape from Minka's start); intervals from
// the inverse Fisher information n * [[trigamma(k), 1/theta], [1/theta, k/theta^2]].
GammaFit fit_gamma(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double mean_log = 0;
  for (double v : values) mean_log += std::log(v) / n;
  const double s = std::log(mean) - mean_log;
  double shape = (3 - s + std::sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
  for (int i = 0; i < 50; ++i) {
    const double step = (std::log(shape) - boost::math::digamma(shape) - s) /
                        (1 / shape - boost::math::trigamma(shape));
    shape = std::max(shape - step, shape / 2);
    if (std::abs(step) < 1e-12 * shape) break;
  }
  const double scale = mean / shape;
  Eigen::Matrix2d information;
  information << boost::math::trigamma(shape), 1 / scale, 1 / scale, shape / (scale * scale);
  const Eigen::Matrix2d covariance = (n * information).inverse();
  GammaFit fit;
  fit.shape = symmetric(shape, std::sqrt(covariance(0, 0)));
  fit.scale = symmetric(scale, std::sqrt(covariance(1, 1)));
  fit.samples = values.size();
  return fit;
}

// Returns Wilson's 95% score interval for `count` of `n` (the rate's Fisher information inverted
// at the interval's ends, so it stays inside [0, 1] and is not empty at 0).
Estimate wilson(std::size_t count, std::size_t n) {
  if (n == 0) return Estimate{};
  const double p = static_cast<double>(count) / static_cast<double>(n);
  const double nn = static_cast<double>(n);
  const double z2 = kZ95 * kZ95;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return Estimate{p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

// Least squares of end - sent on tokens - 1 with Eigen; the intervals from s^2 (X'X)^-1.
void fit_regression(const std::vector<const TraceRow*>& ok, CalibrationResult& fit) {
  const auto n = static_cast<Eigen::Index>(ok.size());
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = 1.0;
    x(i, 1) = static_cast<double>(std::max<std::int64_t>(0, ok[i]->completion_tokens - 1));
    y(i) = ok[i]->end_s - ok[i]->sent_s;
  }
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr = x.colPivHouseholderQr();
  const Eigen::VectorXd beta = qr.solve(y);
  const double rss = (y - x * beta).squaredNorm();
  const double s2 = rss / static_cast<double>(n - 2);
  const Eigen::Matrix2d xtx = x.transpose() * x;
  // Every row with the same token count leaves the slope unidentified: report it as 0.
  const bool is_identified = qr.rank() == 2;
  const Eigen::Matrix2d covariance = is_identified ? Eigen::Matrix2d(s2 * xtx.inverse())
                                                   : Eigen::Matrix2d::Zero();
  fit.intercept_s = symmetric(beta(0), std::sqrt(covariance(0, 0)));
  fit.slope_s = is_identified ? symmetric(beta(1), std::sqrt(covariance(1, 1))) : Estimate{};
  fit.regression_samples = ok.size();
}

// True when most multi-token successes have their first byte well before their end: more than
// kStreamedShare of the response time after it. A plain reply's body follows its headers within
// microseconds (a time scale multiplies those too), a stream's tokens take most of its time.
bool is_streamed(const std::vector<const TraceRow*>& ok) {
  std::size_t candidates = 0, early = 0;
  for (const TraceRow* row : ok) {
    if (row->completion_tokens < 2 || !row->first_byte_s) continue;
    ++candidates;
    if (row->end_s - *row->first_byte_s > kStreamedShare * (row->end_s - row->sent_s)) ++early;
  }
  return candidates > 0 && 2 * early >= candidates;
}

void fit_latency(const std::vector<const TraceRow*>& ok, CalibrationResult& fit) {
  fit_regression(ok, fit);
  fit.is_streamed = is_streamed(ok);
  std::vector<double> ttft, per_token;
  for (const TraceRow* row : ok) {
    const double tokens_after_first = static_cast<double>(std::max<std::int64_t>(0, row->completion_tokens - 1));
    if (fit.is_streamed && row->first_byte_s) {
      ttft.push_back(*row->first_byte_s - row->sent_s);
      if (tokens_after_first > 0) per_token.push_back((row->end_s - *row->first_byte_s) / tokens_after_first);
    } else if (!fit.is_streamed) {
      ttft.push_back(row->end_s - row->sent_s - std::max(0.0, fit.slope_s.value) * tokens_after_first);
    }
  }
  fit.time_to_first_token_s = fit_lognormal(ttft);
  if (fit.is_streamed) {
    fit.per_token_s = fit_lognormal(per_token);
  } else {
    Estimate slope = fit.slope_s;
    slope.value = std::max(0.0, slope.value);
    slope.low = std::max(0.0, slope.low);
    slope.high = std::max(0.0, slope.high);
    fit.per_token_constant_s = slope;
  }
}

void fit_tokens(const std::vector<const TraceRow*>& ok, CalibrationResult& fit) {
  std::vector<double> tokens;
  for (const TraceRow* row : ok) tokens.push_back(static_cast<double>(std::max<std::int64_t>(1, row->completion_tokens)));
  if (std::all_of(tokens.begin(), tokens.end(), [&](double t) { return t == tokens.front(); })) {
    fit.completion_tokens_constant = tokens.front();
  } else {
    fit.completion_tokens = fit_gamma(tokens);
  }
}

// Returns the most frequent value of a header over the rows that carry it.
std::optional<std::int64_t> header_mode(const std::vector<TraceRow>& rows,
                                        std::optional<std::int64_t> TraceRow::*field) {
  std::map<std::int64_t, std::size_t> counts;
  for (const TraceRow& row : rows) {
    if (row.*field) ++counts[*(row.*field)];
  }
  if (counts.empty()) return std::nullopt;
  return std::max_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })->first;
}

// What a limit counts per request.
enum class Units { requests, tokens, input_tokens, output_tokens };

double units_of(const TraceRow& row, Units units) {
  switch (units) {
    case Units::tokens: return static_cast<double>(row.prompt_tokens + row.completion_tokens);
    case Units::input_tokens: return static_cast<double>(row.prompt_tokens);
    case Units::output_tokens: return static_cast<double>(row.completion_tokens);
    default: return 1.0;
  }
}

// One limit to fit: its header column, the 429s it refuses, what it counts.
struct LimitSpec {
  std::optional<std::int64_t> TraceRow::*header;
  const char* header_name;
  bool (*is_refused_by)(const TraceRow& row);  // of the rate-limit refusals, those of this limit
  Units units;
  const char* refusals;  // names those 429s in the source
};

// Returns the units admitted from `from` to `to` (sent times).
double admitted_units(const std::vector<TraceRow>& rows, double from, double to, Units units) {
  double total = 0;
  for (const TraceRow& row : rows) {
    const Kind kind = kind_of(row);
    if (kind == Kind::refused || kind == Kind::unclassified) continue;
    if (row.sent_s < from || row.sent_s > to) continue;
    total += units_of(row, units);
  }
  return total;
}

// Returns the most admitted in any 60 s window starting at an admitted attempt (two pointers
// over the admitted send times).
double busiest_minute(const std::vector<TraceRow>& rows) {
  std::vector<double> sent;
  for (const TraceRow& row : rows) {
    const Kind kind = kind_of(row);
    if (kind != Kind::refused && kind != Kind::unclassified) sent.push_back(row.sent_s);
  }
  std::sort(sent.begin(), sent.end());
  std::size_t best = 0;
  for (std::size_t begin = 0, end = 0; begin < sent.size(); ++begin) {
    while (end < sent.size() && sent[end] < sent[begin] + kSecondsPerMinute) ++end;
    best = std::max(best, end - begin);
  }
  return static_cast<double>(best);
}

std::optional<LimitFit> fit_limit(const std::vector<TraceRow>& rows, const LimitSpec& spec) {
  if (auto limit = header_mode(rows, spec.header)) {
    const auto value = static_cast<double>(*limit);
    return LimitFit{{value, value, value}, spec.header_name};
  }
  std::vector<double> refusals;
  for (const TraceRow& row : rows) {
    if (kind_of(row) == Kind::refused && spec.is_refused_by(row)) refusals.push_back(row.sent_s);
  }
  const auto [first, last] = std::minmax_element(refusals.begin(), refusals.end());
  const double units = refusals.empty() ? 0.0 : admitted_units(rows, *first, *last, spec.units);
  // Refusals with nothing admitted between them say nothing about the refill rate.
  if (refusals.size() >= 2 && *last - *first > kTimeEpsilon_s && units >= 1) {
    const double span = *last - *first;
    // The bucket is empty at both refusals, so what went in between is what refilled:
    // exact up to one request (its units) at either end.
    const double one_request = units / admitted_units(rows, *first, *last, Units::requests);
    const double per_unit = kSecondsPerMinute / span;
    return LimitFit{{units * per_unit, (units - one_request) * per_unit, (units + one_request) * per_unit},
                    std::string("sustained admitted rate between the first and last ") + spec.refusals};
  }
  if (spec.units != Units::requests) return std::nullopt;  // without headers or refusals, report the requests only
  const double busiest = busiest_minute(rows);
  return LimitFit{{busiest, busiest, busiest}, "lower bound: most admitted in any 60 s (no saturated stretch between 429s)"};
}

// OpenAI's 429 body names the limit in its type ("requests", "tokens"); Anthropic's in its
// message, which the reading keeps as the code ("requests", "input_tokens", "output_tokens").
// A trace without codes has only the category (rate_limit_tokens: input and output alike).
bool is_openai_requests_refusal(const TraceRow& row) { return row.error_type != "tokens"; }
bool is_openai_tokens_refusal(const TraceRow& row) { return row.error_type == "tokens"; }
bool is_anthropic_requests_refusal(const TraceRow& row) { return row.error == "rate_limit_requests"; }
bool is_anthropic_input_refusal(const TraceRow& row) {
  return row.error == "rate_limit_tokens" && (row.error_code.empty() || row.error_code == "input_tokens");
}
bool is_anthropic_output_refusal(const TraceRow& row) {
  return row.error == "rate_limit_tokens" && (row.error_code.empty() || row.error_code == "output_tokens");
}

void fit_limits(const std::vector<TraceRow>& rows, CalibrationResult& fit) {
  if (fit.api == "anthropic") {
    fit.rpm = fit_limit(rows, {&TraceRow::limit_requests, "anthropic-ratelimit-requests-limit",
                               is_anthropic_requests_refusal, Units::requests, "requests 429"});
    fit.itpm = fit_limit(rows, {&TraceRow::limit_input_tokens, "anthropic-ratelimit-input-tokens-limit",
                                is_anthropic_input_refusal, Units::input_tokens, "input-tokens 429"});
    fit.otpm = fit_limit(rows, {&TraceRow::limit_output_tokens, "anthropic-ratelimit-output-tokens-limit",
                                is_anthropic_output_refusal, Units::output_tokens, "output-tokens 429"});
    return;
  }
  fit.rpm = fit_limit(rows, {&TraceRow::limit_requests, "x-ratelimit-limit-requests",
                             is_openai_requests_refusal, Units::requests, "429"});
  fit.tpm = fit_limit(rows, {&TraceRow::limit_tokens, "x-ratelimit-limit-tokens", is_openai_tokens_refusal,
                             Units::tokens, "429"});
}

// Returns the one API the rows name; throws std::invalid_argument for two, or an unknown one.
std::string api_of(const std::vector<TraceRow>& rows) {
  std::string api;
  for (const TraceRow& row : rows) {
    if (row.api != "openai" && row.api != "anthropic") {
      throw std::invalid_argument("column \"api\" must be \"openai\" or \"anthropic\", got \"" + row.api +
                                  "\" (request " + std::to_string(row.request_id) + ")");
    }
    if (api.empty()) api = row.api;
    if (row.api != api) {
      throw std::invalid_argument("the trace has rows of both APIs (openai and anthropic); calibrate fits "
                                  "one provider: record each provider's trace apart");
    }
  }
  return api.empty() ? "openai" : api;
}

// Two-sample KS distance between sorted samples.
double ks_distance(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t i = 0, j = 0;
  double distance = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    distance = std::max(distance, std::abs(static_cast<double>(i) / static_cast<double>(a.size()) -
                                           static_cast<double>(j) / static_cast<double>(b.size())));
  }
  return distance;
}

Distribution fitted(const std::optional<LogNormalFit>& fit) {
  return fit ? Distribution::lognormal(fit->median.value, fit->sigma.value) : Distribution::constant(0.0);
}

void fit_goodness(const std::vector<const TraceRow*>& ok, std::uint64_t seed, CalibrationResult& fit) {
  std::vector<double> trace, model;
  const Distribution ttft = fitted(fit.time_to_first_token_s);
  const Distribution per_token = fit.per_token_s ? fitted(fit.per_token_s)
                                                 : Distribution::constant(fit.per_token_constant_s->value);
  const std::size_t replicates = std::max<std::size_t>(1, std::min(kKsReplicates, kKsMaxModelSamples / ok.size()));
  for (std::size_t i = 0; i < ok.size(); ++i) {
    trace.push_back(ok[i]->end_s - ok[i]->sent_s);
    const double after_first = static_cast<double>(std::max<std::int64_t>(0, ok[i]->completion_tokens - 1));
    for (std::size_t r = 0; r < replicates; ++r) {
      RandomStream rng(seed, "calibrate_ks", i, r);
      const double first = std::max(0.0, ttft.sample(rng));
      model.push_back(first + std::max(0.0, per_token.sample(rng)) * after_first);
    }
  }
  std::sort(trace.begin(), trace.end());
  std::sort(model.begin(), model.end());
  fit.ks_distance = ks_distance(trace, model);
  const double n = static_cast<double>(trace.size()), m = static_cast<double>(model.size());
  fit.ks_critical = kKs5Percent * std::sqrt((n + m) / (n * m));
  fit.ks_trace_samples = trace.size();
  fit.ks_model_samples = model.size();
}

}  // namespace

CalibrationResult calibrate(const std::vector<TraceRow>& rows, std::uint64_t seed) {
  CalibrationResult fit;
  fit.api = api_of(rows);
  fit.attempts = rows.size();
  std::vector<const TraceRow*> ok;
  std::vector<double> refused_latency;
  std::map<Kind, std::size_t> counts;
  for (const TraceRow& row : rows) {
    const Kind kind = kind_of(row);
    ++counts[kind];
    if (kind == Kind::ok) ok.push_back(&row);
    if (kind == Kind::refused || kind == Kind::server_error || kind == Kind::overloaded || kind == Kind::quota) {
      refused_latency.push_back(row.end_s - row.sent_s);
    }
  }
  if (ok.size() < 3) {
    throw std::invalid_argument("the trace has " + std::to_string(ok.size()) +
                                " successful attempts; at least 3 are needed to fit latency");
  }
  fit.succeeded = ok.size();
  fit.refused = counts[Kind::refused];
  fit.unclassified = counts[Kind::unclassified];
  fit.admitted = rows.size() - fit.refused - fit.unclassified;
  fit.server_error = wilson(counts[Kind::server_error], fit.admitted);
  fit.overloaded = wilson(counts[Kind::overloaded], fit.admitted);
  fit.timeout = wilson(counts[Kind::timeout], fit.admitted);
  fit.drop_mid_stream = wilson(counts[Kind::drop], fit.admitted);
  fit.quota_exhausted = wilson(counts[Kind::quota], fit.admitted);
  fit_latency(ok, fit);
  fit.refused_s = fit_lognormal(refused_latency);
  fit_tokens(ok, fit);
  fit_limits(rows, fit);
  fit_goodness(ok, seed, fit);
  return fit;
}

}  // namespace llmsim
