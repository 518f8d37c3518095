// Reading the CLIENT and REQUEST objects of a scenario (see data/README.md, "client", "request").
#include <algorithm>

#include "models/token_model.hpp"
#include "scenario_sections.hpp"

namespace llmsim::scenario_detail {

namespace {

const std::vector<std::string_view> kRetryKeys = {
    "max_retries",       "initial_backoff_s", "max_backoff_s", "jitter",
    "honor_retry_after", "max_retry_after_s", "retry_on"};
const std::vector<std::string_view> kRetryOn = {"429", "5xx", "timeout", "connection"};

void read_retry(const ObjectReader& client, RetryConfig& retry) {
  const ObjectReader object = client.object("retry", kRetryKeys);
  assign(retry.max_retries, object.integer("max_retries", IntRule::int_at_least(0)));
  const std::size_t before = object.problems().size();
  assign(retry.initial_backoff_s, object.number("initial_backoff_s", NumberRule::above(0.0)));
  const bool is_initial_valid = object.problems().size() == before;
  if (const auto max = object.number("max_backoff_s", NumberRule::above(0.0))) {
    if (is_initial_valid && *max < retry.initial_backoff_s) {
      object.problems().add_got(
          object.pointer_of("max_backoff_s"),
          "must be >= initial_backoff_s (" + format_number(retry.initial_backoff_s) + ")",
          *object.get("max_backoff_s"));
    } else {
      retry.max_backoff_s = *max;
    }
  }
  assign(retry.jitter, object.number("jitter", NumberRule::probability()));
  assign(retry.honor_retry_after, object.boolean("honor_retry_after"));
  assign(retry.max_retry_after_s, object.number("max_retry_after_s", NumberRule::above(0.0)));
  if (const auto on = read_string_list(object, "retry_on", false, kRetryOn)) {
    auto has = [&on](std::string_view kind) {
      return std::find(on->begin(), on->end(), kind) != on->end();
    };
    retry.retry_on_429 = has("429");
    retry.retry_on_5xx = has("5xx");
    retry.retry_on_timeout = has("timeout");
    retry.retry_on_connection_error = has("connection");
  }
}

void read_cpu_and_network(const ObjectReader& client, ClientConfig& out) {
  const ObjectReader cpu =
      client.object("cpu", {"cores", "discipline", "per_start_ms", "per_connection_ms",
                            "per_request_ms", "per_response_ms"});
  out.cpu.enabled = cpu.is_object();
  assign(out.cpu.cores, cpu.integer("cores", IntRule::int_at_least(1)));
  if (const auto discipline = cpu.choice("discipline", {"fifo", "event_loop"})) {
    out.cpu.discipline = *discipline == "event_loop" ? CpuDiscipline::event_loop : CpuDiscipline::fifo;
  }
  assign(out.cpu.per_start_ms, cpu.number("per_start_ms", NumberRule::at_least(0.0)));
  assign(out.cpu.per_connection_ms, cpu.number("per_connection_ms", NumberRule::at_least(0.0)));
  assign(out.cpu.per_request_ms, cpu.number("per_request_ms", NumberRule::at_least(0.0)));
  assign(out.cpu.per_response_ms, cpu.number("per_response_ms", NumberRule::at_least(0.0)));
  const ObjectReader network =
      client.object("network", {"rtt_ms", "connect_round_trips", "keepalive_s",
                                "request_overhead_bytes", "response_overhead_bytes"});
  assign(out.network.rtt_ms, network.number("rtt_ms", NumberRule::at_least(0.0)));
  assign(out.network.connect_round_trips,
         network.integer("connect_round_trips", IntRule::int_at_least(0)));
  if (const auto keepalive = network.number("keepalive_s", NumberRule::above(0.0))) {
    out.network.keepalive_s = *keepalive;
  }
  assign(out.network.request_overhead_bytes,
         network.integer("request_overhead_bytes", IntRule::at_least(0)));
  if (const auto overhead = network.integer("response_overhead_bytes", IntRule::at_least(0))) {
    out.network.response_overhead_bytes = *overhead;
  }
}

// Returns every model some provider serves, in order of appearance, without repeats.
std::vector<std::string_view> served_models(const std::vector<ProviderConfig>& providers) {
  std::vector<std::string_view> models;
  for (const ProviderConfig& provider : providers) {
    for (const std::string& model : provider.models) {
      if (std::find(models.begin(), models.end(), model) == models.end()) models.push_back(model);
    }
  }
  return models;
}

}  // namespace

ClientConfig read_client(const ObjectReader& root) {
  ClientConfig out;
  const ObjectReader client =
      root.object("client", {"connections", "timeout_s", "retry", "cpu", "network", "routing",
                             "local_fallback", "queue", "pacing", "cache", "priority"});
  assign(out.connections, client.integer("connections", IntRule::int_at_least(1)));
  assign(out.timeout_s, client.number("timeout_s", NumberRule::above(0.0)));
  read_retry(client, out.retry);
  read_cpu_and_network(client, out);
  read_routing(client, out.routing);
  read_local_fallback(client, out.local_fallback);
  read_strategies(client, out);
  // One pacing bucket paces all sends; headers describe one key's limits, so learning from them
  // while the sends are spread over several keys or providers would mix the buckets.
  const bool spreads = out.routing.key_choice != KeyChoice::first ||
                       out.routing.providers != ProviderChoice::first;
  if (out.pacing && out.pacing->learn_from_headers && spreads) {
    client.problems().add_got(client.pointer_of("pacing") + "/learn_from_headers",
                              "must be false when client.routing spreads sends over several keys "
                              "or providers (one pacing bucket paces all sends)",
                              true);
  }
  return out;
}

RequestConfig read_request(const ObjectReader& root, const std::vector<ProviderConfig>& providers) {
  RequestConfig out;
  if (!providers.empty()) out.model = providers.front().models.front();
  const ObjectReader request = root.object(
      "request", {"endpoint", "model", "prompt_tokens", "prompt", "max_tokens", "stream"});
  Problems& problems = root.problems();
  std::vector<std::string_view> endpoint_names;
  for (const EndpointText& text : kEndpointTexts) endpoint_names.push_back(text.name);
  if (const auto endpoint = request.choice("endpoint", endpoint_names)) {
    out.endpoint = *parse_endpoint(*endpoint);  // one of the names: choice() checked it
  }
  if (const auto model = request.string("model", true)) {
    const auto served = served_models(providers);
    if (!providers.empty() && std::find(served.begin(), served.end(), *model) == served.end()) {
      problems.add_got(request.pointer_of("model"),
                       "must be a model a provider serves (" + join(served) + ")",
                       *request.get("model"));
    } else {
      out.model = *model;
    }
  }
  if (request.has("prompt_tokens") && request.has("prompt")) {
    problems.add(request.pointer(),
                 "needs at most one of \"prompt_tokens\" or \"prompt\", got both");
  } else {
    assign(out.prompt_tokens, request.integer("prompt_tokens", IntRule::at_least(1)));
    if (const auto prompt = request.string("prompt")) {
      out.prompt = *prompt;
      out.prompt_tokens = estimate_chat_tokens({*out.prompt});
    }
  }
  assign(out.max_tokens, request.integer("max_tokens", IntRule::at_least(1)));
  assign(out.stream, request.boolean("stream"));
  // The Responses API refuses max_output_tokens below 16 (so does the mock): found here, not as
  // a run of 400s.
  constexpr std::int64_t kMinResponsesMaxTokens = 16;
  if (out.endpoint == Endpoint::responses && out.max_tokens &&
      *out.max_tokens < kMinResponsesMaxTokens) {
    problems.add_got(request.pointer_of("max_tokens"),
                     "must be >= 16 for the responses endpoint (sent as max_output_tokens)",
                     *request.get("max_tokens"));
  }
  if (out.stream && !is_generation(out.endpoint)) {
    problems.add_got(request.pointer_of("stream"), "must be false for the embeddings endpoint",
                     *request.get("stream"));
  }
  return out;
}

}  // namespace llmsim::scenario_detail
