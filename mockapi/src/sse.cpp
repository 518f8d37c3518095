// Server-sent events of a streamed completion, one event at a time from its index.
#include "mockapi/sse.hpp"

#include <algorithm>
#include <cassert>

#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::ordered_json;

// Where the parts of the stream start in the event sequence.
struct Layout {
  std::size_t roles = 0;      // role deltas (chat only)
  std::size_t contents = 0;   // content tokens actually sent
  bool is_dropped = false;    // ends after the contents
  std::size_t choices = 0;
};

Layout layout_of(const StreamPlan& plan) {
  Layout layout;
  layout.choices = plan.completion.choice_tokens.size();
  layout.roles = plan.format == StreamFormat::chat ? layout.choices : 0;
  const auto total = static_cast<std::size_t>(completion_tokens(plan.completion));
  layout.contents = total;
  if (plan.drop_after_tokens) {
    layout.is_dropped = true;
    const auto per_choice = static_cast<std::size_t>(std::max<std::int64_t>(
        *plan.drop_after_tokens, 0));
    layout.contents = std::min(total, per_choice * layout.choices);
    if (plan.completion.contents) {
      layout.contents = static_cast<std::size_t>(
          std::count_if(plan.steps.begin(), plan.steps.end(),
                        [&](const StreamStep& s) { return s.step < per_choice; }));
    }
  }
  return layout;
}

std::string event_data(const Json& chunk) { return "data: " + chunk.dump() + "\n\n"; }

// Returns a chunk with one choice: `delta` is the chat delta or the legacy completion's text.
Json chunk_with_choice(const StreamPlan& plan, std::size_t choice, const Json& delta,
                       const char* finish, Json logprobs = nullptr) {
  const Completion& completion = plan.completion;
  Json chunk;
  chunk["id"] = completion.id;
  const bool is_chat = plan.format == StreamFormat::chat;
  chunk["object"] = is_chat ? "chat.completion.chunk" : "text_completion";
  chunk["created"] = completion.created;
  chunk["model"] = completion.model;
  if (is_chat) {
    chunk["service_tier"] = "default";
  }
  Json item;
  item["index"] = choice;
  if (is_chat) {
    item["delta"] = delta;
  } else {
    item["text"] = delta;
  }
  item["logprobs"] = std::move(logprobs);
  item["finish_reason"] = finish != nullptr ? Json(finish) : Json(nullptr);
  chunk["choices"] = Json::array({std::move(item)});
  if (plan.include_usage) {
    chunk["usage"] = nullptr;
  }
  return chunk;
}

Json usage_chunk(const StreamPlan& plan) {
  Json chunk = chunk_with_choice(plan, 0, Json::object(), nullptr);
  chunk["choices"] = Json::array();
  chunk["usage"] = Json::parse(
      usage_json(plan.completion.prompt_tokens, completion_tokens(plan.completion)));
  return chunk;
}

// Maps content event `g` to (choice, token index): the choices advance step by step.
std::pair<std::size_t, std::int64_t> content_position(const StreamPlan& plan, std::size_t g) {
  const std::vector<std::int64_t>& tokens = plan.completion.choice_tokens;
  const std::size_t n = tokens.size();
  const auto base = static_cast<std::size_t>(tokens.back());  // every choice has this many
  assert(static_cast<std::size_t>(tokens.front()) <= base + 1);
  if (g < base * n) {
    return {g % n, static_cast<std::int64_t>(g / n)};
  }
  return {g - base * n, static_cast<std::int64_t>(base)};
}

// Returns the delta of step `step` of a choice generated whole.
Json whole_delta(const ChoiceContent& content, std::size_t step) {
  if (content.tool_calls.empty()) return Json{{"content", content.content_pieces[step]}};
  for (std::size_t i = 0; i < content.tool_calls.size(); ++i) {
    const ToolCall& call = content.tool_calls[i];
    if (step == 0) {
      Json first = {{"index", i}, {"id", call.id}, {"type", "function"},
                    {"function", {{"name", call.name}, {"arguments", ""}}}};
      return Json{{"tool_calls", Json::array({std::move(first)})}};
    }
    if (step <= call.argument_pieces.size()) {
      Json piece = {{"index", i}, {"function", {{"arguments", call.argument_pieces[step - 1]}}}};
      return Json{{"tool_calls", Json::array({std::move(piece)})}};
    }
    step -= 1 + call.argument_pieces.size();
  }
  assert(false && "step beyond the choice");
  return Json::object();
}

StreamEvent whole_event(const StreamPlan& plan, std::size_t g) {
  const StreamStep at = plan.steps[g];
  const ChoiceContent& content = (*plan.completion.contents)[at.choice];
  // Each step after the first comes per_token after the previous one.
  const bool starts_step = at.step > 0 && (g == 0 || plan.steps[g - 1].step != at.step);
  const bool is_chat = plan.format == StreamFormat::chat;
  Json logprobs = nullptr;
  if (plan.completion.has_logprobs) {
    // The entry of this step's token; a tool call's delta carries none (text only, as OpenAI).
    const std::size_t begin = content.tool_calls.empty() ? at.step : 0;
    const std::size_t end = content.tool_calls.empty() ? at.step + 1 : 0;
    std::string text;
    if (is_chat) {
      append_choice_logprobs(text, content.content_pieces, content.logprobs, begin, end);
    } else {
      append_completion_logprobs(text, content.content_pieces, content.logprobs, begin, end);
    }
    logprobs = Json::parse(text);
  }
  // As content_event: the legacy stream's first token comes at the time to first token.
  Duration delay{0};
  if (starts_step) {
    delay = plan.per_token;
  } else if (g == 0 && !is_chat) {
    delay = plan.time_to_first_token;
  }
  const Json delta = is_chat ? whole_delta(content, at.step) : Json(content.content_pieces[at.step]);
  return {delay, event_data(chunk_with_choice(plan, at.choice, delta, nullptr, std::move(logprobs)))};
}

StreamEvent content_event(const StreamPlan& plan, std::size_t g) {
  if (plan.completion.contents) return whole_event(plan, g);
  const auto [choice, index] = content_position(plan, g);
  const std::string token = plan.completion.reply.token(static_cast<int>(choice), index);
  const Json delta = plan.format == StreamFormat::chat ? Json{{"content", token}} : Json(token);
  // The choices advance together: each step after the first comes per_token later. The first
  // token follows the role deltas at once (chat) or comes at the time to first token (legacy).
  Duration delay{0};
  if (choice == 0 && index > 0) {
    delay = plan.per_token;
  } else if (g == 0 && plan.format == StreamFormat::completion) {
    delay = plan.time_to_first_token;
  }
  return {delay, event_data(chunk_with_choice(plan, choice, delta, nullptr))};
}

}  // namespace

std::vector<StreamStep> whole_steps(const std::vector<ChoiceContent>& contents) {
  std::vector<std::int64_t> tokens;
  std::int64_t longest = 0;
  for (const ChoiceContent& content : contents) {
    tokens.push_back(content.tokens());
    longest = std::max(longest, tokens.back());
  }
  std::vector<StreamStep> steps;
  for (std::int64_t step = 0; step < longest; ++step) {
    for (std::size_t c = 0; c < contents.size(); ++c) {
      if (step < tokens[c]) {
        steps.push_back({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(step)});
      }
    }
  }
  return steps;
}

std::size_t event_count(const StreamPlan& plan) {
  if (plan.events) return plan.events->size();
  if (plan.format == StreamFormat::responses) return responses_event_count(plan);
  if (plan.messages) return messages_event_count(*plan.messages);
  const Layout layout = layout_of(plan);
  if (layout.is_dropped) {
    return layout.roles + layout.contents;
  }
  return layout.roles + layout.contents + layout.choices + (plan.include_usage ? 1 : 0) + 1;
}

StreamEvent stream_event(const StreamPlan& plan, std::size_t index) {
  if (plan.events) return (*plan.events)[index];
  if (plan.format == StreamFormat::responses) return responses_stream_event(plan, index);
  if (plan.messages) {
    auto [delay, data] = messages_event(*plan.messages, index);
    return {delay, std::move(data)};
  }
  const Layout layout = layout_of(plan);
  assert(index < event_count(plan));
  if (index < layout.roles) {
    const auto& contents = plan.completion.contents;
    const bool has_calls = contents && !(*contents)[index].tool_calls.empty();
    const Json delta = {{"role", "assistant"},
                        {"content", has_calls ? Json(nullptr) : Json("")},
                        {"refusal", nullptr}};
    const Duration delay = index == 0 ? plan.time_to_first_token : Duration{0};
    return {delay, event_data(chunk_with_choice(plan, index, delta, nullptr))};
  }
  index -= layout.roles;
  if (index < layout.contents) {
    return content_event(plan, index);
  }
  index -= layout.contents;
  if (index < layout.choices) {
    const Json delta = plan.format == StreamFormat::chat ? Json::object() : Json("");
    const char* finish = finish_reason(plan.completion, static_cast<int>(index));
    return {Duration{0}, event_data(chunk_with_choice(plan, index, delta, finish))};
  }
  index -= layout.choices;
  if (plan.include_usage && index == 0) {
    return {Duration{0}, event_data(usage_chunk(plan))};
  }
  return {Duration{0}, "data: [DONE]\n\n"};
}

}  // namespace llmsim::mockapi
