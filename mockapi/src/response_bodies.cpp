// Success bodies in OpenAI's key order, written by hand (wire/json_text.hpp).
#include "mockapi/response_bodies.hpp"

#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

// Generous first capacity of a completion body: its fixed text and a few dozen words (most
// bodies then need one allocation).
constexpr std::size_t kCompletionBodyReserve = 768;

void append_usage(std::string& out, std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  out += R"({"prompt_tokens":)";
  wire::append_json_int(out, prompt_tokens);
  out += R"(,"completion_tokens":)";
  wire::append_json_int(out, completion_tokens);
  out += R"(,"total_tokens":)";
  wire::append_json_int(out, prompt_tokens + completion_tokens);
  out += R"(,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
         R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
         R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
}

// Appends `{"id":...,"object":...,"created":...,"model":...` (the object left open).
void append_completion_head(std::string& out, const Completion& completion, const char* object) {
  out += R"({"id":)";
  wire::append_json_string(out, completion.id);
  out += R"(,"object":")";
  out += object;
  out += R"(","created":)";
  wire::append_json_int(out, completion.created);
  out += R"(,"model":)";
  wire::append_json_string(out, completion.model);
}

std::int64_t choice_tokens(const Completion& completion, int choice) {
  return completion.choice_tokens[static_cast<std::size_t>(choice)];
}

void append_joined(std::string& out, const std::vector<std::string>& pieces) {
  std::string text;
  for (const std::string& piece : pieces) text += piece;
  wire::append_json_string(out, text);
}

// Appends `,"message":{...}` of a choice generated whole: content, or null and tool_calls.
void append_whole_message(std::string& out, const ChoiceContent& content) {
  out += R"(,"message":{"role":"assistant","content":)";
  if (content.tool_calls.empty()) {
    append_joined(out, content.content_pieces);
  } else {
    out += "null";
  }
  out += R"(,"refusal":null)";
  if (!content.tool_calls.empty()) {
    out += R"(,"tool_calls":[)";
    for (std::size_t i = 0; i < content.tool_calls.size(); ++i) {
      const ToolCall& call = content.tool_calls[i];
      out += i > 0 ? R"(,{"id":)" : R"({"id":)";
      wire::append_json_string(out, call.id);
      out += R"(,"type":"function","function":{"name":)";
      wire::append_json_string(out, call.name);
      out += R"(,"arguments":)";
      append_joined(out, call.argument_pieces);
      out += "}}";
    }
    out += ']';
  }
  out += R"(,"annotations":[]})";
}

}  // namespace

std::vector<std::int64_t> split_tokens(std::int64_t total, int n) {
  std::vector<std::int64_t> tokens(static_cast<std::size_t>(n), total / n);
  for (std::int64_t i = 0; i < total % n; ++i) {
    ++tokens[static_cast<std::size_t>(i)];
  }
  return tokens;
}

std::int64_t ChoiceContent::tokens() const {
  auto total = static_cast<std::int64_t>(content_pieces.size());
  for (const ToolCall& call : tool_calls) {
    total += 1 + static_cast<std::int64_t>(call.argument_pieces.size());
  }
  return total;
}

const char* finish_reason(const Completion& completion, int choice) {
  if (completion.contents) {
    const ChoiceContent& content = (*completion.contents)[static_cast<std::size_t>(choice)];
    if (content.is_truncated) return "length";
    return content.tool_calls.empty() ? "stop" : "tool_calls";
  }
  const std::int64_t tokens = completion.choice_tokens[static_cast<std::size_t>(choice)];
  return completion.max_tokens && tokens >= *completion.max_tokens ? "length" : "stop";
}

std::int64_t completion_tokens(const Completion& completion) {
  std::int64_t total = 0;
  for (std::int64_t tokens : completion.choice_tokens) {
    total += tokens;
  }
  return total;
}

std::string usage_json(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  std::string out;
  append_usage(out, prompt_tokens, completion_tokens);
  return out;
}

namespace {

// The logprobs writer of an API's choice: chat's content list or legacy completions' shape.
using LogprobsWriter = void (*)(std::string&, const std::vector<std::string>&,
                                const std::vector<TokenLogprob>&, std::size_t, std::size_t);

// Appends the end of choice `c`: its logprobs (null unless asked for, in `write`'s shape) and its
// finish_reason, closing the choice's object.
void append_choice_end(std::string& out, const Completion& completion, int c, LogprobsWriter write) {
  if (completion.has_logprobs && completion.contents) {
    const ChoiceContent& content = (*completion.contents)[static_cast<std::size_t>(c)];
    out += R"(,"logprobs":)";
    write(out, content.content_pieces, content.logprobs, 0, content.logprobs.size());
    out += R"(,"finish_reason":")";
  } else {
    out += R"(,"logprobs":null,"finish_reason":")";
  }
  out += finish_reason(completion, c);
  out += R"("})";
}

}  // namespace

std::string chat_completion_json(const Completion& completion) {
  std::string out;
  out.reserve(kCompletionBodyReserve);
  append_completion_head(out, completion, "chat.completion");
  out += R"(,"choices":[)";
  for (int c = 0; c < static_cast<int>(completion.choice_tokens.size()); ++c) {
    out += c > 0 ? R"(,{"index":)" : R"({"index":)";
    wire::append_json_int(out, c);
    if (completion.contents) {
      append_whole_message(out, (*completion.contents)[static_cast<std::size_t>(c)]);
    } else {
      out += R"(,"message":{"role":"assistant","content":")";
      completion.reply.append_text(out, c, choice_tokens(completion, c));  // needs no escaping
      out += R"(","refusal":null,"annotations":[]})";
    }
    append_choice_end(out, completion, c, append_choice_logprobs);
  }
  out += R"(],"usage":)";
  append_usage(out, completion.prompt_tokens, completion_tokens(completion));
  out += R"(,"service_tier":"default"})";
  return out;
}

std::string text_completion_json(const Completion& completion) {
  std::string out;
  out.reserve(kCompletionBodyReserve);
  append_completion_head(out, completion, "text_completion");
  out += R"(,"choices":[)";
  for (int c = 0; c < static_cast<int>(completion.choice_tokens.size()); ++c) {
    out += c > 0 ? R"(,{"text":)" : R"({"text":)";
    if (completion.contents) {  // words cut by a stop sequence, or with logprobs
      append_joined(out, (*completion.contents)[static_cast<std::size_t>(c)].content_pieces);
    } else {
      out += '"';
      completion.reply.append_text(out, c, choice_tokens(completion, c));  // needs no escaping
      out += '"';
    }
    out += R"(,"index":)";
    wire::append_json_int(out, c);
    append_choice_end(out, completion, c, append_completion_logprobs);
  }
  out += R"(],"usage":)";
  append_usage(out, completion.prompt_tokens, completion_tokens(completion));
  out += '}';
  return out;
}

std::string embeddings_json(std::uint64_t seed, const EmbeddingParams& params, int dimensions) {
  // Written by hand: float vectors are printed as the shortest float text ("0.0123"), not as
  // the 17-digit doubles a JSON library would print, which keeps bodies small and exact.
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < params.inputs.size(); ++i) {
    const std::vector<float> vector = embedding_vector(seed, params.inputs[i], dimensions);
    if (i > 0) {
      out += ',';
    }
    out += R"({"object":"embedding","index":)";
    out += std::to_string(i);
    out += R"(,"embedding":)";
    if (params.is_base64) {
      out += '"';
      out += base64_floats(vector);
      out += '"';
    } else {
      out += "[";
      for (std::size_t d = 0; d < vector.size(); ++d) {
        if (d > 0) {
          out += ',';
        }
        out += float_text(vector[d]);
      }
      out += "]";
    }
    out += "}";
  }
  out += R"(],"model":)";
  wire::append_json_string(out, params.model);
  out += R"(,"usage":{"prompt_tokens":)";
  out += std::to_string(params.prompt_tokens);
  out += R"(,"total_tokens":)";
  out += std::to_string(params.prompt_tokens);
  out += "}}";
  return out;
}

std::string model_json(const std::string& id, std::int64_t created, const std::string& owned_by) {
  std::string out = R"({"id":)";
  wire::append_json_string(out, id);
  out += R"(,"object":"model","created":)";
  wire::append_json_int(out, created);
  out += R"(,"owned_by":)";
  wire::append_json_string(out, owned_by);
  out += '}';
  return out;
}

std::string model_list_json(const std::vector<std::string>& ids, std::int64_t created,
                            const std::string& owned_by) {
  std::string out = R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += model_json(ids[i], created, owned_by);
  }
  out += "]}";
  return out;
}

}  // namespace llmsim::mockapi
