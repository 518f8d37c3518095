// Fixture answers as response plans: content and tool calls, errors, latency, recordings.
#include "fixture_plans.hpp"

#include <algorithm>

#include "fixture_bodies.hpp"
#include "mockapi/schema_values.hpp"
#include "mockapi/response_bodies.hpp"
#include "models/distribution.hpp"
#include "models/random.hpp"
#include "wire/openai.hpp"

namespace llmsim::mockapi {
namespace {

constexpr std::size_t kBytesPerPiece = 4;  // the prompt estimate's bytes per token
constexpr std::int64_t kNanosPerMilli = 1'000'000;

std::string millis_text(Duration d) { return std::to_string(d.count() / kNanosPerMilli); }

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

ResponsePlan silent_plan(const PlanContext& context, PlanKind kind, Duration delay) {
  ResponsePlan plan;
  plan.kind = kind;
  plan.key = context.key;
  plan.delay = delay;
  return plan;
}

Duration scaled(Duration d, double speed) {
  return Duration{static_cast<std::int64_t>(std::llround(static_cast<double>(d.count()) / speed))};
}

// Returns the plan of an error answer, sent after the fixture's latency, else the provider's
// refused_s drawn from the stream the provider model would use for the request.
ResponsePlan error_answer(const PlanContext& context, const FixtureAnswer& answer,
                          const Decision& decision, FixtureDraw draw) {
  ResponsePlan plan = json_plan(context, answer.error->status, answer.error->body);
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
  if (answer.latency.total || answer.latency.time_to_first_token) {
    plan.delay = answer.latency.total.value_or(*answer.latency.time_to_first_token);
  } else {
    plan.delay = sample_duration(context.config.latency.refused_s,
                                 RandomStream(context.seed ^ fnv1a64(context.key), "refused",
                                              draw.request_id, draw.attempt));
  }
  return plan;
}

// Returns the plan replaying a recording: its body after its time, or its chunks with their gaps.
ResponsePlan recorded_answer(const PlanContext& context, const RecordedAnswer& recorded,
                             const Decision& decision, double speed) {
  if (recorded.chunks.empty()) {
    ResponsePlan plan = json_plan(context, recorded.status, recorded.body.value_or(""));
    wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
    plan.delay = scaled(recorded.first_byte + recorded.body_time, speed);
    return plan;
  }
  auto events = std::make_shared<std::vector<StreamEvent>>();
  Duration delay = recorded.first_byte;
  for (const RecordedChunk& chunk : recorded.chunks) {
    events->push_back({scaled(delay + chunk.gap, speed), chunk.data});
    delay = Duration{0};
  }
  ResponsePlan plan = json_plan(context, recorded.status, "");
  plan.kind = PlanKind::stream;
  plan.headers.front().second = "text/event-stream; charset=utf-8";
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.stream = StreamPlan{.events = std::move(events)};
  return plan;
}

FixtureReply reply_of(const PlanContext& context, const GenerationParams& params,
                      const FixtureAnswer& answer, const Decision& decision, StreamFormat format) {
  const bool is_chat = format == StreamFormat::chat;
  FixtureReply reply{.id = completion_id(is_chat ? "chatcmpl-" : "cmpl-", context.seed,
                                         context.key, context.request_n),
                     .created = context.created,
                     .model = params.model,
                     .format = format,
                     .choices = std::max(1, params.n),
                     .prompt_tokens = decision.prompt_tokens};
  reply.has_content = answer.content.has_value() || !is_chat;
  if (answer.content) reply.content = token_pieces(*answer.content);
  if (params.max_tokens && static_cast<std::int64_t>(reply.content.size()) > *params.max_tokens) {
    reply.content.resize(static_cast<std::size_t>(*params.max_tokens));
    reply.is_cut = true;
  }
  if (is_chat && !answer.tool_calls.empty()) {
    reply.calls = &answer.tool_calls;
    for (const FixtureToolCall& call : answer.tool_calls) {
      reply.arguments.push_back(token_pieces(call.arguments));
    }
  }
  if (params.tools.logprobs) {
    reply.logprob_pieces.assign(reply.content.begin(), reply.content.end());
    for (int c = 0; c < reply.choices; ++c) {
      const ContentName name{.seed = context.seed, .key = context.key,
                             .request_n = context.request_n, .choice = c,
                             .request_seed = params.tools.seed};
      RandomStream rng = content_stream(name, "logprobs");
      reply.logprobs.push_back(token_logprobs(reply.logprob_pieces, params.tools.top_logprobs, rng));
    }
  }
  return reply;
}

}  // namespace

std::vector<std::string_view> token_pieces(std::string_view text) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + kBytesPerPiece);
    while (end < text.size() && is_continuation(text[end])) ++end;
    pieces.push_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

Decision with_fixture_latency(Decision decision, const FixtureLatency& latency,
                              std::int64_t steps) {
  if (latency.time_to_first_token) decision.time_to_first_token = *latency.time_to_first_token;
  if (latency.total) {
    // A one-token reply (or none) takes its whole time to the first token.
    decision.time_to_first_token = steps > 1 ? std::min(decision.time_to_first_token, *latency.total)
                                             : *latency.total;
    const Duration rest = *latency.total - decision.time_to_first_token;
    decision.per_token = steps > 1 ? rest / (steps - 1) : Duration{0};
  }
  return decision;
}

ResponsePlan fixture_plan(const PlanContext& context, const GenerationParams& params,
                          const FixtureAnswer& answer, const Decision& decision,
                          StreamFormat format, FixtureDraw draw, double replay_speed) {
  if (decision.outcome == Outcome::hang) return silent_plan(context, PlanKind::hang, Duration{0});
  if (answer.error) return error_answer(context, answer, decision, draw);
  if (answer.recorded) return recorded_answer(context, *answer.recorded, decision, replay_speed);
  if (!answer.content && answer.tool_calls.empty()) {
    // A latency alone: generated content at the fixture's pace.
    const Decision timed = with_fixture_latency(decision, answer.latency,
                                                decision.completion_tokens_per_choice());
    return generation_plan(context, params, timed, format);
  }
  const FixtureReply reply = reply_of(context, params, answer, decision, format);
  const std::int64_t steps = reply.steps();
  const Decision timed = with_fixture_latency(decision, answer.latency, steps);
  const Duration total = timed.time_to_first_token + timed.per_token * std::max<std::int64_t>(0, steps - 1);
  const bool is_drop = decision.outcome == Outcome::drop_mid_stream;
  if (params.stream) {
    const std::optional<std::int64_t> drop_after = is_drop ? std::optional(steps / 2) : std::nullopt;
    auto events = fixture_events(reply, timed.time_to_first_token, timed.per_token,
                                 params.include_usage, drop_after);
    if (events->empty()) return silent_plan(context, PlanKind::drop, timed.time_to_first_token);
    ResponsePlan plan = json_plan(context, 200, "");
    plan.kind = PlanKind::stream;
    plan.headers.front().second = "text/event-stream; charset=utf-8";
    plan.headers.emplace_back("openai-processing-ms", millis_text(timed.time_to_first_token));
    wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
    plan.stream = StreamPlan{.events = std::move(events), .drop_after_tokens = drop_after};
    return plan;
  }
  if (is_drop) return silent_plan(context, PlanKind::drop, total);
  ResponsePlan plan = json_plan(context, 200, fixture_body(reply));
  plan.headers.emplace_back("openai-processing-ms", millis_text(total));
  wire::add_rate_limit_headers(plan.headers, decision.admission.headers);
  plan.delay = total;
  return plan;
}

ResponsePlan fixture_responses_plan(const PlanContext& context, const ResponsesParams& params,
                                    const FixtureAnswer& answer, const Decision& decision,
                                    FixtureDraw draw, double replay_speed) {
  if (decision.outcome == Outcome::hang) return silent_plan(context, PlanKind::hang, Duration{0});
  if (answer.error) return error_answer(context, answer, decision, draw);
  if (answer.recorded) return recorded_answer(context, *answer.recorded, decision, replay_speed);
  if (!answer.content && answer.tool_calls.empty()) {
    // A latency alone: generated content at the fixture's pace.
    return responses_plan(context, params,
                          with_fixture_latency(decision, answer.latency, decision.completion_tokens));
  }
  auto content = std::make_shared<ChoiceContent>();
  if (answer.content) {
    for (std::string_view piece : token_pieces(*answer.content)) {
      content->content_pieces.emplace_back(piece);
    }
  }
  const std::optional<std::int64_t> limit = params.generation.max_tokens;
  if (limit && static_cast<std::int64_t>(content->content_pieces.size()) > *limit) {
    content->content_pieces.resize(static_cast<std::size_t>(*limit));
    content->is_truncated = true;
  }
  for (const FixtureToolCall& call : answer.tool_calls) {
    ToolCall tool_call{.id = call.id, .name = call.name};
    for (std::string_view piece : token_pieces(call.arguments)) {
      tool_call.argument_pieces.emplace_back(piece);
    }
    content->tool_calls.push_back(std::move(tool_call));
  }
  const Decision timed = with_fixture_latency(decision, answer.latency, content->tokens());
  return responses_plan(context, params, timed, std::move(content));
}

ResponsePlan fixture_embedding_plan(const PlanContext& context, const EmbeddingParams& params,
                                    int dimensions, const FixtureAnswer& answer,
                                    const Decision& decision, FixtureDraw draw,
                                    double replay_speed) {
  if (decision.outcome == Outcome::hang) return silent_plan(context, PlanKind::hang, Duration{0});
  if (answer.error) return error_answer(context, answer, decision, draw);
  if (answer.recorded) return recorded_answer(context, *answer.recorded, decision, replay_speed);
  const Decision timed = with_fixture_latency(decision, answer.latency, 0);
  if (decision.outcome == Outcome::drop_mid_stream) {
    return silent_plan(context, PlanKind::drop, timed.time_to_first_token);
  }
  ResponsePlan plan = embedding_plan(context, params, dimensions, timed);
  return plan;
}

}  // namespace llmsim::mockapi
