// Reading PROVIDER objects of a scenario (see data/README.md, "provider").
#include <utility>

#include "scenario_sections.hpp"

namespace llmsim::scenario_detail {

namespace {

const std::vector<std::string_view> kProviderKeys = {
    // in the order data/README.md lists them
    "name",
    "api",
    "organization",
    "models",
    "limits",
    "initial_usage",
    "latency",
    "tokens",
    "faults",
    "api_keys",
    "send_retry_after_ms",
    "embedding_dimensions",
    "tool_call_share", "fixtures"};
const std::vector<std::string_view> kLimitKeys = {"rpm",  "tpm",   "rpd",  "tpd",
                                                  "itpm", "otpm",  "model", "tier",
                                                  "as_of", "quantization_ms"};
// The limits only one API has: OpenAI's tokens and daily limits, Anthropic's input and output
// tokens per minute; and the published-limits lookup, whose files hold OpenAI's tiers.
const std::vector<std::string_view> kOpenAiOnlyLimits = {"tpm", "rpd", "tpd", "model", "tier", "as_of"};
const std::vector<std::string_view> kAnthropicOnlyLimits = {"itpm", "otpm"};
const std::vector<std::string_view> kFaultKeys = {
    "server_error",    "overloaded",      "timeout",          "drop_mid_stream",
    "quota_exhausted", "slow_first_byte", "slow_first_byte_s"};

// Slack for rounding when fault probabilities are added up (0.1 + 0.2 + 0.7 > 1 in doubles).
constexpr double kProbabilitySumSlack = 1e-9;

// Reads "tier": an integer >= 1 or a non-empty tier name such as "free".
std::optional<std::string> read_tier(const ObjectReader& limits) {
  const Json& value = *limits.get("tier");
  if (value.is_string() && !value.get_ref<const std::string&>().empty())
    return value.get<std::string>();
  if (value.is_number()) {
    const auto tier =
        read_integer(limits.problems(), value, limits.pointer_of("tier"), IntRule::at_least(1));
    if (tier) return std::to_string(*tier);
    return std::nullopt;
  }
  limits.problems().add_got(limits.pointer_of("tier"), "must be an integer >= 1 or a tier name",
                            value);
  return std::nullopt;
}

// Looks up the published limits named by "model" (default: the provider's first), "tier" and
// "as_of" and sets them, with their source, in `out`.
void read_published(const ObjectReader& provider, const ObjectReader& limits,
                    PublishedLimits& published, ProviderConfig& out) {
  PublishedLimits::Query query;
  const bool has_model = limits.has("model");
  const std::optional<std::string> model =
      has_model ? limits.string("model", true) : std::optional<std::string>(out.models.front());
  std::optional<std::string> tier;
  if (limits.has("tier")) {
    tier = read_tier(limits);
  } else {
    limits.problems().add(limits.pointer_of("tier"),
                          "required to look up published limits, got nothing");
  }
  query.as_of = limits.string("as_of");
  if (query.as_of && !is_month(*query.as_of)) {
    limits.problems().add_got(limits.pointer_of("as_of"), "must be a month \"YYYY-MM\"",
                              *limits.get("as_of"));
    return;
  }
  if (!model || !tier || (limits.has("as_of") && !query.as_of)) return;
  query.model = *model;
  query.model_pointer =
      has_model ? limits.pointer_of("model") : child_pointer(provider.pointer_of("models"), 0);
  query.model_value = Json(*model);
  query.tier = *tier;
  std::string path;
  const auto entry = published.lookup(limits, query, path);
  if (!entry) return;
  out.limits = entry->limits;
  out.limits_source = *model + " tier " + *tier + ", " + path + ", as of " + entry->as_of + " (" +
                      entry->period + (entry->source.empty() ? "" : ", " + entry->source) + ")";
}

// Sets one explicit limit, noting it in the source when it overrides a published one.
void override_limit(const ObjectReader& limits, std::string_view key,
                    std::optional<std::int64_t>& target,
                    std::vector<std::string_view>& overridden) {
  const auto value = limits.integer(key, IntRule::at_least(1));
  if (!value) return;
  target = *value;
  overridden.push_back(key);
}

// Records each key of `limits` that the provider's API does not have; returns whether none.
bool check_api_limits(const ObjectReader& limits, ProviderApi api) {
  const bool is_anthropic = api == ProviderApi::anthropic;
  const auto& foreign = is_anthropic ? kOpenAiOnlyLimits : kAnthropicOnlyLimits;
  bool ok = true;
  for (std::string_view key : foreign) {
    if (!limits.has(key)) continue;
    ok = false;
    limits.problems().add_got(
        limits.pointer_of(key),
        is_anthropic ? "not an Anthropic limit (\"api\": \"anthropic\" has rpm, itpm, otpm)"
                     : "is an Anthropic limit: needs \"api\": \"anthropic\" (OpenAI has rpm, tpm, rpd, tpd)",
        *limits.get(key));
  }
  return ok;
}

void read_limits(const ObjectReader& provider, PublishedLimits& published, ProviderConfig& out) {
  if (!provider.require("limits")) return;
  const ObjectReader limits = provider.object("limits", kLimitKeys);
  if (!limits.is_object()) return;
  if (!check_api_limits(limits, out.api)) return;
  const bool is_lookup = limits.has("model") || limits.has("tier") || limits.has("as_of");
  const bool has_numbers = limits.has("rpm") || limits.has("tpm") || limits.has("rpd") ||
                           limits.has("tpd") || limits.has("itpm") || limits.has("otpm");
  if (is_lookup) {
    read_published(provider, limits, published, out);
  } else if (!has_numbers) {
    limits.problems().add_got(limits.pointer(),
                              out.api == ProviderApi::anthropic
                                  ? "needs at least one of rpm, itpm, otpm"
                                  : "needs at least one of rpm, tpm, rpd, tpd, or a published \"tier\"",
                              limits.json());
  }
  std::vector<std::string_view> overridden;
  override_limit(limits, "rpm", out.limits.rpm, overridden);
  override_limit(limits, "tpm", out.limits.tpm, overridden);
  override_limit(limits, "rpd", out.limits.rpd, overridden);
  override_limit(limits, "tpd", out.limits.tpd, overridden);
  override_limit(limits, "itpm", out.limits.itpm, overridden);
  override_limit(limits, "otpm", out.limits.otpm, overridden);
  if (out.limits_source && !overridden.empty()) {
    *out.limits_source += "; " + join(overridden) + " set by the scenario";
  }
  if (const auto ms = limits.number("quantization_ms", NumberRule::above(0.0))) {
    out.limits.quantization_window = from_millis(*ms);
  }
}

// Reads one "initial_usage" counter, which must fit under its daily limit.
void read_daily_usage(const ObjectReader& usage, std::string_view key,
                      const std::optional<std::int64_t>& limit, std::string_view limit_name,
                      bool is_limit_known, std::int64_t& target) {
  const auto value = usage.integer(key, IntRule::at_least(0));
  if (!value || !is_limit_known) return;
  const Json& json = *usage.get(key);
  if (*value > 0 && !limit) {
    usage.problems().add_got(
        usage.pointer_of(key),
        "needs the daily limit \"" + std::string(limit_name) + "\" in \"limits\"", json);
  } else if (limit && *value > *limit) {
    usage.problems().add_got(usage.pointer_of(key),
                             "must be <= the daily limit " + std::string(limit_name) + " (" +
                                 std::to_string(*limit) + ")",
                             json);
  } else {
    target = *value;
  }
}

void read_faults(const ObjectReader& provider, FaultConfig& faults) {
  const ObjectReader object = provider.object("faults", kFaultKeys);
  const std::pair<std::string_view, double*> fields[] = {
      {"server_error", &faults.server_error},
      {"overloaded", &faults.overloaded},
      {"timeout", &faults.timeout},
      {"drop_mid_stream", &faults.drop_mid_stream},
      {"quota_exhausted", &faults.quota_exhausted},
      {"slow_first_byte", &faults.slow_first_byte}};
  double sum = 0.0;
  for (const auto& [key, target] : fields) {
    if (const auto value = object.number(key, NumberRule::probability())) {
      *target = *value;
      sum += *value;
    }
  }
  if (sum > 1.0 + kProbabilitySumSlack) {
    object.problems().add(object.pointer(),
                          "probabilities must add up to <= 1, got " + format_number(sum));
  }
  read_distribution_field(object, "slow_first_byte_s", faults.slow_first_byte_s, true);
}

}  // namespace

ProviderConfig read_provider(Problems& problems, const Json& value, const std::string& pointer,
                             PublishedLimits& limits) {
  ProviderConfig out;
  const ObjectReader provider(problems, &value, pointer, kProviderKeys);
  if (!provider.is_object()) return out;
  assign(out.name, provider.string("name", true));
  if (const auto api = provider.choice("api", {"openai", "anthropic"})) {
    out.api = *api == "anthropic" ? ProviderApi::anthropic : ProviderApi::openai;
  }
  assign(out.organization, provider.string("organization", true));
  assign(out.models, read_string_list(provider, "models", true));
  const std::size_t before_limits = problems.size();
  read_limits(provider, limits, out);
  const bool is_limit_known = problems.size() == before_limits;
  const ObjectReader usage = provider.object("initial_usage", {"requests_today", "tokens_today"});
  read_daily_usage(usage, "requests_today", out.limits.rpd, "rpd", is_limit_known,
                   out.initial_usage.requests_today);
  read_daily_usage(usage, "tokens_today", out.limits.tpd, "tpd", is_limit_known,
                   out.initial_usage.tokens_today);
  const ObjectReader latency =
      provider.object("latency", {"time_to_first_token_s", "per_token_s", "refused_s"});
  read_distribution_field(latency, "time_to_first_token_s", out.latency.time_to_first_token_s,
                          true);
  read_distribution_field(latency, "per_token_s", out.latency.per_token_s, true);
  read_distribution_field(latency, "refused_s", out.latency.refused_s, true);
  const ObjectReader tokens = provider.object("tokens", {"completion"});
  read_distribution_field(tokens, "completion", out.tokens.completion_tokens, true);
  read_faults(provider, out.faults);
  assign(out.api_keys, read_string_list(provider, "api_keys", false));
  assign(out.send_retry_after_ms, provider.boolean("send_retry_after_ms"));
  assign(out.embedding_dimensions,
         provider.integer("embedding_dimensions", IntRule::int_at_least(1)));
  // Anthropic sends neither retry-after-ms nor embeddings.
  if (out.api == ProviderApi::anthropic) {
    for (std::string_view key : {"send_retry_after_ms", "embedding_dimensions"}) {
      if (provider.has(key)) {
        problems.add_got(provider.pointer_of(key),
                         "is OpenAI's: an \"api\": \"anthropic\" provider has no such setting",
                         *provider.get(key));
      }
    }
  }
  assign(out.tool_call_share, provider.number("tool_call_share", NumberRule::probability()));
  assign(out.fixtures, provider.string("fixtures", true));
  return out;
}

std::vector<ProviderConfig> read_providers(const ObjectReader& root, PublishedLimits& limits) {
  Problems& problems = root.problems();
  const bool has_one = root.has("provider");
  const bool has_many = root.has("providers");
  if (has_one == has_many) {
    problems.add(root.pointer(),
                 std::string("needs exactly one of \"provider\" or \"providers\", got ") +
                     (has_one ? "both" : "neither"));
    return {};
  }
  if (has_one) return {read_provider(problems, *root.get("provider"), "/provider", limits)};
  const Json& list = *root.get("providers");
  if (!list.is_array() || list.empty()) {
    problems.add_got("/providers", "must be a non-empty array of provider objects", list);
    return {};
  }
  std::vector<ProviderConfig> providers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string pointer = child_pointer("/providers", i);
    providers.push_back(read_provider(problems, list[i], pointer, limits));
    for (std::size_t j = 0; j < i; ++j) {
      if (providers[j].name != providers[i].name) continue;
      problems.add_got(
          child_pointer(pointer, "name"),
          "must be unique (same as " + child_pointer(child_pointer("/providers", j), "name") + ")",
          Json(providers[i].name));
      break;
    }
  }
  return providers;
}

}  // namespace llmsim::scenario_detail
