// Reading a fixture rule's answer: content, tool calls, an error, a latency, or a recording.
#include <string>
#include <utility>

#include "fixture_reader.hpp"

namespace llmsim::scenario_detail {
namespace {

const std::vector<std::string_view> kAnswerKeys = {"content", "tool_calls", "error", "latency",
                                                   "recorded"};
const std::vector<std::string_view> kToolCallKeys = {"id", "name", "arguments"};
const std::vector<std::string_view> kErrorKeys = {"status", "message", "type", "param", "code"};
const std::vector<std::string_view> kLatencyKeys = {"time_to_first_token_ms", "total_ms"};
const std::vector<std::string_view> kRecordedKeys = {"status", "first_byte_ms", "body_ms", "body",
                                                     "chunks"};
const std::vector<std::string_view> kChunkKeys = {"gap_ms", "data"};

// HTTP statuses an error answer may have: OpenAI's errors are 4xx and 5xx.
constexpr std::int64_t kLowestErrorStatus = 400;
constexpr std::int64_t kHighestStatus = 599;
constexpr std::int64_t kLowestStatus = 100;

FixtureToolCall read_tool_call(Problems& problems, const Json& value, const std::string& pointer,
                               std::size_t rule_index, std::size_t index) {
  FixtureToolCall out;
  out.id = "call_fixture_" + std::to_string(rule_index) + "_" + std::to_string(index);
  out.arguments = "{}";
  const ObjectReader call(problems, &value, pointer, kToolCallKeys);
  if (!call.is_object()) return out;
  assign(out.id, call.string("id", true));
  if (call.require("name")) assign(out.name, call.string("name", true));
  if (const Json* arguments = call.get("arguments")) {
    if (arguments->is_object()) {
      out.arguments = arguments->dump();
    } else if (arguments->is_string()) {
      out.arguments = arguments->get<std::string>();
    } else {
      problems.add_got(call.pointer_of("arguments"), "must be an object or a JSON text string",
                       *arguments);
    }
  }
  return out;
}

std::vector<FixtureToolCall> read_tool_calls(const ObjectReader& answer, std::size_t rule_index) {
  std::vector<FixtureToolCall> out;
  const Json* list = answer.get("tool_calls");
  if (list == nullptr) return out;
  if (!list->is_array() || list->empty()) {
    answer.problems().add_got(answer.pointer_of("tool_calls"),
                              "must be a non-empty array of tool calls", *list);
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    out.push_back(read_tool_call(answer.problems(), (*list)[i],
                                 child_pointer(answer.pointer_of("tool_calls"), i), rule_index, i));
  }
  return out;
}

// Reads a string-or-null field of an error ("param", "code") into `out`.
void read_nullable(const ObjectReader& error, std::string_view key, Json& out) {
  const Json* value = error.get(key);
  if (value == nullptr || value->is_null()) return;
  if (auto text = error.string(key)) out = *text;
}

std::optional<FixtureError> read_error(const ObjectReader& answer) {
  const ObjectReader error = answer.object("error", kErrorKeys);
  if (!error.is_object()) return std::nullopt;
  FixtureError out;
  const std::size_t before = error.problems().size();
  if (error.require("status")) {
    assign(out.status, error.integer("status", IntRule{kLowestErrorStatus, kHighestStatus}));
  }
  Json body = Json::object();
  Json& fields = body["error"];
  fields["message"] = "";
  if (error.require("message")) assign(fields["message"], error.string("message"));
  fields["type"] = "";
  if (error.require("type")) assign(fields["type"], error.string("type", true));
  fields["param"] = nullptr;
  read_nullable(error, "param", fields["param"]);
  fields["code"] = nullptr;
  read_nullable(error, "code", fields["code"]);
  if (error.problems().size() != before) return std::nullopt;
  out.body = body.dump();
  return out;
}

FixtureLatency read_latency(const ObjectReader& answer) {
  FixtureLatency out;
  const ObjectReader latency = answer.object("latency", kLatencyKeys);
  if (!latency.is_object()) return out;
  const auto first = latency.number("time_to_first_token_ms", NumberRule::at_least(0.0));
  const auto total = latency.number("total_ms", NumberRule::at_least(0.0));
  if (!latency.has("time_to_first_token_ms") && !latency.has("total_ms")) {
    latency.problems().add_got(latency.pointer(),
                               "needs time_to_first_token_ms or total_ms", latency.json());
  }
  if (first && total && *total < *first) {
    latency.problems().add_got(latency.pointer_of("total_ms"),
                               "must be >= time_to_first_token_ms (" + format_number(*first) + ")",
                               *latency.get("total_ms"));
  }
  if (first) out.time_to_first_token = from_millis(*first);
  if (total) out.total = from_millis(*total);
  return out;
}

std::vector<RecordedChunk> read_chunks(const ObjectReader& recorded) {
  std::vector<RecordedChunk> out;
  const Json& list = *recorded.get("chunks");
  const std::string pointer = recorded.pointer_of("chunks");
  if (!list.is_array() || list.empty()) {
    recorded.problems().add_got(pointer, "must be a non-empty array of chunks", list);
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ObjectReader chunk(recorded.problems(), &list[i], child_pointer(pointer, i), kChunkKeys);
    RecordedChunk item;
    if (chunk.is_object()) {
      if (auto gap = chunk.number("gap_ms", NumberRule::at_least(0.0))) item.gap = from_millis(*gap);
      if (chunk.require("data")) assign(item.data, chunk.string("data", true));
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<RecordedAnswer> read_recorded(const ObjectReader& answer) {
  const ObjectReader recorded = answer.object("recorded", kRecordedKeys);
  if (!recorded.is_object()) return std::nullopt;
  RecordedAnswer out;
  if (recorded.require("status")) {
    assign(out.status, recorded.integer("status", IntRule{kLowestStatus, kHighestStatus}));
  }
  if (auto ms = recorded.number("first_byte_ms", NumberRule::at_least(0.0))) {
    out.first_byte = from_millis(*ms);
  }
  if (auto ms = recorded.number("body_ms", NumberRule::at_least(0.0))) out.body_time = from_millis(*ms);
  if (recorded.has("body") == recorded.has("chunks")) {
    recorded.problems().add_got(recorded.pointer(), "needs exactly one of body, chunks",
                                recorded.json());
  } else if (const Json* body = recorded.get("body")) {
    out.body = body->dump();
  } else {
    out.chunks = read_chunks(recorded);
  }
  return out;
}

// Records the answer keys that may not stand together.
void check_combination(const ObjectReader& answer) {
  const bool has_text = answer.has("content") || answer.has("tool_calls");
  if (answer.has("error") && has_text) {
    answer.problems().add(answer.pointer_of("error"),
                          "cannot be combined with content or tool_calls");
  }
  if (answer.has("recorded") && answer.json().size() > 1) {
    answer.problems().add(answer.pointer_of("recorded"),
                          "cannot be combined with another answer (content, tool_calls, error, "
                          "latency)");
  }
  if (answer.json().empty()) {
    answer.problems().add(answer.pointer(),
                          "needs at least one of content, tool_calls, error, latency, recorded");
  }
}

}  // namespace

FixtureAnswer read_answer(const ObjectReader& rule, std::size_t index) {
  FixtureAnswer out;
  const ObjectReader answer = rule.object("answer", kAnswerKeys);
  if (!answer.is_object()) return out;
  check_combination(answer);
  out.content = answer.string("content");
  out.tool_calls = read_tool_calls(answer, index);
  out.error = read_error(answer);
  out.latency = read_latency(answer);
  out.recorded = read_recorded(answer);
  return out;
}

}  // namespace llmsim::scenario_detail
