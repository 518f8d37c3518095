// Queued faults: parsing POST /admin/faults bodies, matching and counting down.
#include "mockapi/fault_queue.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <nlohmann/json.hpp>


namespace llmsim::mockapi {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kMaxCount = 1'000'000;
constexpr std::array<std::string_view, 7> kFaults = {"500", "503", "429", "quota",
                                                    "hang", "drop", "slow"};
constexpr std::array<std::string_view, 8> kKeys = {"count", "endpoint", "model",      "key",
                                                   "status", "fault",    "latency_ms", "limit"};
// The limits a 429 can name, as rate_limiter.hpp's limit_name() writes them in lower case.
constexpr std::array<std::pair<std::string_view, LimitKind>, 4> kLimits = {{
    {"rpm", LimitKind::rpm}, {"tpm", LimitKind::tpm}, {"rpd", LimitKind::rpd}, {"tpd", LimitKind::tpd}}};

wire::ApiError bad(std::string_view param, std::string message) {
  return wire::ApiError{.status = 400, .message = std::move(message), .param = std::string(param),
                  .code = "invalid_fault_rule"};
}

std::optional<wire::ApiError> read_condition(const Json& body, const char* key,
                                       std::optional<std::string>& out) {
  const auto found = body.find(key);
  if (found == body.end()) return std::nullopt;
  if (!found->is_string() || found->get_ref<const std::string&>().empty()) {
    return bad(key, std::string("'") + key + "' must be a non-empty string.");
  }
  out = found->get<std::string>();
  return std::nullopt;
}

std::optional<wire::ApiError> read_kind(const Json& body, QueuedFault& rule) {
  const bool has_status = body.contains("status");
  if (has_status == body.contains("fault")) {
    return bad("fault", "Give exactly one of 'status' (500, 503 or 429) and 'fault' (500, 503, "
                        "429, quota, hang, drop or slow).");
  }
  if (has_status) {
    const Json& status = body["status"];
    if (!status.is_number_integer() ||
        (status != 500 && status != 503 && status != 429)) {
      return bad("status", "'status' must be 500, 503 or 429, got " + status.dump() + ".");
    }
    rule.fault = std::to_string(status.get<int>());
  } else {
    const Json& fault = body["fault"];
    if (!fault.is_string() ||
        std::find(kFaults.begin(), kFaults.end(), fault.get_ref<const std::string&>()) == kFaults.end()) {
      return bad("fault", "'fault' must be one of 500, 503, 429, quota, hang, drop, slow, got " +
                              fault.dump() + ".");
    }
    rule.fault = fault.get<std::string>();
  }
  if (const auto latency = body.find("latency_ms"); latency != body.end()) {
    if (rule.fault != "slow" || !latency->is_number() || latency->get<double>() < 0) {
      return bad("latency_ms", "'latency_ms' must be a number >= 0, with 'fault': 'slow'.");
    }
    rule.latency = from_millis(latency->get<double>());
  }
  return std::nullopt;
}

bool has_limit(const RateLimits& limits, LimitKind kind) {
  switch (kind) {
    case LimitKind::rpm: return limits.rpm.has_value();
    case LimitKind::tpm: return limits.tpm.has_value();
    case LimitKind::rpd: return limits.rpd.has_value();
    case LimitKind::tpd: return limits.tpd.has_value();
    default: return false;
  }
}

// Reads "limit" (with a 429 only, and one of the provider's limits).
std::optional<wire::ApiError> read_limit(const Json& body, const RateLimits& limits, QueuedFault& rule) {
  const auto limit = body.find("limit");
  if (limit == body.end()) return std::nullopt;
  if (rule.fault != "429") return bad("limit", "'limit' applies to a 429 only.");
  const auto kind = std::find_if(kLimits.begin(), kLimits.end(), [&](const auto& entry) {
    return limit->is_string() && limit->get_ref<const std::string&>() == entry.first;
  });
  if (kind == kLimits.end()) {
    return bad("limit", "'limit' must be one of rpm, tpm, rpd, tpd, got " + limit->dump() + ".");
  }
  if (!has_limit(limits, kind->second)) {
    return bad("limit", "'limit' " + limit->dump() + ": the provider has no " +
                            limit_name(kind->second) + " limit.");
  }
  rule.limit = kind->second;
  return std::nullopt;
}

std::optional<wire::ApiError> parse_rule(std::string_view text, const RateLimits& limits,
                                   QueuedFault& rule) {
  const Json body = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return bad("body", "The body must be a JSON object (a fault rule).");
  for (const auto& [key, unused] : body.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return bad(key, "Unknown field '" + key + "': a fault rule has count, endpoint, model, key, "
                      "status or fault, latency_ms, limit.");
    }
  }
  if (const auto count = body.find("count"); count != body.end()) {
    if (!count->is_number_integer() || *count < 1 || *count > kMaxCount) {
      return bad("count", "'count' must be an integer from 1 to 1000000, got " + count->dump() + ".");
    }
    rule.remaining = count->get<std::int64_t>();
  }
  for (const char* key : {"endpoint", "model", "key"}) {
    std::optional<std::string>& target =
        key == std::string_view("endpoint") ? rule.endpoint
                                            : (key == std::string_view("model") ? rule.model : rule.key);
    if (auto error = read_condition(body, key, target)) return error;
  }
  if (rule.endpoint == "chat") rule.endpoint = "chat.completions";
  constexpr std::array<std::string_view, 4> kEndpoints = {"chat.completions", "completions",
                                                         "embeddings", "responses"};
  if (rule.endpoint && std::find(kEndpoints.begin(), kEndpoints.end(), *rule.endpoint) == kEndpoints.end()) {
    return bad("endpoint", "'endpoint' must be one of chat.completions (or chat), completions, "
                           "embeddings, responses, got \"" + *rule.endpoint + "\".");
  }
  if (auto error = read_kind(body, rule)) return error;
  return read_limit(body, limits, rule);
}

std::string_view lower_limit_name(LimitKind kind) {
  for (const auto& [name, entry_kind] : kLimits) {
    if (entry_kind == kind) return name;
  }
  return "none";
}

Json nullable(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

std::optional<wire::ApiError> FaultQueue::add(std::string_view body, const RateLimits& limits) {
  QueuedFault rule;
  if (auto error = parse_rule(body, limits, rule)) return error;
  std::lock_guard lock(mutex_);
  if (rules_.size() >= kMaxQueuedFaults) {
    return bad("count", "Too many queued fault rules: at most " +
                            std::to_string(kMaxQueuedFaults) +
                            " at once; DELETE /admin/faults clears them.");
  }
  rule.id = next_id_++;
  rules_.push_back(std::move(rule));
  return std::nullopt;
}

std::optional<QueuedFault> FaultQueue::take(std::string_view endpoint, std::string_view model,
                                            std::string_view key) {
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if ((it->endpoint && *it->endpoint != endpoint) || (it->model && *it->model != model) ||
        (it->key && *it->key != key)) {
      continue;
    }
    QueuedFault taken = *it;
    if (--it->remaining == 0) rules_.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::string FaultQueue::list_json() {
  Json data = Json::array();
  std::lock_guard lock(mutex_);
  for (const QueuedFault& rule : rules_) {
    Json item = {{"id", rule.id}, {"remaining", rule.remaining}, {"endpoint", nullable(rule.endpoint)},
                 {"model", nullable(rule.model)}};
    item["key"] = rule.key ? Json(wire::mask_key(*rule.key)) : Json(nullptr);
    item["fault"] = rule.fault;
    item["latency_ms"] = rule.latency ? Json(static_cast<double>(rule.latency->count()) / 1e6) : Json(nullptr);
    item["limit"] = rule.limit ? Json(lower_limit_name(*rule.limit)) : Json(nullptr);
    data.push_back(std::move(item));
  }
  return Json{{"object", "list"}, {"data", std::move(data)}}.dump();
}

std::size_t FaultQueue::clear() {
  std::lock_guard lock(mutex_);
  const std::size_t count = rules_.size();
  rules_.clear();
  return count;
}

}  // namespace llmsim::mockapi
