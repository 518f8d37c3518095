// Reading the ROUTING and LOCAL_FALLBACK objects of a client (see data/README.md, "ROUTING"), and
// the routing facts the drivers share.
#include <algorithm>

#include "models/random.hpp"
#include "scenario_sections.hpp"

namespace llmsim {

namespace scenario_detail {

namespace {

const std::vector<std::string_view> kTriggers = {"rate_limit", "server_error", "timeout",
                                                 "connection_error"};
const std::vector<std::string_view> kKeyChoices = {"first", "round_robin", "least_loaded"};
const std::vector<std::string_view> kProviderChoices = {"first", "failover", "round_robin",
                                                        "least_loaded"};

// Reads a list of trigger names (validated by read_string_list) into `out`.
void read_triggers(const ObjectReader& object, std::string_view key, bool non_empty,
                   RouteTriggers& out) {
  const auto names = read_string_list(object, key, non_empty, kTriggers);
  if (!names) return;
  const auto has = [&names](std::string_view name) {
    return std::find(names->begin(), names->end(), name) != names->end();
  };
  out = RouteTriggers{.rate_limit = has("rate_limit"),
                      .server_error = has("server_error"),
                      .timeout = has("timeout"),
                      .connection_error = has("connection_error")};
}

template <typename Enum>
void assign_choice(Enum& target, const std::optional<std::string>& name,
                   const std::vector<std::string_view>& names) {
  if (!name) return;
  const auto it = std::find(names.begin(), names.end(), *name);
  target = static_cast<Enum>(it - names.begin());
}

}  // namespace

void read_routing(const ObjectReader& client, RoutingConfig& out) {
  const ObjectReader routing = client.object("routing", {"key_choice", "providers", "failover_on"});
  assign_choice(out.key_choice, routing.choice("key_choice", kKeyChoices), kKeyChoices);
  assign_choice(out.providers, routing.choice("providers", kProviderChoices), kProviderChoices);
  if (!routing.has("failover_on")) return;
  if (out.providers == ProviderChoice::first) {
    routing.problems().add_got(routing.pointer_of("failover_on"),
                               "needs \"providers\" to be \"failover\", \"round_robin\" or "
                               "\"least_loaded\" (\"first\" never fails over)",
                               *routing.get("failover_on"));
    return;
  }
  read_triggers(routing, "failover_on", false, out.failover_on);
}

void read_local_fallback(const ObjectReader& client, std::optional<LocalFallbackConfig>& out) {
  const ObjectReader local = client.object(
      "local_fallback",
      {"on", "concurrency", "time_to_first_token_s", "per_token_s", "completion_tokens"});
  if (!local.is_object()) return;
  LocalFallbackConfig config;
  if (local.require("on")) read_triggers(local, "on", true, config.on);
  if (local.require("concurrency")) {
    assign(config.concurrency, local.integer("concurrency", IntRule::int_at_least(1)));
  }
  if (local.require("time_to_first_token_s")) {
    read_distribution_field(local, "time_to_first_token_s", config.time_to_first_token_s, true);
  }
  read_distribution_field(local, "per_token_s", config.per_token_s, true);
  if (local.has("completion_tokens")) {
    Distribution tokens = Distribution::constant(0.0);
    read_distribution_field(local, "completion_tokens", tokens, true);
    config.completion_tokens = tokens;
  }
  out = config;
}

namespace {

std::string trigger_list(const RouteTriggers& t) {
  std::vector<std::string_view> names;
  if (t.rate_limit) names.push_back("rate_limit");
  if (t.server_error) names.push_back("server_error");
  if (t.timeout) names.push_back("timeout");
  if (t.connection_error) names.push_back("connection_error");
  return names.empty() ? "nothing" : join(names);
}

}  // namespace

std::string describe_routing(const ClientConfig& client) {
  const RoutingConfig& routing = client.routing;
  std::string text;
  if (routing.key_choice != KeyChoice::first || routing.providers != ProviderChoice::first) {
    text += "  routing: keys " + std::string(kKeyChoices[static_cast<std::size_t>(routing.key_choice)]) +
            ", providers " + std::string(kProviderChoices[static_cast<std::size_t>(routing.providers)]);
    if (routing.providers != ProviderChoice::first) {
      text += ", failover on " + trigger_list(routing.failover_on);
    }
    text += "\n";
  }
  if (const auto& local = client.local_fallback) {
    text += "  local fallback: on " + trigger_list(local->on) + ", " +
            std::to_string(local->concurrency) + " at once, first token " +
            local->time_to_first_token_s.describe() + " s\n";
  }
  return text;
}

}  // namespace scenario_detail

std::size_t routed_provider_count(const Scenario& scenario) {
  return scenario.client.routing.providers == ProviderChoice::first ? 1 : scenario.providers.size();
}

std::uint64_t provider_seed(std::uint64_t seed, const std::vector<ProviderConfig>& providers,
                            std::size_t index) {
  if (index == 0) return seed;
  return seed ^ fnv1a64("provider:" + providers[index].name);
}

bool has_routing(const Scenario& scenario) {
  const RoutingConfig& routing = scenario.client.routing;
  return routing.key_choice != KeyChoice::first || routing.providers != ProviderChoice::first ||
         scenario.client.local_fallback.has_value();
}

}  // namespace llmsim
