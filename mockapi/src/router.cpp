// Routing, authentication, request numbering and the provider model call.
#include "mockapi/router.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "mockapi/messages_api.hpp"
#include "mockapi/request_parser.hpp"
#include "mockapi/response_bodies.hpp"
#include "mockapi/responses_parser.hpp"
#include "mockapi/text_generator.hpp"
#include "chat_content.hpp"
#include "fixture_plans.hpp"
#include "plans.hpp"
#include "wire/anthropic.hpp"
#include "wire/openai.hpp"

namespace llmsim::mockapi {
namespace {

// Unix time (s) the models' `created` field reports: gpt-3.5-turbo's release, as OpenAI lists it.
constexpr std::int64_t kModelCreatedUnixS = 1677610602;
constexpr std::string_view kModelsPrefix = "/v1/models/";

struct Route {
  std::string_view method;
  std::string_view path;
  std::string_view endpoint;  // metrics label
};

// The /v1 routes; GET /v1/models/{id} is matched by prefix.
// The API endpoints' paths and labels come from models/endpoint.hpp.
constexpr Route api_route(Endpoint endpoint) {
  return {"POST", endpoint_path(endpoint), endpoint_name(endpoint)};
}

constexpr std::array<Route, 5> kRoutes = {{
    api_route(Endpoint::chat_completions),
    api_route(Endpoint::completions),
    api_route(Endpoint::embeddings),
    api_route(Endpoint::responses),
    {"GET", "/v1/models", "models"},
}};

constexpr std::array<Route, 6> kOpsRoutes = {{
    {"GET", "/healthz", "healthz"},
    {"GET", "/metrics", "metrics"},
    {"POST", "/admin/reset", "admin"},
    {"GET", "/admin/faults", "admin.faults"},
    {"POST", "/admin/faults", "admin.faults"},
    {"DELETE", "/admin/faults", "admin.faults"},
}};

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Returns the endpoint label of (method, path) among `routes`, or "".
template <std::size_t N>
std::string_view find_route(const std::array<Route, N>& routes, std::string_view method,
                       std::string_view path) {
  for (const Route& route : routes) {
    if (route.method == method && route.path == path) {
      return route.endpoint;
    }
  }
  return {};
}

// Returns the key of an `Authorization: Bearer KEY` header, or "" when there is none.
std::string bearer_key(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size()) {
    return {};
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
      return {};
    }
  }
  std::string_view key = header.substr(kScheme.size());
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  return std::string(key);
}

// Returns x-stainless-retry-count as a number; anything else counts as a first attempt.
std::uint32_t attempt_of(const std::optional<std::string>& header) {
  std::uint32_t attempt = 0;
  if (header) {
    const auto result = std::from_chars(header->data(), header->data() + header->size(), attempt);
    if (result.ec != std::errc() || result.ptr != header->data() + header->size()) {
      return 0;
    }
  }
  return attempt;
}

// Returns the x-llmsim-request-id number when the header holds one, else the key's count `n`.
std::uint64_t stream_id_of(const std::optional<std::string>& header, std::uint64_t n) {
  std::uint64_t id = 0;
  if (!header) return n;
  const auto result = std::from_chars(header->data(), header->data() + header->size(), id);
  if (result.ec != std::errc() || result.ptr != header->data() + header->size()) return n;
  return id;
}

}  // namespace


std::string ResponsePlan::status_label() const {
  switch (kind) {
    case PlanKind::hang: return "hung";
    case PlanKind::drop: return "dropped";
    default: return std::to_string(status);
  }
}

std::optional<std::string> ResponsePlan::header(std::string_view name) const {
  for (const auto& [header_name, value] : headers) {
    if (header_name == name) {
      return value;
    }
  }
  return std::nullopt;
}

Router::Router(ProviderConfig config, std::uint64_t seed, std::int64_t created_unix_s,
               RouterOptions options)
    : config_(config), seed_(seed), created_unix_s_(created_unix_s), options_(std::move(options)),
      provider_(std::move(config), seed) {}

Router::Context Router::begin(const std::string& key, TimePoint now) {
  std::uint64_t n = 0;
  {
    std::lock_guard lock(mutex_);
    n = key.empty() ? anonymous_count_++ : counters_[key]++;
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return Context{PlanContext{config_, seed_, key, n, request_id(seed_, key, n),
                             created_unix_s_ + seconds.count()},
                 now};
}

bool Router::keep_key(const std::string& key, TimePoint now) {
  if (!config_.api_keys.empty()) return true;  // the configured keys bound the state already
  std::lock_guard lock(mutex_);
  latest_ = std::max(latest_, now);
  if (counters_.contains(key) || counters_.size() < options_.max_keys) return true;
  if (latest_ < next_sweep_) return false;
  forget_fresh_keys();
  if (counters_.size() < options_.max_keys) return true;
  next_sweep_ = latest_ + std::chrono::seconds(1);  // a sweep is O(keys): not on every request
  return false;
}

void Router::forget_fresh_keys() {
  for (auto it = counters_.begin(); it != counters_.end();) {
    it = provider_.forget_if_fresh(it->first, latest_) ? counters_.erase(it) : std::next(it);
  }
}

std::size_t Router::key_count() {
  std::lock_guard lock(mutex_);
  return counters_.size();
}

std::optional<ResponsePlan> Router::check_admin(const HttpRequest& request, TimePoint now) {
  const std::string token = bearer_key(request.authorization);
  const std::string& expected = options_.admin_token;
  // Compares every byte whatever the first difference, so timing tells nothing of the token.
  bool is_same = !expected.empty() && token.size() == expected.size();
  unsigned char difference = 0;
  for (std::size_t i = 0; is_same && i < token.size(); ++i) {
    difference = static_cast<unsigned char>(difference | (token[i] ^ expected[i]));
  }
  if (is_same && difference == 0) return std::nullopt;
  return error_plan(begin("", now), wire::invalid_admin_token());
}

ResponsePlan Router::error_plan(const Context& context, const wire::ApiError& error) {
  return mockapi::error_plan(context.plan, error);
}

Decision Router::decide(ProviderRequest request, TimePoint now) {
  std::lock_guard lock(mutex_);
  latest_ = std::max(latest_, now);
  return provider_.decide(request, latest_);
}

bool Router::has_model(const std::string& model) const {
  return std::find(config_.models.begin(), config_.models.end(), model) != config_.models.end();
}

ResponsePlan Router::handle(const HttpRequest& request, TimePoint now) {
  const std::string_view path = path_of(request.target);
  std::string_view endpoint = find_route(kOpsRoutes, request.method, path);
  if (!endpoint.empty()) {
    ResponsePlan plan = handle_ops(request, endpoint, now);
    plan.endpoint = endpoint;
    return plan;
  }
  if (config_.api == ProviderApi::anthropic) return handle_anthropic(request, path, now);
  endpoint = find_route(kRoutes, request.method, path);
  if (endpoint.empty() && request.method == "GET" && path.starts_with(kModelsPrefix) &&
      path.size() > kModelsPrefix.size()) {
    endpoint = "models";
  }
  ResponsePlan plan = endpoint.empty()
                          ? error_plan(begin("", now), wire::invalid_url(request.method, path))
                          : handle_v1(request, endpoint, now);
  plan.endpoint = endpoint.empty() ? "unknown" : endpoint;
  return plan;
}

ResponsePlan Router::handle_v1(const HttpRequest& request, std::string_view endpoint,
                               TimePoint now) {
  const std::string key = bearer_key(request.authorization);
  if (key.empty()) {
    return error_plan(begin("", now), wire::missing_api_key());
  }
  const auto& keys = config_.api_keys;
  if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
    return error_plan(begin("", now), wire::invalid_api_key(key));
  }
  if (!keep_key(key, now)) {
    return error_plan(begin("", now), wire::too_many_keys(options_.max_keys));
  }
  const Context context = begin(key, now);
  ResponsePlan plan = dispatch_v1(context, request, endpoint);
  // Answers the provider model did not make (400, 404, models) still show the key's limits.
  if (!plan.header(wire::kLimitRequests) && !plan.header(wire::kLimitTokens)) {
    std::lock_guard lock(mutex_);
    latest_ = std::max(latest_, now);
    wire::add_rate_limit_headers(plan.headers, provider_.headers(key, latest_));
  }
  return plan;
}

ResponsePlan Router::dispatch_v1(const Context& context, const HttpRequest& request,
                                 std::string_view endpoint) {
  if (request.fault && !parse_forced_fault(*request.fault) && *request.fault != "slow") {
    return error_plan(context, wire::unknown_fault(*request.fault));
  }
  try {
    const std::optional<Endpoint> api = parse_endpoint(endpoint);
    if (!api) {
      return handle_models(context, path_of(request.target));
    }
    switch (*api) {
      case Endpoint::embeddings: return handle_embeddings(context, request);
      case Endpoint::responses: return handle_responses(context, request);
      default: return handle_chat(context, request, *api);
    }
  } catch (const RequestError& error) {
    return error_plan(context, error.error());
  }
}

ResponsePlan Router::handle_models(const Context& context, std::string_view path) {
  if (path.starts_with(kModelsPrefix)) {
    const std::string id(path.substr(kModelsPrefix.size()));
    if (!has_model(id)) {
      return error_plan(context, wire::model_not_found(id));
    }
    return json_plan(context.plan, 200, model_json(id, kModelCreatedUnixS, config_.name));
  }
  return json_plan(context.plan, 200,
                   model_list_json(config_.models, kModelCreatedUnixS, config_.name));
}

namespace {

// Fills the fault fields of a provider request from x-llmsim-fault (already validated).
void apply_fault(ProviderRequest& request, const std::optional<std::string>& fault) {
  if (!fault) {
    return;
  }
  if (*fault == "slow") {
    // Forcing ok as well keeps the random fault draw from overriding the slow first byte.
    request.forced = Outcome::ok;
    request.force_slow_first_byte = true;
  } else {
    request.forced = parse_forced_fault(*fault);
  }
}

}  // namespace

Router::Decided Router::decide_request(const Context& context, const HttpRequest& request,
                                       std::string_view endpoint, ProviderRequest provider_request,
                                       bool with_fixtures) {
  provider_request.key = context.plan.key;
  provider_request.request_id = stream_id_of(request.stream_id, context.plan.request_n);
  provider_request.attempt = attempt_of(request.retry_count);
  apply_fault(provider_request, request.fault);
  const Duration extra = apply_queued_fault(endpoint, provider_request, request);
  const Fixture* fixture = with_fixtures ? find_fixture(endpoint, request, provider_request) : nullptr;
  Decision decision = decide(provider_request, context.now);
  decision.time_to_first_token += extra;
  return {std::move(provider_request), std::move(decision), fixture};
}

ResponsePlan Router::handle_chat(const Context& context, const HttpRequest& request,
                                 Endpoint endpoint) {
  const bool is_chat = endpoint == Endpoint::chat_completions;
  const GenerationParams params =
      is_chat ? parse_chat_request(request.body) : parse_completion_request(request.body);
  if (!has_model(params.model)) {
    return error_plan(context, wire::model_not_found(params.model));
  }
  const auto [provider_request, decision, fixture] = decide_request(
      context, request, endpoint_name(endpoint),
      {.model = params.model, .prompt_tokens = params.prompt_tokens, .max_tokens = params.max_tokens, .n = params.n});
  if (auto refusal = refusal_plan(context.plan, params.model, decision)) {
    return *refusal;
  }
  const StreamFormat format = is_chat ? StreamFormat::chat : StreamFormat::completion;
  if (fixture != nullptr) {
    return fixture_plan(context.plan, params, fixture->answer, decision, format,
                        {provider_request.request_id, provider_request.attempt},
                        options_.replay_speed);
  }
  return generation_plan(context.plan, params, decision, format);
}

ResponsePlan Router::handle_responses(const Context& context, const HttpRequest& request) {
  const ResponsesParams params = parse_responses_request(request.body);
  const GenerationParams& generation = params.generation;
  if (!has_model(generation.model)) {
    return error_plan(context, wire::model_not_found(generation.model));
  }
  const auto [provider_request, decision, fixture] = decide_request(
      context, request, endpoint_name(Endpoint::responses),
      {.model = generation.model, .prompt_tokens = generation.prompt_tokens, .max_tokens = generation.max_tokens});
  if (auto refusal = refusal_plan(context.plan, generation.model, decision)) {
    return *refusal;
  }
  if (fixture != nullptr) {
    return fixture_responses_plan(context.plan, params, fixture->answer, decision,
                                  {provider_request.request_id, provider_request.attempt},
                                  options_.replay_speed);
  }
  return responses_plan(context.plan, params, decision);
}

ResponsePlan Router::handle_embeddings(const Context& context, const HttpRequest& request) {
  const EmbeddingParams params = parse_embedding_request(request.body);
  if (params.dimensions && *params.dimensions > config_.embedding_dimensions) {
    return error_plan(context, wire::integer_above_maximum("dimensions", config_.embedding_dimensions,
                                                     *params.dimensions));
  }
  if (!has_model(params.model)) {
    return error_plan(context, wire::model_not_found(params.model));
  }
  const auto [provider_request, decision, fixture] = decide_request(
      context, request, endpoint_name(Endpoint::embeddings),
      {.model = params.model, .prompt_tokens = params.prompt_tokens, .is_embedding = true});
  if (auto refusal = refusal_plan(context.plan, params.model, decision)) {
    return *refusal;
  }
  const auto dimensions = static_cast<int>(params.dimensions.value_or(config_.embedding_dimensions));
  if (fixture != nullptr) {
    return fixture_embedding_plan(context.plan, params, dimensions, fixture->answer, decision,
                                  {provider_request.request_id, provider_request.attempt},
                                  options_.replay_speed);
  }
  return embedding_plan(context.plan, params, dimensions, decision);
}

ResponsePlan Router::handle_ops(const HttpRequest& request, std::string_view endpoint,
                               TimePoint now) {
  if (endpoint == "admin.faults") {
    if (auto refusal = check_admin(request, now)) return *refusal;
    return handle_faults(request, now);
  }
  if (endpoint == "admin") {
    if (auto refusal = check_admin(request, now)) return *refusal;
    const Context context = begin("", now);
    std::lock_guard lock(mutex_);
    provider_.reset();
    counters_.clear();
    return json_plan(context.plan, 200, R"({"status":"reset"})");
  }
  const Context context = begin("", now);
  if (endpoint == "healthz") {
    return json_plan(context.plan, 200, R"({"status":"ok"})");
  }
  return metrics_plan(context, now);
}

namespace {

// Returns the levels by masked key; keys that mask alike get "#2", "#3" ... in key order.
std::map<std::string, std::vector<LimiterLevel>> masked_levels(
    std::map<std::string, std::vector<LimiterLevel>> levels) {
  std::map<std::string, std::vector<LimiterLevel>> out;
  for (auto& [key, key_levels] : levels) {
    std::string label = wire::mask_key(key);
    for (int copy = 2; out.contains(label); ++copy) {
      label = wire::mask_key(key) + "#" + std::to_string(copy);
    }
    out.emplace(std::move(label), std::move(key_levels));
  }
  return out;
}

}  // namespace

ResponsePlan Router::metrics_plan(const Context& context, TimePoint now) {
  std::map<std::string, std::vector<LimiterLevel>> levels;
  {
    // Held for one copy of at most max_keys levels; masking and the text come after.
    std::lock_guard lock(mutex_);
    latest_ = std::max(latest_, now);
    levels = provider_.levels(latest_);
  }
  ResponsePlan plan =
      json_plan(context.plan, 200, metrics_.prometheus_text(masked_levels(std::move(levels))));
  plan.headers.front().second = "text/plain; version=0.0.4; charset=utf-8";
  return plan;
}

ResponsePlan Router::transport_plan(const wire::ApiError& error) {
  ResponsePlan plan = error_plan(begin("", TimePoint{}), error);
  plan.endpoint = "unknown";
  return plan;
}

ResponsePlan Router::body_too_large(std::uint64_t limit_bytes) {
  return transport_plan(wire::body_too_large(limit_bytes));
}

ResponsePlan Router::malformed_request() { return transport_plan(wire::malformed_http()); }

ResponsePlan Router::header_too_large() { return transport_plan(wire::header_too_large()); }

ResponsePlan Router::missing_host() { return transport_plan(wire::missing_host()); }

ResponsePlan Router::unsupported_transfer_coding() {
  return transport_plan(wire::unsupported_transfer_coding());
}

ResponsePlan Router::request_timeout(std::chrono::milliseconds timeout) {
  return transport_plan(wire::request_timeout(timeout));
}

ResponsePlan Router::internal_error() { return transport_plan(wire::server_error()); }

// --- Anthropic's face ----------------------------------------------------------------------

namespace {

constexpr std::array<Route, 3> kAnthropicRoutes = {{
    {"POST", "/v1/messages", "messages"},
    {"POST", "/v1/messages/count_tokens", "messages.count_tokens"},
    {"GET", "/v1/models", "models"},
}};

// Returns the headers every Anthropic answer starts with.
ResponsePlan anthropic_plan(const PlanContext& context, int status, std::string_view content_type) {
  ResponsePlan plan;
  plan.status = status;
  plan.key = context.key;
  plan.headers.emplace_back(wire::kContentType, std::string(content_type));
  plan.headers.emplace_back(wire::anthropic::kRequestId, context.request_id);
  plan.headers.emplace_back("anthropic-organization-id", context.config.organization);
  return plan;
}

ResponsePlan anthropic_json(const PlanContext& context, int status, std::string body) {
  ResponsePlan plan = anthropic_plan(context, status, "application/json");
  plan.body = std::move(body);
  return plan;
}

ResponsePlan anthropic_error(const PlanContext& context, const wire::anthropic::ApiError& error) {
  return anthropic_json(context, error.status, wire::anthropic::error_json(error, context.request_id));
}

}  // namespace

ResponsePlan Router::handle_anthropic(const HttpRequest& request, std::string_view path,
                                      TimePoint now) {
  std::string_view endpoint = find_route(kAnthropicRoutes, request.method, path);
  if (endpoint.empty() && request.method == "GET" && path.starts_with(kModelsPrefix) &&
      path.size() > kModelsPrefix.size()) {
    endpoint = "models";
  }
  const auto finish = [&](ResponsePlan plan) {
    plan.endpoint = endpoint.empty() ? "unknown" : endpoint;
    return plan;
  };
  using wire::anthropic::ApiError;
  if (endpoint.empty()) {
    return finish(anthropic_error(begin("", now).plan, ApiError{404, "not_found_error", "Not Found"}));
  }
  // Anthropic takes the key in x-api-key or, as its SDK 1.x sends it, as a Bearer token.
  const std::string key = request.api_key ? *request.api_key : bearer_key(request.authorization);
  const auto& keys = config_.api_keys;
  if (key.empty()) return finish(anthropic_error(begin("", now).plan, wire::anthropic::missing_api_key()));
  if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
    return finish(anthropic_error(begin("", now).plan, wire::anthropic::invalid_api_key()));
  }
  if (!request.anthropic_version) {
    return finish(anthropic_error(begin("", now).plan, wire::anthropic::missing_version()));
  }
  if (!wire::anthropic::is_api_version(*request.anthropic_version)) {
    return finish(anthropic_error(begin("", now).plan,
                                  wire::anthropic::invalid_version(*request.anthropic_version)));
  }
  if (!keep_key(key, now)) {
    return finish(anthropic_error(begin("", now).plan,
                                  ApiError{503, "api_error", wire::too_many_keys(options_.max_keys).message}));
  }
  const Context context = begin(key, now);
  ResponsePlan plan;
  if (request.fault && !parse_forced_fault(*request.fault) && *request.fault != "slow") {
    plan = anthropic_error(context.plan, ApiError{400, "invalid_request_error",
                                                  wire::unknown_fault(*request.fault).message});
  } else {
    try {
      if (endpoint == "messages") {
        plan = anthropic_messages(context, request);
      } else if (endpoint == "messages.count_tokens") {
        std::string model;
        const std::int64_t tokens = parse_count_tokens_request(request.body, model);
        plan = anthropic_json(context.plan, 200, "{\"input_tokens\":" + std::to_string(tokens) + "}");
      } else if (path.starts_with(kModelsPrefix)) {
        const std::string id(path.substr(kModelsPrefix.size()));
        plan = has_model(id) ? anthropic_json(context.plan, 200, anthropic_model_json(id, kModelCreatedUnixS))
                             : anthropic_error(context.plan, ApiError{404, "not_found_error", "model: " + id});
      } else {
        plan = anthropic_json(context.plan, 200, anthropic_model_list_json(config_.models, kModelCreatedUnixS));
      }
    } catch (const MessagesError& error) {
      plan = anthropic_error(context.plan, error.error());
    }
  }
  // Answers the provider model did not make (400, 404, models) still show the key's limits.
  if (!plan.header(wire::anthropic::kRequestsLimit) && !plan.header(wire::anthropic::kInputLimit) &&
      !plan.header(wire::anthropic::kOutputLimit)) {
    std::lock_guard lock(mutex_);
    latest_ = std::max(latest_, now);
    wire::anthropic::add_rate_limit_headers(plan.headers, provider_.headers(key, latest_),
                                            unix_time(latest_));
  }
  return finish(std::move(plan));
}

TimePoint Router::unix_time(TimePoint now) const {
  return TimePoint{std::chrono::seconds(created_unix_s_)} + now.time_since_epoch();
}

namespace {

// Returns the reply of a Messages request the provider model gave `tokens` tokens: text, or tool
// uses where the chat rule (chat_content.hpp whole_choices) calls tools, after a short text under
// tool_choice auto.
MessageReply anthropic_reply(const PlanContext& context, const MessagesParams& params,
                             std::int64_t tokens) {
  const ReplyText words(context.seed, context.key, context.request_n);
  if (!params.tools.is_structured()) return message_reply(words, tokens, params);
  const GenerationParams generation{.model = params.model, .max_tokens = params.max_tokens,
                                    .tools = params.tools};
  const auto contents = whole_choices(context, generation, {tokens});
  const ChoiceContent& content = contents->front();
  if (content.tool_calls.empty()) return message_reply(words, tokens, params);
  std::int64_t text_tokens = 0;
  if (params.tools.tool_choice == ToolChoice::auto_choice) {
    // Anthropic prefills the turn under any and tool, so a text comes first only under auto.
    text_tokens = std::max<std::int64_t>(
        0, std::min({tokens, kToolPreambleTokens, params.max_tokens - content.tokens()}));
  }
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < content.tool_calls.size(); ++i) {
    ids.push_back(tool_use_id(context.seed, context.key, context.request_n, i));
  }
  return message_tool_reply(words, text_tokens, params, content, ids);
}

}  // namespace

ResponsePlan Router::anthropic_messages(const Context& context, const HttpRequest& request) {
  const MessagesParams params = parse_messages_request(request.body);
  if (!has_model(params.model)) {
    return anthropic_error(context.plan, {404, "not_found_error", "model: " + params.model});
  }
  // The Messages face serves no fixtures yet (mockapi/README.md).
  Decision decision = decide_request(context, request, "messages",
                                     {.model = params.model,
                                      .prompt_tokens = params.input_tokens,
                                      .max_tokens = params.max_tokens},
                                     false)
                          .decision;
  const TimePoint unix_now = unix_time(context.now);
  if (decision.outcome == Outcome::hang) {
    ResponsePlan plan;
    plan.kind = PlanKind::hang;
    plan.key = context.plan.key;
    return plan;
  }
  if (wire::anthropic::error_type_of(decision.outcome)) {
    // Anthropic's contract (wire/anthropic.hpp) gives the status, headers and the body.
    wire::Response response = wire::anthropic::render(
        decision, {.model = params.model, .organization = config_.organization, .now = unix_now});
    auto error = wire::anthropic::error_of(decision, {.model = params.model,
                                                      .organization = config_.organization,
                                                      .now = unix_now});
    ResponsePlan plan = anthropic_error(context.plan, *error);
    for (auto& header : response.headers) plan.headers.push_back(std::move(header));
    plan.delay = decision.error_delay;
    return plan;
  }
  const MessageReply reply = anthropic_reply(context.plan, params, decision.completion_tokens);
  // A stop sequence shortens the reply; the provider model's pacing per token stays.
  decision.completion_tokens = reply.output_tokens();
  decision.tokens_before_drop = std::min(decision.tokens_before_drop, decision.completion_tokens);
  const std::string id = message_id(context.plan.seed, context.plan.key, context.plan.request_n);
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (params.stream) {
    ResponsePlan plan = anthropic_plan(context.plan, 200, "text/event-stream; charset=utf-8");
    plan.kind = PlanKind::stream;
    wire::anthropic::add_rate_limit_headers(plan.headers, decision.admission.headers, unix_now);
    plan.stream = StreamPlan{};
    plan.stream->messages = std::make_shared<const MessagesStream>(MessagesStream{
        .id = id, .model = params.model, .reply = reply, .input_tokens = params.input_tokens,
        .drop_after_tokens = is_drop ? std::optional(decision.tokens_before_drop) : std::nullopt,
        .time_to_first_token = decision.time_to_first_token, .per_token = decision.per_token});
    return plan;
  }
  if (is_drop) {
    ResponsePlan plan;
    plan.kind = PlanKind::drop;
    plan.key = context.plan.key;
    plan.delay = decision.total_time();
    return plan;
  }
  ResponsePlan plan = anthropic_json(context.plan, 200,
                                     message_json(id, params.model, reply, params.input_tokens));
  wire::anthropic::add_rate_limit_headers(plan.headers, decision.admission.headers, unix_now);
  plan.delay = decision.total_time();
  return plan;
}

}  // namespace llmsim::mockapi
