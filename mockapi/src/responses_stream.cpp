// The typed server-sent events of a streamed Response, one at a time from their index.
#include <algorithm>
#include <cassert>

#include "wire/json_text.hpp"
#include "mockapi/sse.hpp"

namespace llmsim::mockapi {
namespace {

// Events before the first delta: created, in_progress, output_item.added, content_part.added.
constexpr std::size_t kHeadEvents = 4;
// Events after the last delta: output_text.done, content_part.done, output_item.done, completed.
constexpr std::size_t kTailEvents = 4;

// Returns the number of deltas sent: every token, or those before a drop.
std::size_t delta_count(const StreamPlan& plan) {
  const auto tokens = static_cast<std::size_t>(completion_tokens(plan.completion));
  if (!plan.drop_after_tokens) return tokens;
  return std::min(tokens, static_cast<std::size_t>(std::max<std::int64_t>(*plan.drop_after_tokens, 0)));
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

// Appends `,"item_id":...,"output_index":0,"content_index":0` of the message's text part.
void append_part_position(std::string& out, const StreamPlan& plan) {
  out += ",\"item_id\":";
  wire::append_json_string(out, plan.response.message_id);
  out += ",\"output_index\":0,\"content_index\":0";
}

std::string response_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                           ResponseStatus status) {
  std::string out = event_start(type, index);
  out += ",\"response\":";
  out += response_json(plan.completion, plan.response, status);
  return event_end(std::move(out));
}

std::string item_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                       ResponseStatus status) {
  std::string out = event_start(type, index);
  out += ",\"output_index\":0,\"item\":";
  out += message_item_json(plan.completion, plan.response, status);
  return event_end(std::move(out));
}

std::string part_event(const StreamPlan& plan, std::string_view type, std::size_t index,
                       std::string_view text) {
  std::string out = event_start(type, index);
  append_part_position(out, plan);
  out += ",\"part\":";
  out += output_text_part_json(text);
  return event_end(std::move(out));
}

std::string delta_event(const StreamPlan& plan, std::size_t index, std::int64_t token) {
  std::string out = event_start("response.output_text.delta", index);
  append_part_position(out, plan);
  out += ",\"delta\":";
  wire::append_json_string(out, plan.completion.reply.token(0, token));
  out += ",\"logprobs\":[]";
  return event_end(std::move(out));
}

std::string text_done_event(const StreamPlan& plan, std::size_t index, std::string_view text) {
  std::string out = event_start("response.output_text.done", index);
  append_part_position(out, plan);
  out += ",\"text\":";
  wire::append_json_string(out, text);
  out += ",\"logprobs\":[]";
  return event_end(std::move(out));
}

// Returns one of the events after the deltas (`tail` 0..3).
std::string tail_event(const StreamPlan& plan, std::size_t index, std::size_t tail) {
  const ResponseStatus status = final_status(plan.completion);
  if (tail == 3) {
    const bool is_complete = status == ResponseStatus::completed;
    return response_event(plan, is_complete ? "response.completed" : "response.incomplete", index,
                          status);
  }
  if (tail == 2) return item_event(plan, "response.output_item.done", index, status);
  const std::string text = plan.completion.reply.text(0, completion_tokens(plan.completion));
  return tail == 0 ? text_done_event(plan, index, text)
                   : part_event(plan, "response.content_part.done", index, text);
}

}  // namespace

std::size_t responses_event_count(const StreamPlan& plan) {
  return kHeadEvents + delta_count(plan) + (plan.drop_after_tokens ? 0 : kTailEvents);
}

StreamEvent responses_stream_event(const StreamPlan& plan, std::size_t index) {
  assert(index < responses_event_count(plan));
  switch (index) {
    case 0:
      return {plan.time_to_first_token,
              response_event(plan, "response.created", index, ResponseStatus::in_progress)};
    case 1:
      return {Duration{0},
              response_event(plan, "response.in_progress", index, ResponseStatus::in_progress)};
    case 2:
      return {Duration{0},
              item_event(plan, "response.output_item.added", index, ResponseStatus::in_progress)};
    case 3: return {Duration{0}, part_event(plan, "response.content_part.added", index, "")};
    default: break;
  }
  const std::size_t delta = index - kHeadEvents;
  if (delta < delta_count(plan)) {
    // The first token follows the head at once; each further one comes per_token later.
    const Duration delay = delta == 0 ? Duration{0} : plan.per_token;
    return {delay, delta_event(plan, index, static_cast<std::int64_t>(delta))};
  }
  return {Duration{0}, tail_event(plan, index, delta - delta_count(plan))};
}

}  // namespace llmsim::mockapi
