// The typed server-sent events of a streamed Response, one at a time from their index.
#include <algorithm>
#include <cassert>
#include <optional>
#include <vector>

#include "wire/json_text.hpp"
#include "mockapi/sse.hpp"

namespace llmsim::mockapi {
namespace {

// Events before the first item: response.created, response.in_progress.
constexpr std::size_t kHeadEvents = 2;
// A message's events around its deltas: output_item.added, content_part.added before;
// output_text.done, content_part.done, output_item.done after.
constexpr std::size_t kMessageEventsBefore = 2;
constexpr std::size_t kMessageEventsAfter = 3;
// A call's events: output_item.added (its first step, the name) before its argument deltas;
// function_call_arguments.done and output_item.done after.
constexpr std::size_t kCallEventsAfter = 2;

// One output item's place in the stream.
struct ItemLayout {
  OutputItem item;
  std::size_t pieces = 0;  // deltas
  std::size_t events = 0;  // every event of the item
  std::size_t steps = 0;   // events that are tokens: the deltas, and a call's output_item.added
};

std::vector<ItemLayout> layouts_of(const StreamPlan& plan) {
  std::vector<ItemLayout> layouts;
  const ChoiceContent* content = plan.response.content.get();
  for (const OutputItem& item : output_items(plan.response)) {
    ItemLayout layout{.item = item};
    if (item.is_call) {
      layout.pieces = content->tool_calls[item.call].argument_pieces.size();
      layout.events = 1 + layout.pieces + kCallEventsAfter;
      layout.steps = 1 + layout.pieces;
    } else {
      layout.pieces = content ? content->content_pieces.size()
                              : static_cast<std::size_t>(completion_tokens(plan.completion));
      layout.events = kMessageEventsBefore + layout.pieces + kMessageEventsAfter;
      layout.steps = layout.pieces;
    }
    layouts.push_back(layout);
  }
  return layouts;
}

// Returns the item-local index of the item's `step`-th token event.
std::size_t local_step_index(const ItemLayout& layout, std::size_t step) {
  return layout.item.is_call ? step : kMessageEventsBefore + step;
}

// Returns the token number of the item-local event `local`, or nullopt when it is no token.
std::optional<std::size_t> local_step(const ItemLayout& layout, std::size_t local) {
  if (layout.item.is_call) {
    if (local < layout.steps) return local;
    return std::nullopt;
  }
  if (local >= kMessageEventsBefore && local < kMessageEventsBefore + layout.pieces) {
    return local - kMessageEventsBefore;
  }
  return std::nullopt;
}

// Returns how many events a dropped stream sends: up to its drop_after-th token event (none of
// the done events), or, dropped before any token, the events before the first token.
std::size_t dropped_count(const std::vector<ItemLayout>& layouts, std::size_t drop_after) {
  std::size_t before = kHeadEvents;
  for (const ItemLayout& layout : layouts) {
    if (drop_after == 0) {
      // The events before the item's first token (a message's added events; a call: none).
      return before + (layout.item.is_call ? 0 : kMessageEventsBefore);
    }
    if (drop_after <= layout.steps) {
      return before + local_step_index(layout, drop_after - 1) + 1;
    }
    drop_after -= layout.steps;
    before += layout.events;
  }
  // Fewer tokens than drop_after: the stream stops after its last token.
  std::size_t last_step_end = kHeadEvents;
  before = kHeadEvents;
  for (const ItemLayout& layout : layouts) {
    if (layout.steps > 0) last_step_end = before + local_step_index(layout, layout.steps - 1) + 1;
    before += layout.events;
  }
  return last_step_end;
}

// Starts an event's data: `event: TYPE\ndata: {"type":TYPE,"sequence_number":N` (object open).
std::string event_start(std::string_view type, std::size_t sequence_number) {
  std::string out = "event: ";
  out += type;
  out += "\ndata: {\"type\":\"";
  out += type;
  out += "\",\"sequence_number\":";
  wire::append_json_int(out, static_cast<std::int64_t>(sequence_number));
  return out;
}

std::string event_end(std::string out) {
  out += "}\n\n";
  return out;
}

// Appends `,"item_id":...,"output_index":I` of an item, and `,"content_index":0` for the
// message's text part.
void append_position(std::string& out, const StreamPlan& plan, const OutputItem& item,
                     std::size_t output_index) {
  out += ",\"item_id\":";
  wire::append_json_string(out, item.is_call ? plan.response.call_item_ids[item.call]
                                       : plan.response.message_id);
  out += ",\"output_index\":";
  wire::append_json_int(out, static_cast<std::int64_t>(output_index));
  if (!item.is_call) out += ",\"content_index\":0";
}

std::string response_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                           ResponseStatus status) {
  std::string out = event_start(type, index);
  out += ",\"response\":";
  out += response_json(plan.completion, plan.response, status);
  return event_end(std::move(out));
}

std::string item_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                       const OutputItem& item, std::size_t output_index, ResponseStatus status) {
  std::string out = event_start(type, index);
  out += ",\"output_index\":";
  wire::append_json_int(out, static_cast<std::int64_t>(output_index));
  out += ",\"item\":";
  out += output_item_json(plan.completion, plan.response, item, status);
  return event_end(std::move(out));
}

std::string part_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                       std::size_t output_index, std::string_view text) {
  std::string out = event_start(type, index);
  append_position(out, plan, OutputItem{}, output_index);
  out += ",\"part\":";
  out += output_text_part_json(text);
  return event_end(std::move(out));
}

// Returns piece `piece` of an item: a reply word, a content piece or a piece of arguments.
std::string piece_of(const StreamPlan& plan, const OutputItem& item, std::size_t piece) {
  const ChoiceContent* content = plan.response.content.get();
  if (item.is_call) return content->tool_calls[item.call].argument_pieces[piece];
  if (content) return content->content_pieces[piece];
  return plan.completion.reply.token(0, static_cast<std::int64_t>(piece));
}

std::string delta_event(const StreamPlan& plan, std::size_t index, const OutputItem& item,
                        std::size_t output_index, std::size_t piece) {
  std::string out = event_start(item.is_call ? "response.function_call_arguments.delta"
                                             : "response.output_text.delta",
                                index);
  append_position(out, plan, item, output_index);
  out += ",\"delta\":";
  wire::append_json_string(out, piece_of(plan, item, piece));
  if (!item.is_call) out += ",\"logprobs\":[]";
  return event_end(std::move(out));
}

std::string text_done_event(const StreamPlan& plan, std::size_t index, std::size_t output_index,
                            std::string_view text) {
  std::string out = event_start("response.output_text.done", index);
  append_position(out, plan, OutputItem{}, output_index);
  out += ",\"text\":";
  wire::append_json_string(out, text);
  out += ",\"logprobs\":[]";
  return event_end(std::move(out));
}

std::string arguments_done_event(const StreamPlan& plan, std::size_t index,
                                 const OutputItem& item, std::size_t output_index) {
  std::string out = event_start("response.function_call_arguments.done", index);
  append_position(out, plan, item, output_index);
  out += ",\"name\":";
  wire::append_json_string(out, plan.response.content->tool_calls[item.call].name);
  out += ",\"arguments\":";
  wire::append_json_string(out, call_arguments(plan.response, item.call));
  return event_end(std::move(out));
}

// Returns the item-local event `local` of item `output_index`; `status` is the item's end status.
std::string item_local_event(const StreamPlan& plan, std::size_t index, const ItemLayout& layout,
                             std::size_t output_index, std::size_t local, ResponseStatus status) {
  const OutputItem& item = layout.item;
  if (local == 0) {
    return item_event(plan, "response.output_item.added", index, item, output_index,
                      ResponseStatus::in_progress);
  }
  if (local + 1 == layout.events) {
    return item_event(plan, "response.output_item.done", index, item, output_index, status);
  }
  if (item.is_call) {
    if (local <= layout.pieces) return delta_event(plan, index, item, output_index, local - 1);
    return arguments_done_event(plan, index, item, output_index);
  }
  if (local == 1) return part_event(plan, "response.content_part.added", index, output_index, "");
  if (local < kMessageEventsBefore + layout.pieces) {
    return delta_event(plan, index, item, output_index, local - kMessageEventsBefore);
  }
  const std::string text = message_text(plan.completion, plan.response);
  if (local == kMessageEventsBefore + layout.pieces) {
    return text_done_event(plan, index, output_index, text);
  }
  return part_event(plan, "response.content_part.done", index, output_index, text);
}

}  // namespace

std::size_t responses_event_count(const StreamPlan& plan) {
  const std::vector<ItemLayout> layouts = layouts_of(plan);
  if (plan.drop_after_tokens) {
    return dropped_count(layouts,
                         static_cast<std::size_t>(std::max<std::int64_t>(*plan.drop_after_tokens, 0)));
  }
  std::size_t count = kHeadEvents + 1;  // and response.completed (or incomplete)
  for (const ItemLayout& layout : layouts) count += layout.events;
  return count;
}

StreamEvent responses_stream_event(const StreamPlan& plan, std::size_t index) {
  assert(index < responses_event_count(plan));
  if (index == 0) {
    return {plan.time_to_first_token,
            response_event(plan, "response.created", index, ResponseStatus::in_progress)};
  }
  if (index == 1) {
    return {Duration{0},
            response_event(plan, "response.in_progress", index, ResponseStatus::in_progress)};
  }
  const ResponseStatus status = final_status(plan.completion, plan.response);
  const std::vector<ItemLayout> layouts = layouts_of(plan);
  std::size_t local = index - kHeadEvents;
  std::size_t steps_before = 0;
  for (std::size_t i = 0; i < layouts.size(); ++i) {
    const ItemLayout& layout = layouts[i];
    if (local >= layout.events) {
      local -= layout.events;
      steps_before += layout.steps;
      continue;
    }
    // The first token follows the head at once; each further one comes per_token later.
    const std::optional<std::size_t> step = local_step(layout, local);
    const Duration delay = step && steps_before + *step > 0 ? plan.per_token : Duration{0};
    const bool is_last = i + 1 == layouts.size();
    return {delay, item_local_event(plan, index, layout, i, local,
                                    is_last ? status : ResponseStatus::completed)};
  }
  const bool is_complete = status == ResponseStatus::completed;
  return {Duration{0}, response_event(plan, is_complete ? "response.completed" : "response.incomplete",
                                      index, status)};
}

}  // namespace llmsim::mockapi
