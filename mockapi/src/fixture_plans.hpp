// Internal: the plans of requests a fixture rule answers (models/fixtures.hpp), after the
// provider model admitted them.
//
// Content and tool calls are cut into pieces of about 4 bytes (never inside a UTF-8 sequence),
// one token each, plus one token per tool call's name: usage counts them, max_tokens cuts the
// content (finish_reason "length"), and a stream sends one piece per token with the provider's
// pacing (or the fixture's latency). An error answer is sent after the provider's refused_s
// latency (or the fixture's). A recorded answer is replayed byte for byte with its recorded
// timing divided by the replay speed. hang and drop decisions still apply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/fixtures.hpp"
#include "plans.hpp"

namespace llmsim::mockapi {

// Returns `text` cut into pieces of 4 bytes, each extended to the end of its UTF-8 sequence.
std::vector<std::string_view> token_pieces(std::string_view text);

// Returns `decision` with the fixture's latency in place of the provider's draws, for a reply of
// `steps` tokens per choice.
Decision with_fixture_latency(Decision decision, const FixtureLatency& latency,
                              std::int64_t steps);

// Identifies the request for the random stream of an error answer's delay.
struct FixtureDraw {
  std::uint64_t request_id = 0;
  std::uint32_t attempt = 0;
};

// Returns the plan of a chat or legacy completion a fixture answers; `replay_speed` divides a
// recorded answer's timing.
ResponsePlan fixture_plan(const PlanContext& context, const GenerationParams& params,
                          const FixtureAnswer& answer, const Decision& decision,
                          StreamFormat format, FixtureDraw draw, double replay_speed);

// Returns the plan of a POST /v1/responses request a fixture answers: content as a message and
// tool calls as function_call items (mockapi/responses_bodies.hpp), in pieces as for chat;
// max_output_tokens cuts the content (status incomplete); errors, latency and recordings as for
// chat.
ResponsePlan fixture_responses_plan(const PlanContext& context, const ResponsesParams& params,
                                    const FixtureAnswer& answer, const Decision& decision,
                                    FixtureDraw draw, double replay_speed);

// Returns the plan of an embeddings request a fixture answers with an error, a latency or a
// recording (content and tool calls do not apply to embeddings).
ResponsePlan fixture_embedding_plan(const PlanContext& context, const EmbeddingParams& params,
                                    int dimensions, const FixtureAnswer& answer,
                                    const Decision& decision, FixtureDraw draw,
                                    double replay_speed);

}  // namespace llmsim::mockapi
