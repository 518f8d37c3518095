// Provider decisions as response plans: OpenAI's headers, refusals, bodies and streams.
#include "plans.hpp"

#include <algorithm>

#include "mockapi/response_bodies.hpp"
#include "mockapi/responses_bodies.hpp"

namespace llmsim::mockapi {
namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;
// Most headers a plan carries: 5 of every answer, 6 rate-limit ones, and retry-after with
// retry-after-ms (a 429) or x-should-retry.
constexpr std::size_t kMostHeaders = 13;

std::string millis_text(Duration d) { return std::to_string(d.count() / kNanosPerMilli); }

// Adds retry-after and, when the provider sends it, retry-after-ms (models/provider_model.hpp).
void add_retry_after(ResponsePlan& plan, const RetryAfterHeaders& retry_after) {
  plan.headers.emplace_back("retry-after", std::to_string(retry_after.seconds));
  if (retry_after.millis) plan.headers.emplace_back("retry-after-ms", std::to_string(*retry_after.millis));
}

ResponsePlan stream_head(const PlanContext& context, const Decision& decision) {
  ResponsePlan plan;
  plan.kind = PlanKind::stream;
  plan.status = 200;
  plan.key = context.key;
  plan.headers = {{"content-type", "text/event-stream; charset=utf-8"},
                  {"x-request-id", context.request_id},
                  {"openai-organization", context.config.organization},
                  {"openai-version", "2020-10-01"},
                  {"openai-processing-ms", millis_text(decision.time_to_first_token)}};
  add_rate_limit_headers(plan.headers, decision.admission.headers);
  return plan;
}

ResponsePlan silent_plan(const PlanContext& context, PlanKind kind, Duration delay) {
  ResponsePlan plan;
  plan.kind = kind;
  plan.key = context.key;
  plan.delay = delay;
  return plan;
}

}  // namespace

ResponsePlan json_plan(const PlanContext& context, int status, std::string body) {
  ResponsePlan plan;
  plan.status = status;
  plan.key = context.key;
  plan.body = std::move(body);
  plan.headers.reserve(kMostHeaders);
  plan.headers.emplace_back("content-type", "application/json");
  plan.headers.emplace_back("x-request-id", context.request_id);
  plan.headers.emplace_back("openai-organization", context.config.organization);
  plan.headers.emplace_back("openai-version", "2020-10-01");
  return plan;
}

ResponsePlan error_plan(const PlanContext& context, const ApiError& error) {
  return json_plan(context, error.status, error_json(error));
}

void add_rate_limit_headers(HeaderList& headers, const RateLimitHeaders& values) {
  if (values.limit_requests) {
    headers.emplace_back("x-ratelimit-limit-requests", std::to_string(*values.limit_requests));
  }
  if (values.limit_tokens) {
    headers.emplace_back("x-ratelimit-limit-tokens", std::to_string(*values.limit_tokens));
  }
  if (values.remaining_requests) {
    headers.emplace_back("x-ratelimit-remaining-requests",
                         std::to_string(*values.remaining_requests));
  }
  if (values.remaining_tokens) {
    headers.emplace_back("x-ratelimit-remaining-tokens", std::to_string(*values.remaining_tokens));
  }
  if (values.reset_requests) {
    headers.emplace_back("x-ratelimit-reset-requests", go_duration(*values.reset_requests));
  }
  if (values.reset_tokens) {
    headers.emplace_back("x-ratelimit-reset-tokens", go_duration(*values.reset_tokens));
  }
}

std::optional<ResponsePlan> refusal_plan(const PlanContext& context, const std::string& model,
                                         const Decision& decision) {
  const ProviderConfig& config = context.config;
  std::optional<ResponsePlan> plan;
  switch (decision.outcome) {
    case Outcome::rate_limited:
      plan = error_plan(context, rate_limited(model, config.organization, decision.admission));
      add_retry_after(*plan, *retry_after_headers(decision, config.send_retry_after_ms));
      break;
    case Outcome::too_large:
      plan = error_plan(context, request_too_large(model, config.organization, decision.admission));
      break;
    case Outcome::quota_exhausted:
      plan = error_plan(context, quota_exhausted());
      // Both SDKs would retry a 429 otherwise; OpenAI's billing errors cannot succeed on retry.
      plan->headers.emplace_back("x-should-retry", "false");
      break;
    case Outcome::server_error:
      plan = error_plan(context, server_error());
      break;
    case Outcome::overloaded:
      plan = error_plan(context, overloaded(context.request_id));
      break;
    default:
      return std::nullopt;
  }
  add_rate_limit_headers(plan->headers, decision.admission.headers);
  plan->delay = decision.error_delay;
  return plan;
}

ResponsePlan generation_plan(const PlanContext& context, const GenerationParams& params,
                             const Decision& decision, StreamFormat format) {
  if (decision.outcome == Outcome::hang) {
    return silent_plan(context, PlanKind::hang, Duration{0});
  }
  const bool is_chat = format == StreamFormat::chat;
  Completion completion{
      .id = completion_id(is_chat ? "chatcmpl-" : "cmpl-", context.seed, context.key,
                          context.request_n),
      .created = context.created,
      .model = params.model,
      .reply = ReplyText(context.seed, context.key, context.request_n),
      .choice_tokens = split_tokens(decision.completion_tokens, params.n),
      .max_tokens = params.max_tokens,
      .prompt_tokens = decision.prompt_tokens};
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (params.stream) {
    ResponsePlan plan = stream_head(context, decision);
    plan.stream = StreamPlan{.format = format,
                             .completion = std::move(completion),
                             .include_usage = params.include_usage,
                             .drop_after_tokens = is_drop ? std::optional(decision.tokens_before_drop)
                                                          : std::nullopt,
                             .time_to_first_token = decision.time_to_first_token,
                             .per_token = decision.per_token};
    if (event_count(*plan.stream) == 0) {
      // A legacy stream dropped before its first token sends nothing at all.
      return silent_plan(context, PlanKind::drop, decision.time_to_first_token);
    }
    return plan;
  }
  if (is_drop) {
    return silent_plan(context, PlanKind::drop, decision.total_time());
  }
  ResponsePlan plan = json_plan(context, 200,
                                is_chat ? chat_completion_json(completion)
                                        : text_completion_json(completion));
  plan.headers.emplace_back("openai-processing-ms", millis_text(decision.total_time()));
  add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = decision.total_time();
  return plan;
}

ResponsePlan responses_plan(const PlanContext& context, const ResponsesParams& params,
                            const Decision& decision) {
  if (decision.outcome == Outcome::hang) {
    return silent_plan(context, PlanKind::hang, Duration{0});
  }
  const auto whole_seconds = [](Duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
  };
  Completion completion{
      .id = completion_id("resp_", context.seed, context.key, context.request_n),
      .created = context.created,
      .model = params.generation.model,
      .reply = ReplyText(context.seed, context.key, context.request_n),
      .choice_tokens = {decision.completion_tokens},
      .max_tokens = params.generation.max_tokens,
      .prompt_tokens = decision.prompt_tokens};
  // The message id is drawn from the key's stream like the response id, under another name.
  ResponseExtras extras{
      .message_id = completion_id("msg_", context.seed, context.key + "/message", context.request_n),
      .completed_at = context.created + whole_seconds(decision.total_time()),
      .echo = params.echo};
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (params.generation.stream) {
    ResponsePlan plan = stream_head(context, decision);
    plan.stream = StreamPlan{.format = StreamFormat::responses,
                             .completion = std::move(completion),
                             .drop_after_tokens = is_drop ? std::optional(decision.tokens_before_drop)
                                                          : std::nullopt,
                             .time_to_first_token = decision.time_to_first_token,
                             .per_token = decision.per_token,
                             .response = std::move(extras)};
    return plan;
  }
  if (is_drop) {
    return silent_plan(context, PlanKind::drop, decision.total_time());
  }
  ResponsePlan plan =
      json_plan(context, 200, response_json(completion, extras, final_status(completion)));
  plan.headers.emplace_back("openai-processing-ms", millis_text(decision.total_time()));
  add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = decision.total_time();
  return plan;
}

ResponsePlan embedding_plan(const PlanContext& context, const EmbeddingParams& params,
                            int dimensions, const Decision& decision) {
  if (decision.outcome == Outcome::hang) {
    return silent_plan(context, PlanKind::hang, Duration{0});
  }
  if (decision.outcome == Outcome::drop_mid_stream) {
    return silent_plan(context, PlanKind::drop, decision.total_time());
  }
  ResponsePlan plan = json_plan(context, 200, embeddings_json(context.seed, params, dimensions));
  plan.headers.emplace_back("openai-processing-ms", millis_text(decision.total_time()));
  add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = decision.total_time();
  return plan;
}

}  // namespace llmsim::mockapi
