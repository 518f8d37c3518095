// Calibration output: the fitted parameters as text with intervals, and as a provider section.
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "models/calibration.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::ordered_json;

std::string line(const std::string& name, const Estimate& e, const std::string& note = "") {
  char text[256];
  std::snprintf(text, sizeof text, "  %-34s %12.6g   95%% [%.6g, %.6g]%s%s\n", name.c_str(), e.value,
                e.low, e.high, note.empty() ? "" : "   ", note.c_str());
  return text;
}

std::string samples(std::size_t n) { return "n=" + std::to_string(n); }

std::string lognormal_lines(const std::string& field, const std::optional<LogNormalFit>& fit) {
  if (!fit) return "  " + field + ": no samples above zero: constant 0\n";
  return line(field + ".median", fit->median, "lognormal, " + samples(fit->samples)) +
         line(field + ".sigma", fit->sigma);
}

std::string counts_text(const CalibrationResult& fit) {
  char text[256];
  std::snprintf(text, sizeof text,
                "attempts %zu: %zu admitted (%zu succeeded), %zu refused by a rate limit, %zu unclassified\n",
                fit.attempts, fit.admitted, fit.succeeded, fit.refused, fit.unclassified);
  return text;
}

std::string latency_text(const CalibrationResult& fit) {
  std::string text = "latency (s), admitted requests: end - sent = ttft + per_token * (tokens - 1)\n";
  text += line("least squares: intercept", fit.intercept_s, samples(fit.regression_samples));
  text += line("least squares: slope per token", fit.slope_s);
  text += fit.is_streamed ? "  first bytes precede ends: ttft and per_token fitted apart (MLE)\n"
                          : "  first bytes at the ends (not streamed): ttft from residuals, per_token = slope\n";
  text += lognormal_lines("time_to_first_token_s", fit.time_to_first_token_s);
  if (fit.per_token_s) text += lognormal_lines("per_token_s", fit.per_token_s);
  if (fit.per_token_constant_s) text += line("per_token_s (constant)", *fit.per_token_constant_s);
  text += lognormal_lines("refused_s", fit.refused_s);
  return text;
}

std::string tokens_text(const CalibrationResult& fit) {
  std::string text = "completion tokens\n";
  if (fit.completion_tokens) {
    text += line("completion.shape", fit.completion_tokens->shape, "gamma, " + samples(fit.completion_tokens->samples));
    text += line("completion.scale", fit.completion_tokens->scale);
  } else {
    const double value = fit.completion_tokens_constant.value_or(0);
    text += line("completion (constant)", Estimate{value, value, value});
  }
  return text;
}

std::string faults_text(const CalibrationResult& fit) {
  std::string text = "faults, fractions of admitted requests (Wilson intervals)\n";
  text += line("server_error", fit.server_error);
  text += line("overloaded", fit.overloaded);
  text += line("timeout", fit.timeout);
  text += line("drop_mid_stream", fit.drop_mid_stream);
  text += line("quota_exhausted", fit.quota_exhausted);
  return text;
}

std::string limits_text(const CalibrationResult& fit) {
  std::string text = fit.api == "anthropic" ? "rate limits (per minute), Anthropic API\n"
                                             : "rate limits (per minute)\n";
  if (fit.rpm) text += line("rpm", fit.rpm->per_minute, fit.rpm->source);
  if (fit.tpm) text += line("tpm", fit.tpm->per_minute, fit.tpm->source);
  if (fit.itpm) text += line("itpm", fit.itpm->per_minute, fit.itpm->source);
  if (fit.otpm) text += line("otpm", fit.otpm->per_minute, fit.otpm->source);
  return text;
}

std::string goodness_text(const CalibrationResult& fit) {
  char text[320];
  std::snprintf(text, sizeof text,
                "goodness of fit: Kolmogorov-Smirnov distance %.4f between the trace's latency of "
                "successes (n=%zu) and the fitted model's (n=%zu draws); 5%% critical value %.4f: %s\n",
                fit.ks_distance, fit.ks_trace_samples, fit.ks_model_samples, fit.ks_critical,
                fit.ks_distance <= fit.ks_critical ? "not rejected" : "rejected");
  return text;
}

Json lognormal_json(const std::optional<LogNormalFit>& fit) {
  if (!fit) return 0.0;
  return Json{{"dist", "lognormal"}, {"median", fit->median.value}, {"sigma", fit->sigma.value}};
}

Json limits_json(const CalibrationResult& fit) {
  Json limits = Json::object();
  // The loader wants whole numbers >= 1.
  const auto whole = [](const LimitFit& limit) {
    return std::max<std::int64_t>(1, std::llround(limit.per_minute.value));
  };
  if (fit.rpm) limits["rpm"] = whole(*fit.rpm);
  if (fit.tpm) limits["tpm"] = whole(*fit.tpm);
  if (fit.itpm) limits["itpm"] = whole(*fit.itpm);
  if (fit.otpm) limits["otpm"] = whole(*fit.otpm);
  return limits;
}

}  // namespace

std::string calibration_text(const CalibrationResult& fit) {
  return counts_text(fit) + latency_text(fit) + tokens_text(fit) + faults_text(fit) + limits_text(fit) +
         goodness_text(fit);
}

std::string provider_json(const CalibrationResult& fit) {
  Json latency{{"time_to_first_token_s", lognormal_json(fit.time_to_first_token_s)},
               {"per_token_s", fit.per_token_s ? lognormal_json(fit.per_token_s)
                                               : Json(fit.per_token_constant_s->value)},
               {"refused_s", lognormal_json(fit.refused_s)}};
  Json completion = fit.completion_tokens
                        ? Json{{"dist", "gamma"},
                               {"shape", fit.completion_tokens->shape.value},
                               {"scale", fit.completion_tokens->scale.value}}
                        : Json(fit.completion_tokens_constant.value_or(0));
  Json provider = Json::object();
  // OpenAI is the loader's default: its sections stay as they were before the api field.
  if (fit.api == "anthropic") provider["api"] = fit.api;
  provider.update(Json{{"limits", limits_json(fit)},
                {"latency", latency},
                {"tokens", {{"completion", completion}}},
                {"faults",
                 {{"server_error", fit.server_error.value},
                  {"overloaded", fit.overloaded.value},
                  {"timeout", fit.timeout.value},
                  {"drop_mid_stream", fit.drop_mid_stream.value},
                  {"quota_exhausted", fit.quota_exhausted.value}}}});
  return provider.dump(2) + "\n";
}

}  // namespace llmsim
