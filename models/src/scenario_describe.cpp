// A human-readable summary of a loaded scenario (`llmsim check`). Deterministic: the same
// scenario always gives the same text.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/service_time.hpp"
#include "scenario_sections.hpp"

namespace llmsim {

namespace {

using scenario_detail::format_number;

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Returns "1 request" / "3 requests" (or the given plural: "2 retries").
std::string count_of(std::int64_t count, const std::string& noun, const std::string& plural = "") {
  if (count == 1) return "1 " + noun;
  return std::to_string(count) + " " + (plural.empty() ? noun + "s" : plural);
}

std::string join_parts(const std::vector<std::string>& parts, const std::string& separator = ", ") {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

bool is_zero(const Distribution& dist) {
  const auto* constant = std::get_if<Distribution::Constant>(&dist.family());
  return constant != nullptr && constant->value == 0.0;
}

std::string describe_limits(const ProviderConfig& provider) {
  const RateLimits& limits = provider.limits;
  std::vector<std::string> parts;
  if (limits.rpm) parts.push_back(std::to_string(*limits.rpm) + " RPM");
  if (limits.tpm) parts.push_back(std::to_string(*limits.tpm) + " TPM");
  if (limits.rpd) parts.push_back(std::to_string(*limits.rpd) + " RPD");
  if (limits.tpd) parts.push_back(std::to_string(*limits.tpd) + " TPD");
  if (limits.itpm) parts.push_back(std::to_string(*limits.itpm) + " ITPM");
  if (limits.otpm) parts.push_back(std::to_string(*limits.otpm) + " OTPM");
  std::string text = "  limits: " + join_parts(parts) +
                     " (source: " + provider.limits_source.value_or("set in the scenario") + ")\n";
  if (limits.quantization_window) {
    text += "  limits also enforced over " +
            format_number(to_seconds(*limits.quantization_window) * 1e3) + " ms windows\n";
  }
  if (provider.initial_usage.requests_today > 0 || provider.initial_usage.tokens_today > 0) {
    text += "  already used today: " + count_of(provider.initial_usage.requests_today, "request") +
            ", " + count_of(provider.initial_usage.tokens_today, "token") + "\n";
  }
  return text;
}

std::string describe_faults(const FaultConfig& faults) {
  std::vector<std::string> parts;
  auto add = [&parts](const char* name, double probability) {
    if (probability > 0.0) parts.push_back(std::string(name) + " " + format_number(probability));
  };
  add("server_error", faults.server_error);
  add("overloaded", faults.overloaded);
  add("timeout", faults.timeout);
  add("drop_mid_stream", faults.drop_mid_stream);
  add("quota_exhausted", faults.quota_exhausted);
  if (faults.slow_first_byte > 0.0) {
    parts.push_back("slow_first_byte " + format_number(faults.slow_first_byte) + " (delay " +
                    faults.slow_first_byte_s.describe() + " s)");
  }
  return "  faults: " + (parts.empty() ? std::string("none") : join_parts(parts)) + "\n";
}

std::string describe_provider(const ProviderConfig& provider) {
  // OpenAI's API is the default and goes unnamed, as in the scenario file.
  const std::string api = provider.api == ProviderApi::openai
                              ? std::string()
                              : std::string(", API ") + api_name(provider.api);
  std::string text = "provider " + quoted(provider.name) + " (organization " +
                     provider.organization + api + "), models " + join_parts(provider.models) + "\n";
  text += describe_limits(provider);
  text += "  latency: first token " + provider.latency.time_to_first_token_s.describe() +
          " s, per further token " + provider.latency.per_token_s.describe() + " s, refusals " +
          provider.latency.refused_s.describe() + " s\n";
  text += "  completion tokens: " + provider.tokens.completion_tokens.describe() + "\n";
  text += describe_faults(provider.faults);
  text += "  api keys: " +
          (provider.api_keys.empty()
               ? std::string("any key accepted")
               : count_of(static_cast<std::int64_t>(provider.api_keys.size()), "key")) +
          "; retry-after-ms " + (provider.send_retry_after_ms ? "sent" : "not sent") +
          "; embeddings of " + std::to_string(provider.embedding_dimensions) + " dimensions\n";
  return text;
}

std::string describe_retry(const RetryConfig& retry) {
  if (retry.max_retries == 0) return "  retry: none\n";
  std::vector<std::string> on;
  if (retry.retry_on_429) on.emplace_back("429");
  if (retry.retry_on_5xx) on.emplace_back("5xx");
  if (retry.retry_on_timeout) on.emplace_back("timeout");
  if (retry.retry_on_connection_error) on.emplace_back("connection");
  return "  retry: up to " + count_of(retry.max_retries, "retry", "retries") + " on " +
         (on.empty() ? std::string("nothing") : join_parts(on)) + ", backoff " +
         format_number(retry.initial_backoff_s) + " s doubling to " +
         format_number(retry.max_backoff_s) + " s, jitter " + format_number(retry.jitter) + ", " +
         (retry.honor_retry_after
              ? "retry-after honoured up to " + format_number(retry.max_retry_after_s) + " s"
              : std::string("retry-after ignored")) +
         "\n";
}

// Returns one line per strategy the client uses (none: nothing).
std::string describe_strategies(const ClientConfig& client) {
  std::string text;
  if (client.queue) {
    text += "  queue: up to " + std::to_string(client.queue->max_length) + " waiting, " +
            (client.queue->max_wait_s ? "shed after " + format_number(*client.queue->max_wait_s) + " s"
                                      : std::string("no deadline")) +
            "\n";
  }
  if (const auto& pacing = client.pacing) {
    text += "  pacing: " +
            (pacing->requests_per_minute ? std::to_string(*pacing->requests_per_minute) + " RPM"
                                         : std::string("no RPM")) +
            ", " +
            (pacing->tokens_per_minute ? std::to_string(*pacing->tokens_per_minute) + " TPM"
                                       : std::string("no TPM")) +
            (pacing->learn_from_headers ? ", learning from x-ratelimit-* headers" : "") + "\n";
  }
  if (const auto& cache = client.cache) {
    text += "  cache: " +
            (cache->hit_ratio
                 ? "hit ratio " + format_number(*cache->hit_ratio)
                 : std::to_string(cache->distinct_prompts) + " prompts, Zipf exponent " +
                       format_number(cache->zipf_exponent) + ", TTL " +
                       (cache->ttl_s ? format_number(*cache->ttl_s) + " s" : std::string("none")) +
                       ", capacity " +
                       (cache->capacity ? std::to_string(*cache->capacity) : std::string("unbounded"))) +
            ", hits take " + cache->latency_s.describe() + " s\n";
  }
  if (client.priority) {
    text += "  priority: VIP share " + format_number(client.priority->vip_share) + "\n";
  }
  return text;
}

std::string describe_client(const ClientConfig& client) {
  std::string text = "client: " + count_of(client.connections, "connection") + ", timeout " +
                     (client.timeout_s ? format_number(*client.timeout_s) + " s"
                                       : std::string("none (waits forever)")) +
                     "\n";
  text += describe_retry(client.retry);
  const CpuConfig& cpu = client.cpu;
  if (cpu.enabled) {
    text += "  cpu: " + count_of(cpu.cores, "core") +
            (cpu.discipline == CpuDiscipline::event_loop ? " (an event loop every ready job shares)" : "") + ", " +
            (cpu.per_start_ms > 0 ? format_number(cpu.per_start_ms) + " ms per attempt built, " : "") +
            (cpu.per_connection_ms > 0 ? format_number(cpu.per_connection_ms) + " ms per connection opened, " : "") +
            format_number(cpu.per_request_ms) + " ms per request, " + format_number(cpu.per_response_ms) +
            " ms per response\n";
  } else {
    text += "  cpu: not modelled\n";
  }
  const NetworkConfig& network = client.network;
  text += "  network: rtt " + format_number(network.rtt_ms) + " ms, overhead " +
          std::to_string(network.request_overhead_bytes) + " bytes per request, " +
          (network.response_overhead_bytes ? std::to_string(*network.response_overhead_bytes) + " bytes per response"
                                           : std::string("responses as the provider's API sends them"));
  if (network.connect_round_trips > 0) {
    text += ", " + count_of(network.connect_round_trips, "round trip") + " to open a connection";
  }
  if (network.keepalive_s) text += ", idle connections close after " + format_number(*network.keepalive_s) + " s";
  text += "\n";
  return text + describe_strategies(client) + scenario_detail::describe_routing(client);
}

std::string describe_request(const RequestConfig& request) {
  return "request: " + std::string(endpoint_name(request.endpoint)) + ", model " + request.model + ", " +
         count_of(request.prompt_tokens, "prompt token") +
         (request.prompt ? " (estimated from the prompt)" : "") + ", max_tokens " +
         (request.max_tokens ? std::to_string(*request.max_tokens) : std::string("none")) + ", " +
         (request.stream ? "streamed" : "not streamed") + "\n";
}

std::string describe_start(const Phase& phase) {
  switch (phase.start) {
    case StartMode::all_at_once:
      return "all at once";
    case StartMode::ramp:
      return "ramp over " + format_number(phase.ramp_s) + " s";
    case StartMode::poisson:
      return "Poisson arrivals at " + format_number(phase.rate_per_s) + "/s";
    case StartMode::constant_rate:
      return "arrivals at a constant " + format_number(phase.rate_per_s) + "/s";
  }
  return "?";
}

std::string describe_phase(const Phase& phase, std::size_t index) {
  const std::string default_name = "phase " + std::to_string(index + 1);
  std::string text =
      "  " + default_name + (phase.name == default_name ? "" : " " + quoted(phase.name)) + ": ";
  std::vector<std::string> parts = {count_of(phase.users, "user"), describe_start(phase)};
  if (phase.requests_per_user)
    parts.push_back(count_of(*phase.requests_per_user, "request") + " each");
  if (phase.duration_s) parts.push_back("for " + format_number(*phase.duration_s) + " s");
  if (!is_zero(phase.think_time_s))
    parts.push_back("think time " + phase.think_time_s.describe() + " s");
  parts.push_back("gap " + format_number(phase.gap_before_s) + " s");
  return text + join_parts(parts) + "\n";
}

std::string describe_thresholds(const std::vector<Threshold>& thresholds) {
  if (thresholds.empty()) return "thresholds: none\n";
  std::string text = "thresholds:\n";
  for (const Threshold& threshold : thresholds) {
    text +=
        "  " + threshold.metric + " " + threshold.op + " " + format_number(threshold.value) + " (" +
        (threshold.phase ? "phase " + quoted(*threshold.phase) : std::string("whole run")) + ")\n";
  }
  return text;
}

// A phase with this many requests per user (or a duration) is read as users working steadily.
constexpr int kSteadyRequestsPerUser = 10;
constexpr double kSecondsPerMinute = 60;

// Returns a figure with 4 significant digits ("0.9119", "99.27").
std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// Returns the warning for a burst phase whose users start with a full bucket: the bucket serves
// them, so the answer is far above what users working steadily get (RPM x (think + service) / 60).
std::optional<std::string> burst_warning(const Scenario& scenario, const Phase& phase, double service_s) {
  const auto& rpm = scenario.providers.front().limits.rpm;
  const bool is_closed = phase.start == StartMode::all_at_once || phase.start == StartMode::ramp;
  if (!rpm || !is_closed || phase.duration_s || !phase.requests_per_user ||
      *phase.requests_per_user >= kSteadyRequestsPerUser) {
    return std::nullopt;
  }
  const double think_s = phase.think_time_s.mean();
  const double steady = static_cast<double>(*rpm) * (think_s + service_s) / kSecondsPerMinute;
  if (think_s + service_s <= 0 || phase.users <= steady) return std::nullopt;
  return "phase " + quoted(phase.name) + ": " + count_of(phase.users, "user") + " x " +
         count_of(*phase.requests_per_user, "request") + " start together with a full bucket (" +
         std::to_string(*rpm) + " RPM): the result holds for this burst only; users working steadily " +
         "are bounded at RPM x (think + service) / 60 = " + std::to_string(*rpm) + " x (" + short_number(think_s) +
         " + " + short_number(service_s) + ") / 60 = " + short_number(steady) +
         " users (data/README.md, \"Burst users and steady users\")";
}

// Returns the warnings of `llmsim check`: settings that make a result look better than it is.
std::string describe_warnings(const Scenario& scenario) {
  std::vector<std::string> warnings;
  for (const ProviderConfig& provider : scenario.providers) {
    if (is_zero(provider.latency.time_to_first_token_s) && is_zero(provider.latency.per_token_s)) {
      warnings.push_back("provider " + quoted(provider.name) +
                         ": latency left at 0 (time_to_first_token_s, per_token_s): every request is "
                         "answered at once, so latency checks pass and pools never fill; set "
                         "provider.latency (data/README.md, PROVIDER)");
    }
  }
  const double service_s = service_time_moments(scenario).mean;
  for (const Phase& phase : scenario.workload.phases) {
    if (auto warning = burst_warning(scenario, phase, service_s)) warnings.push_back(std::move(*warning));
  }
  if (warnings.empty()) return "";
  return "warnings:\n  " + join_parts(warnings, "\n  ") + "\n";
}

}  // namespace

std::string describe_scenario(const Scenario& scenario) {
  std::string text = "scenario " + quoted(scenario.name) + " (" + scenario.path + ")\n";
  if (!scenario.description.empty()) text += "  " + scenario.description + "\n";
  text += "seed: " + std::to_string(scenario.seed) + "\n";
  for (const ProviderConfig& provider : scenario.providers) text += describe_provider(provider);
  text += describe_client(scenario.client);
  text += describe_request(scenario.request);
  text +=
      "workload: " + count_of(static_cast<std::int64_t>(scenario.workload.phases.size()), "phase") +
      "\n";
  for (std::size_t i = 0; i < scenario.workload.phases.size(); ++i) {
    text += describe_phase(scenario.workload.phases[i], i);
  }
  text += describe_thresholds(scenario.thresholds);
  text += describe_warnings(scenario);
  return text;
}

}  // namespace llmsim
