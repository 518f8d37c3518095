// The Response object in OpenAI's key order, written by hand (wire/json_text.hpp).
#include "mockapi/responses_bodies.hpp"

#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

// First capacity of a Response body: its fixed fields and a few dozen words.
constexpr std::size_t kResponseBodyReserve = 1536;

std::int64_t output_tokens(const Completion& completion) { return completion_tokens(completion); }

void append_message_item(std::string& out, const Completion& completion,
                         const ResponseExtras& extras, ResponseStatus status) {
  out += R"({"id":)";
  wire::append_json_string(out, extras.message_id);
  out += R"(,"type":"message","status":")";
  out += status_name(status);
  out += R"(","content":[)";
  if (status != ResponseStatus::in_progress) {
    out += R"({"type":"output_text","annotations":[],"logprobs":[],"text":)";
    if (extras.content) {
      wire::append_json_string(out, message_text(completion, extras));
    } else {
      out += '"';
      completion.reply.append_text(out, 0, output_tokens(completion));  // needs no escaping
      out += '"';
    }
    out += '}';
  }
  out += R"(],"role":"assistant"})";
}

void append_call_item(std::string& out, const ResponseExtras& extras, std::size_t call,
                      ResponseStatus status) {
  const ToolCall& tool_call = extras.content->tool_calls[call];
  out += R"({"id":)";
  wire::append_json_string(out, extras.call_item_ids[call]);
  out += R"(,"type":"function_call","status":")";
  out += status_name(status);
  out += R"(","arguments":)";
  wire::append_json_string(out, status == ResponseStatus::in_progress ? std::string()
                                                                : call_arguments(extras, call));
  out += R"(,"call_id":)";
  wire::append_json_string(out, tool_call.id);
  out += R"(,"name":)";
  wire::append_json_string(out, tool_call.name);
  out += '}';
}

void append_item(std::string& out, const Completion& completion, const ResponseExtras& extras,
                 OutputItem item, ResponseStatus status) {
  if (item.is_call) {
    append_call_item(out, extras, item.call, status);
  } else {
    append_message_item(out, completion, extras, status);
  }
}

// Appends the fields before `output`: id ... model.
void append_head(std::string& out, const Completion& completion, const ResponseExtras& extras,
                 ResponseStatus status) {
  out += R"({"id":)";
  wire::append_json_string(out, completion.id);
  out += R"(,"object":"response","created_at":)";
  wire::append_json_int(out, completion.created);
  out += R"(,"status":")";
  out += status_name(status);
  out += R"(","background":false,"completed_at":)";
  if (status == ResponseStatus::completed) {
    wire::append_json_int(out, extras.completed_at);
  } else {
    out += "null";
  }
  out += R"(,"error":null,"incomplete_details":)";
  out += status == ResponseStatus::incomplete ? R"({"reason":"max_output_tokens"})" : "null";
  out += R"(,"instructions":)";
  if (extras.echo.instructions) {
    wire::append_json_string(out, *extras.echo.instructions);
  } else {
    out += "null";
  }
  out += R"(,"max_output_tokens":)";
  if (extras.echo.max_output_tokens) {
    wire::append_json_int(out, *extras.echo.max_output_tokens);
  } else {
    out += "null";
  }
  out += R"(,"max_tool_calls":null,"model":)";
  wire::append_json_string(out, completion.model);
}

// Appends the fields after `output`, up to and without `usage`.
void append_settings(std::string& out, const ResponseEcho& echo) {
  out += R"(,"parallel_tool_calls":)";
  out += echo.parallel_tool_calls ? "true" : "false";
  out += R"(,"previous_response_id":null,"prompt_cache_key":null,)"
         R"("reasoning":{"effort":null,"summary":null},"safety_identifier":null,)"
         R"("service_tier":"default","store":)";
  out += echo.store ? "true" : "false";
  out += R"(,"temperature":)";
  out += echo.temperature_json;
  out += R"(,"text":{"format":)";
  out += echo.text_format_json;
  out += R"(,"verbosity":"medium"},"tool_choice":)";
  out += echo.tool_choice_json;
  out += R"(,"tools":)";
  out += echo.tools_json;
  out += R"(,"top_logprobs":0,"top_p":)";
  out += echo.top_p_json;
  out += R"(,"truncation":"disabled")";
}

}  // namespace

std::vector<OutputItem> output_items(const ResponseExtras& extras) {
  std::vector<OutputItem> items;
  const ChoiceContent* content = extras.content.get();
  if (content == nullptr || !content->content_pieces.empty() || content->tool_calls.empty()) {
    items.push_back(OutputItem{});
  }
  for (std::size_t call = 0; content != nullptr && call < content->tool_calls.size(); ++call) {
    items.push_back(OutputItem{.is_call = true, .call = call});
  }
  return items;
}

std::string message_text(const Completion& completion, const ResponseExtras& extras) {
  if (!extras.content) return completion.reply.text(0, output_tokens(completion));
  std::string text;
  for (const std::string& piece : extras.content->content_pieces) text += piece;
  return text;
}

std::string call_arguments(const ResponseExtras& extras, std::size_t call) {
  std::string arguments;
  for (const std::string& piece : extras.content->tool_calls[call].argument_pieces) {
    arguments += piece;
  }
  return arguments;
}

ResponseStatus final_status(const Completion& completion, const ResponseExtras& extras) {
  if (extras.content) {
    return extras.content->is_truncated ? ResponseStatus::incomplete : ResponseStatus::completed;
  }
  const std::int64_t tokens = output_tokens(completion);
  return completion.max_tokens && tokens >= *completion.max_tokens ? ResponseStatus::incomplete
                                                                   : ResponseStatus::completed;
}

std::string_view status_name(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::in_progress: return "in_progress";
    case ResponseStatus::incomplete: return "incomplete";
    default: return "completed";
  }
}

std::string response_usage_json(std::int64_t input_tokens, std::int64_t output_tokens) {
  std::string out = R"({"input_tokens":)";
  wire::append_json_int(out, input_tokens);
  out += R"(,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":)";
  wire::append_json_int(out, output_tokens);
  out += R"(,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":)";
  wire::append_json_int(out, input_tokens + output_tokens);
  out += '}';
  return out;
}

std::string response_json(const Completion& completion, const ResponseExtras& extras,
                          ResponseStatus status) {
  std::string out;
  out.reserve(kResponseBodyReserve);
  append_head(out, completion, extras, status);
  out += R"(,"output":[)";
  if (status != ResponseStatus::in_progress) {
    const std::vector<OutputItem> items = output_items(extras);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      // Only the last item can have been cut.
      const bool is_last = i + 1 == items.size();
      append_item(out, completion, extras, items[i], is_last ? status : ResponseStatus::completed);
    }
  }
  out += ']';
  append_settings(out, extras.echo);
  // OpenAI writes "usage": null while in progress, which its own schema (ResponseUsage, not
  // nullable) refuses; leaving the optional field out satisfies both the schema and the SDKs.
  if (status != ResponseStatus::in_progress) {
    out += R"(,"usage":)";
    out += response_usage_json(completion.prompt_tokens, output_tokens(completion));
  }
  out += R"(,"metadata":{}})";  // OpenAI adds "user":null, which its schema refuses
  return out;
}

std::string output_item_json(const Completion& completion, const ResponseExtras& extras,
                             OutputItem item, ResponseStatus status) {
  std::string out;
  append_item(out, completion, extras, item, status);
  return out;
}

std::string output_text_part_json(std::string_view text) {
  std::string out = R"({"type":"output_text","annotations":[],"logprobs":[],"text":)";
  wire::append_json_string(out, text);
  out += '}';
  return out;
}

}  // namespace llmsim::mockapi
