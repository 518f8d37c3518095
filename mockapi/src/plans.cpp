// Provider decisions as response plans: OpenAI's headers, refusals, bodies and streams.
#include "plans.hpp"

#include <algorithm>

#include "chat_content.hpp"
#include "mockapi/response_bodies.hpp"
#include "wire/openai.hpp"
#include "mockapi/responses_bodies.hpp"

namespace llmsim::mockapi {
namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;
// Most headers a plan carries: 5 of every answer, 6 rate-limit ones, and retry-after with
// retry-after-ms (a 429) or x-should-retry.
constexpr std::size_t kMostHeaders = 13;

std::string millis_text(Duration d) { return std::to_string(d.count() / kNanosPerMilli); }

ResponsePlan stream_head(const PlanContext& context, const Decision& decision) {
  ResponsePlan plan;
  plan.kind = PlanKind::stream;
  plan.status = 200;
  plan.key = context.key;
  plan.headers = {{wire::kContentType, "text/event-stream; charset=utf-8"},
                  {wire::kRequestId, context.request_id},
                  {"openai-organization", context.config.organization},
                  {"openai-version", "2020-10-01"},
                  {"openai-processing-ms", millis_text(decision.time_to_first_token)}};
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
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
  plan.headers.emplace_back(wire::kContentType, "application/json");
  plan.headers.emplace_back(wire::kRequestId, context.request_id);
  plan.headers.emplace_back("openai-organization", context.config.organization);
  plan.headers.emplace_back("openai-version", "2020-10-01");
  return plan;
}

ResponsePlan error_plan(const PlanContext& context, const wire::ApiError& error) {
  return json_plan(context, error.status, wire::error_json(error));
}

std::optional<ResponsePlan> refusal_plan(const PlanContext& context, const std::string& model,
                                         const Decision& decision) {
  if (!wire::error_label(decision.outcome, decision.admission.refused_by)) return std::nullopt;
  // OpenAI's contract (wire/openai.hpp) gives the status, the outcome's headers and the body.
  wire::Response response =
      wire::render(decision, wire::RenderContext{.model = model,
                                                 .organization = context.config.organization,
                                                 .request_id = context.request_id,
                                                 .send_retry_after_ms = context.config.send_retry_after_ms});
  ResponsePlan plan = json_plan(context, response.status, std::move(response.body));
  for (auto& header : response.headers) plan.headers.push_back(std::move(header));
  plan.delay = decision.error_delay;
  return plan;
}

ResponsePlan generation_plan(const PlanContext& context, const GenerationParams& params,
                             const Decision& provider_decision, StreamFormat format) {
  // Legacy completions' tools hold only logprobs and stop (parse_completion_tools).
  const bool is_whole = format != StreamFormat::responses && params.tools.is_structured();
  std::shared_ptr<const std::vector<ChoiceContent>> contents;
  std::vector<std::int64_t> choice_tokens =
      split_tokens(provider_decision.completion_tokens, params.n);
  Decision decision = provider_decision;
  if (is_whole) {
    // The content's own length sets the tokens; the provider model's pacing stays.
    contents = whole_choices(context, params, choice_tokens);
    std::int64_t longest = 0;
    for (std::size_t c = 0; c < contents->size(); ++c) {
      choice_tokens[c] = (*contents)[c].tokens();
      longest = std::max(longest, choice_tokens[c]);
    }
    decision.completion_tokens = longest * decision.choices;
    decision.tokens_before_drop = std::min(decision.tokens_before_drop, longest);
  }
  if (decision.outcome == Outcome::hang) {
    return silent_plan(context, PlanKind::hang, Duration{0});
  }
  const bool is_chat = format == StreamFormat::chat;
  Completion completion{
      .id = completion_id(is_chat ? "chatcmpl-" : "cmpl-", context.seed, context.key,
                          context.request_n),
      .created = context.created,
      .model = params.model,
      .reply = ReplyText(context.seed, context.key, reply_number(context, params.tools)),
      .choice_tokens = std::move(choice_tokens),
      .max_tokens = params.max_tokens,
      .prompt_tokens = decision.prompt_tokens,
      .contents = contents,
      .has_logprobs = is_whole && params.tools.logprobs};
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (params.stream) {
    ResponsePlan plan = stream_head(context, decision);
    plan.stream = StreamPlan{.format = format,
                             .completion = std::move(completion),
                             .include_usage = params.include_usage,
                             .drop_after_tokens = is_drop ? std::optional(decision.tokens_before_drop)
                                                          : std::nullopt,
                             .time_to_first_token = decision.time_to_first_token,
                             .per_token = decision.per_token,
                             .steps = contents ? whole_steps(*contents) : std::vector<StreamStep>{}};
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
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = decision.total_time();
  return plan;
}

ResponsePlan responses_plan(const PlanContext& context, const ResponsesParams& params,
                            const Decision& provider_decision,
                            std::shared_ptr<const ChoiceContent> content) {
  const GenerationParams& generation = params.generation;
  if (!content && generation.tools.is_structured()) {
    const auto contents = whole_choices(context, generation, {provider_decision.completion_tokens});
    content = std::shared_ptr<const ChoiceContent>(contents, &contents->front());
  }
  Decision decision = provider_decision;
  if (content) {
    // The content's own length sets the tokens; the provider model's pacing stays.
    decision.completion_tokens = content->tokens();
    decision.tokens_before_drop = std::min(decision.tokens_before_drop, content->tokens());
  }
  if (decision.outcome == Outcome::hang) {
    return silent_plan(context, PlanKind::hang, Duration{0});
  }
  const auto whole_seconds = [](Duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
  };
  Completion completion{
      .id = completion_id("resp_", context.seed, context.key, context.request_n),
      .created = context.created,
      .model = generation.model,
      .reply = ReplyText(context.seed, context.key, context.request_n),
      .choice_tokens = {decision.completion_tokens},
      .max_tokens = generation.max_tokens,
      .prompt_tokens = decision.prompt_tokens};
  // The message and call item ids are drawn from the key's stream like the response id, under
  // other names.
  ResponseExtras extras{
      .message_id = completion_id("msg_", context.seed, context.key + "/message", context.request_n),
      .completed_at = context.created + whole_seconds(decision.total_time()),
      .echo = params.echo,
      .content = content};
  for (std::size_t call = 0; content && call < content->tool_calls.size(); ++call) {
    extras.call_item_ids.push_back(completion_id(
        "fc_", context.seed, context.key + "/call/" + std::to_string(call), context.request_n));
  }
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (generation.stream) {
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
  const ResponseStatus status = final_status(completion, extras);
  ResponsePlan plan = json_plan(context, 200, response_json(completion, extras, status));
  plan.headers.emplace_back("openai-processing-ms", millis_text(decision.total_time()));
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
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
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = decision.total_time();
  return plan;
}

}  // namespace llmsim::mockapi
