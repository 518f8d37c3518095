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
    out += R"({"type":"output_text","annotations":[],"logprobs":[],"text":")";
    completion.reply.append_text(out, 0, output_tokens(completion));  // needs no escaping
    out += R"("})";
  }
  out += R"(],"role":"assistant"})";
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

ResponseStatus final_status(const Completion& completion) {
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
    append_message_item(out, completion, extras, status);
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

std::string message_item_json(const Completion& completion, const ResponseExtras& extras,
                              ResponseStatus status) {
  std::string out;
  append_message_item(out, completion, extras, status);
  return out;
}

std::string output_text_part_json(std::string_view text) {
  std::string out = R"({"type":"output_text","annotations":[],"logprobs":[],"text":)";
  wire::append_json_string(out, text);
  out += '}';
  return out;
}

}  // namespace llmsim::mockapi
