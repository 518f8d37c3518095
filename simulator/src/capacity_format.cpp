// The analytic bound beside a capacity search, and the result as text and JSON (see capacity.hpp).
#include "simulator/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"
#include "models/service_time.hpp"
#include "models/token_model.hpp"
#include "simulator/analysis.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::ordered_json;

constexpr double kSecondsPerMinute = 60;
// A phase with this many requests per user (or a duration) is read as users working steadily.
constexpr int kSteadyRequestsPerUser = 10;

// A provider's binding per-minute limit in requests (bucket and refill per second), or the sum
// of the routed providers' when the client spreads or fails over across them.
struct MinuteLimit {
  double bucket = 0;
  double per_s = 0;
  double keys = 1;
  std::string text;  // "500 RPM", "200000 TPM / 46 tokens", or "openai 500 RPM + anthropic ..."
};

bool is_per_minute(LimitKind kind) {
  return kind == LimitKind::rpm || kind == LimitKind::tpm || kind == LimitKind::itpm ||
         kind == LimitKind::otpm;
}

// The provider's per-minute limit that admits the fewest of the scenario's requests.
std::optional<MinuteLimit> provider_limit(const Scenario& scenario, const ProviderConfig& provider) {
  const RequestConfig& request = scenario.request;
  const RequestCost cost = request_cost(ProviderRequest{.prompt_tokens = request.prompt_tokens,
                                                        .max_tokens = request.max_tokens,
                                                        .is_embedding = !is_generation(request.endpoint)});
  std::optional<MinuteLimit> out;
  for (const LimiterLevel& level : RateLimiter(provider.limits).levels(TimePoint{})) {
    const std::int64_t units = RateLimiter::units_of(level.kind, cost);
    if (!is_per_minute(level.kind) || units <= 0) continue;
    const double requests_per_min = static_cast<double>(level.limit) / static_cast<double>(units);
    if (out && requests_per_min >= out->bucket) continue;
    std::string text = std::to_string(level.limit) + " " + limit_name(level.kind);
    if (level.kind != LimitKind::rpm) text += " / " + format_figure(static_cast<double>(units)) + " tokens";
    out = MinuteLimit{requests_per_min, requests_per_min / kSecondsPerMinute, 1, text};
  }
  // Keys spread over by the client each have their own buckets.
  if (out && provider.api_keys.size() > 1 && scenario.client.routing.key_choice != KeyChoice::first) {
    out->keys = static_cast<double>(provider.api_keys.size());
  }
  return out;
}

std::string keys_text(const MinuteLimit& limit);

// The first provider's limit, or the routed providers' together: failover sends on what one
// refuses, round robin and least loaded spread the sends, so their buckets add up.
std::optional<MinuteLimit> minute_limit(const Scenario& scenario) {
  const std::size_t routed = routed_provider_count(scenario);
  if (routed <= 1) return provider_limit(scenario, scenario.providers.front());
  std::optional<MinuteLimit> sum;
  for (std::size_t i = 0; i < routed; ++i) {
    const ProviderConfig& provider = scenario.providers[i];
    const auto limit = provider_limit(scenario, provider);
    if (!limit) continue;  // a provider without a per-minute limit: no bound from it
    if (!sum) sum = MinuteLimit{};
    sum->bucket += limit->keys * limit->bucket;
    sum->per_s += limit->keys * limit->per_s;
    sum->text += (sum->text.empty() ? "" : " + ") + provider.name + " " + keys_text(*limit) + limit->text;
  }
  if (sum) sum->text = "(" + sum->text + ")";
  return sum;
}

std::string keys_text(const MinuteLimit& limit) {
  return limit.keys > 1 ? format_figure(limit.keys) + " keys x " : "";
}

}  // namespace

CapacityBound capacity_bound(const Scenario& scenario, std::size_t index, double success) {
  const Phase& phase = scenario.workload.phases[index];
  const auto limit = minute_limit(scenario);
  if (!limit) return {.kind = "none", .formula = "no per-minute limit"};
  const double service = service_time_moments(scenario).mean;
  const double think = phase.think_time_s.mean();
  const double keys = limit->keys;
  if (phase.start == StartMode::poisson || phase.start == StartMode::constant_rate) {
    return {.kind = "open",
            .load = keys * limit->per_s / success,
            .formula = keys_text(*limit) + limit->text + " / 60 / " + format_figure(success) + " success"};
  }
  const int requests = phase.requests_per_user.value_or(0);
  if (phase.duration_s || requests >= kSteadyRequestsPerUser) {
    return {.kind = "steady",
            .load = keys * limit->per_s * (think + service),
            .formula = keys_text(*limit) + limit->text + " x (think " + format_figure(think) + " s + service " +
                       format_figure(service) + " s) / 60"};
  }
  const double ramp = phase.start == StartMode::ramp ? phase.ramp_s : 0.0;
  const double span = ramp + requests * service + (requests - 1) * think;
  return {.kind = "burst",
          .load = keys * (limit->bucket + limit->per_s * span) / (requests * success),
          .formula = keys_text(*limit) + "(bucket " + format_figure(limit->bucket) + " + refill " +
                     format_figure(limit->per_s) + "/s x " + format_figure(span) + " s) / (" +
                     std::to_string(requests) + " request(s) per user x " + format_figure(success) +
                     " success)" + (limit->text.starts_with("(") ? ", buckets " + limit->text : "")};
}

namespace {

std::string load_text(const CapacityResult& r, double load) {
  return r.is_rate ? format_figure(load) + "/s" : format_figure(load) + " users";
}

// Returns `text` padded with spaces to `width` characters (longer text is kept whole).
std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string points_table(const CapacityResult& r) {
  std::vector<std::size_t> widths = {std::string(r.is_rate ? "rate_per_s" : "users").size()};
  for (const std::string& c : r.criteria) widths.push_back(c.size());
  std::string text = "evaluated (in the order tried; each criterion's worst seed):\n  " +
                     pad(r.is_rate ? "rate_per_s" : "users", widths[0] + 2);
  for (std::size_t c = 0; c < r.criteria.size(); ++c) text += pad(r.criteria[c], widths[c + 1] + 2);
  text += "passed\n";
  for (const CapacityPoint& p : r.points) {
    text += "  " + pad(format_figure(p.load), widths[0] + 2);
    for (std::size_t c = 0; c < p.criteria.size(); ++c) {
      text += pad(format_figure(p.criteria[c].worst) + (p.criteria[c].passed ? "" : " FAIL"), widths[c + 1] + 2);
    }
    text += p.passed ? "yes\n" : "no\n";
  }
  return text;
}

}  // namespace

std::string to_text(const CapacityResult& r) {
  std::string text = "capacity of " + r.scenario + (r.variant.empty() ? "" : " (" + r.variant + ")") +
                     ", phase \"" + r.phase + "\": " + (r.is_rate ? "arrival rate" : "users") + ", " +
                     std::to_string(r.seeds) + " seed(s), every criterion on every seed\n";
  text += "criteria: ";
  for (std::size_t i = 0; i < r.criteria.size(); ++i) text += (i > 0 ? ", " : "") + r.criteria[i];
  text += "\n";
  text += "answer: " + (r.answer ? load_text(r, *r.answer) : std::string("none (the smallest load tried fails)")) + "\n";
  if (r.above) {
    std::string failing;
    for (const std::string& f : r.failing) failing += (failing.empty() ? "" : ", ") + f;
    text += "just above: " + load_text(r, *r.above) + " fails " + failing + "\n";
  } else {
    text += "just above: nothing failed up to the largest load tried (--max)\n";
  }
  if (r.bound.kind == "none") {
    text += "analytic bound: none (" + r.bound.formula + ")\n";
  } else {
    text += "analytic bound (" + r.bound.kind + "): " + load_text(r, r.bound.load) + " = " + r.bound.formula + "\n";
  }
  return text + points_table(r);
}

std::string capacity_comparison_text(const std::vector<CapacityResult>& results) {
  std::string text;
  for (const CapacityResult& r : results) text += to_text(r) + "\n";
  std::size_t width = std::string("strategy").size();
  for (const CapacityResult& r : results) width = std::max(width, r.variant.size());
  text += pad("strategy", width + 2) + pad("answer", 10) + pad("bound", 10) + "just above (failing there)\n";
  for (const CapacityResult& r : results) {
    std::string failing;
    for (const std::string& f : r.failing) failing += (failing.empty() ? "" : ", ") + f;
    text += pad(r.variant, width + 2) + pad(r.answer ? format_figure(*r.answer) : "none", 10) +
            pad(r.bound.kind == "none" ? "-" : format_figure(r.bound.load), 10) +
            (r.above ? format_figure(*r.above) + " (" + failing + ")" : std::string("-")) + "\n";
  }
  return text;
}

std::string to_json(const std::vector<CapacityResult>& results) {
  Json list = Json::array();
  for (const CapacityResult& r : results) {
    Json points = Json::array();
    for (const CapacityPoint& p : r.points) {
      Json values = Json::array();
      for (std::size_t c = 0; c < p.criteria.size(); ++c) {
        values.push_back({{"criterion", r.criteria[c]}, {"worst", p.criteria[c].worst}, {"passed", p.criteria[c].passed}});
      }
      points.push_back({{"load", p.load}, {"passed", p.passed}, {"criteria", values}});
    }
    list.push_back({{"scenario", r.scenario},
                    {"variant", r.variant},
                    {"phase", r.phase},
                    {"load", r.is_rate ? "rate_per_s" : "users"},
                    {"criteria", r.criteria},
                    {"seeds", r.seeds},
                    {"answer", r.answer ? Json(*r.answer) : Json()},
                    {"above", r.above ? Json(*r.above) : Json()},
                    {"failing_above", r.failing},
                    {"bound", {{"kind", r.bound.kind}, {"load", r.bound.load}, {"formula", r.bound.formula}}},
                    {"points", points}});
  }
  return Json{{"schema_version", kCapacitySchemaVersion}, {"results", list}}.dump(2) + "\n";
}

}  // namespace llmsim
