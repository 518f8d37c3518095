// Internal: turning a provider Decision into a ResponsePlan (headers, bodies, streams, faults).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "mockapi/request_parser.hpp"
#include "mockapi/responses_parser.hpp"
#include "mockapi/router.hpp"
#include "models/provider_model.hpp"

namespace llmsim::mockapi {

// What every plan of one request needs to know.
struct PlanContext {
  const ProviderConfig& config;
  std::uint64_t seed = 0;
  std::string key;             // "" when the request has no accepted key
  std::uint64_t request_n = 0; // the n-th request on `key`
  std::string request_id;      // x-request-id
  std::int64_t created = 0;    // Unix seconds for `created`
};

// One request's key, number, id and time (declared in router.hpp).
struct Router::Context {
  PlanContext plan;
  TimePoint now;
};

// Returns a plan sending `body` as application/json with `status` and x-request-id.
ResponsePlan json_plan(const PlanContext& context, int status, std::string body);

// Returns the plan of an OpenAI error.
ResponsePlan error_plan(const PlanContext& context, const wire::ApiError& error);

// Returns the plan of a refusal or error decision (429, 500, 503) as wire/openai.hpp renders it,
// or nullopt for ok, hang, drop.
std::optional<ResponsePlan> refusal_plan(const PlanContext& context, const std::string& model,
                                         const Decision& decision);

// Returns the plan of a chat or legacy completion the provider model admitted.
ResponsePlan generation_plan(const PlanContext& context, const GenerationParams& params,
                             const Decision& decision, StreamFormat format);

// Returns the plan of a POST /v1/responses request the provider model admitted: the reply words,
// or content generated whole (function calls, text.format JSON) by the rule chat uses
// (chat_content.hpp), or `content` when given (a fixture's), whose tokens then replace the
// provider model's count (its pacing stays).
ResponsePlan responses_plan(const PlanContext& context, const ResponsesParams& params,
                            const Decision& decision,
                            std::shared_ptr<const ChoiceContent> content = nullptr);

// Returns the plan of an embeddings request the provider model admitted.
ResponsePlan embedding_plan(const PlanContext& context, const EmbeddingParams& params,
                            int dimensions, const Decision& decision);

}  // namespace llmsim::mockapi
