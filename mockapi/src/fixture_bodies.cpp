// Fixture replies as OpenAI bodies and server-sent events (keys in OpenAI's order, as sse.cpp and
// response_bodies.cpp write generated replies).
#include "fixture_bodies.hpp"

#include <nlohmann/json.hpp>

#include "mockapi/response_bodies.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::ordered_json;

std::string joined(const std::vector<std::string_view>& pieces) {
  std::string out;
  for (std::string_view piece : pieces) out += piece;
  return out;
}

Json usage_of(const FixtureReply& reply) {
  return Json::parse(usage_json(reply.prompt_tokens, reply.steps() * reply.choices));
}

Json tool_calls_json(const FixtureReply& reply) {
  Json calls = Json::array();
  for (const FixtureToolCall& call : *reply.calls) {
    calls.push_back({{"id", call.id},
                     {"type", "function"},
                     {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
  }
  return calls;
}

Json chat_message(const FixtureReply& reply) {
  Json message = {{"role", "assistant"}};
  message["content"] = reply.has_content ? Json(joined(reply.content)) : Json(nullptr);
  message["refusal"] = nullptr;
  message["annotations"] = Json::array();
  if (reply.calls != nullptr && !reply.calls->empty()) message["tool_calls"] = tool_calls_json(reply);
  return message;
}

// Returns choice `choice`'s logprobs object (chat's, or the legacy completions') with the entries
// of content pieces [begin, end), or null when the request asked for none.
Json choice_logprobs(const FixtureReply& reply, std::size_t choice, std::size_t begin,
                     std::size_t end) {
  if (reply.logprobs.empty()) return nullptr;
  std::string text;
  if (reply.format == StreamFormat::chat) {
    append_choice_logprobs(text, reply.logprob_pieces, reply.logprobs[choice], begin, end);
  } else {
    append_completion_logprobs(text, reply.logprob_pieces, reply.logprobs[choice], begin, end);
  }
  return Json::parse(text);
}

Json body_head(const FixtureReply& reply, const char* object) {
  return {{"id", reply.id}, {"object", object}, {"created", reply.created}, {"model", reply.model}};
}

// Returns one stream chunk of choice `choice` carrying `delta` (chat) or text (legacy).
Json chunk(const FixtureReply& reply, bool include_usage, std::size_t choice, const Json& delta,
           const char* finish, Json logprobs = nullptr) {
  const bool is_chat = reply.format == StreamFormat::chat;
  Json out = body_head(reply, is_chat ? "chat.completion.chunk" : "text_completion");
  if (is_chat) out["service_tier"] = "default";
  Json item = {{"index", choice}};
  item[is_chat ? "delta" : "text"] = delta;
  item["logprobs"] = std::move(logprobs);
  item["finish_reason"] = finish != nullptr ? Json(finish) : Json(nullptr);
  out["choices"] = Json::array({std::move(item)});
  if (include_usage) out["usage"] = nullptr;
  return out;
}

std::string event_data(const Json& value) { return "data: " + value.dump() + "\n\n"; }

// Returns the delta of step `step` of a choice (content, a call's name, or an argument piece).
Json step_delta(const FixtureReply& reply, std::size_t step) {
  const bool is_chat = reply.format == StreamFormat::chat;
  if (step < reply.content.size()) {
    const Json text(reply.content[step]);
    return is_chat ? Json{{"content", text}} : text;
  }
  step -= reply.content.size();
  for (std::size_t i = 0; i < reply.arguments.size(); ++i) {
    const FixtureToolCall& call = (*reply.calls)[i];
    if (step == 0) {
      return {{"tool_calls", Json::array({{{"index", i},
                                           {"id", call.id},
                                           {"type", "function"},
                                           {"function", {{"name", call.name}, {"arguments", ""}}}}})}};
    }
    --step;
    if (step < reply.arguments[i].size()) {
      return {{"tool_calls",
               Json::array({{{"index", i}, {"function", {{"arguments", reply.arguments[i][step]}}}}})}};
    }
    step -= reply.arguments[i].size();
  }
  return Json::object();
}

}  // namespace

std::int64_t FixtureReply::steps() const {
  std::size_t steps = content.size();
  for (const auto& pieces : arguments) steps += 1 + pieces.size();
  return static_cast<std::int64_t>(steps);
}

const char* FixtureReply::finish_reason() const {
  if (!arguments.empty()) return "tool_calls";
  return is_cut ? "length" : "stop";
}

std::string fixture_body(const FixtureReply& reply) {
  const bool is_chat = reply.format == StreamFormat::chat;
  Json body = body_head(reply, is_chat ? "chat.completion" : "text_completion");
  Json choices = Json::array();
  for (int c = 0; c < reply.choices; ++c) {
    if (is_chat) {
      choices.push_back({{"index", c},
                         {"message", chat_message(reply)},
                         {"logprobs", choice_logprobs(reply, static_cast<std::size_t>(c), 0,
                                                      reply.content.size())},
                         {"finish_reason", reply.finish_reason()}});
    } else {
      choices.push_back({{"text", joined(reply.content)},
                         {"index", c},
                         {"logprobs", choice_logprobs(reply, static_cast<std::size_t>(c), 0,
                                                      reply.content.size())},
                         {"finish_reason", reply.finish_reason()}});
    }
  }
  body["choices"] = std::move(choices);
  body["usage"] = usage_of(reply);
  if (is_chat) body["service_tier"] = "default";
  return body.dump();
}

std::shared_ptr<const std::vector<StreamEvent>> fixture_events(
    const FixtureReply& reply, Duration first, Duration per_token, bool include_usage,
    std::optional<std::int64_t> drop_after) {
  auto events = std::make_shared<std::vector<StreamEvent>>();
  const auto choices = static_cast<std::size_t>(reply.choices);
  const bool is_chat = reply.format == StreamFormat::chat;
  if (is_chat) {
    for (std::size_t c = 0; c < choices; ++c) {
      const Json delta = {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}};
      events->push_back({c == 0 ? first : Duration{0},
                         event_data(chunk(reply, include_usage, c, delta, nullptr))});
    }
  }
  std::int64_t steps = reply.steps();
  if (drop_after) steps = std::min(steps, *drop_after);
  for (std::int64_t step = 0; step < steps; ++step) {
    const auto at = static_cast<std::size_t>(step);
    const Json delta = step_delta(reply, at);
    // The entry of this step's token; a tool call's delta carries none (as generated replies).
    const bool is_content = at < reply.content.size();
    for (std::size_t c = 0; c < choices; ++c) {
      Duration delay{0};
      if (c == 0 && step > 0) delay = per_token;
      if (c == 0 && step == 0 && !is_chat) delay = first;
      events->push_back({delay, event_data(chunk(reply, include_usage, c, delta, nullptr,
                                                 choice_logprobs(reply, c, is_content ? at : 0,
                                                                 is_content ? at + 1 : 0)))});
    }
  }
  if (drop_after) return events;
  for (std::size_t c = 0; c < choices; ++c) {
    const Json delta = is_chat ? Json::object() : Json("");
    events->push_back({Duration{0}, event_data(chunk(reply, include_usage, c, delta,
                                                     reply.finish_reason()))});
  }
  if (include_usage) {
    Json last = chunk(reply, true, 0, Json::object(), nullptr);
    last["choices"] = Json::array();
    last["usage"] = usage_of(reply);
    events->push_back({Duration{0}, event_data(last)});
  }
  events->push_back({Duration{0}, "data: [DONE]\n\n"});
  return events;
}

}  // namespace llmsim::mockapi
