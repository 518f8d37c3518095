// Success bodies in OpenAI's key order.
#include "mockapi/response_bodies.hpp"

#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::ordered_json;

Json usage_object(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  Json usage;
  usage["prompt_tokens"] = prompt_tokens;
  usage["completion_tokens"] = completion_tokens;
  usage["total_tokens"] = prompt_tokens + completion_tokens;
  usage["prompt_tokens_details"] = {{"cached_tokens", 0}, {"audio_tokens", 0}};
  usage["completion_tokens_details"] = {{"reasoning_tokens", 0},
                                        {"audio_tokens", 0},
                                        {"accepted_prediction_tokens", 0},
                                        {"rejected_prediction_tokens", 0}};
  return usage;
}

Json completion_head(const Completion& completion, const char* object) {
  Json body;
  body["id"] = completion.id;
  body["object"] = object;
  body["created"] = completion.created;
  body["model"] = completion.model;
  return body;
}

}  // namespace

std::vector<std::int64_t> split_tokens(std::int64_t total, int n) {
  std::vector<std::int64_t> tokens(static_cast<std::size_t>(n), total / n);
  for (std::int64_t i = 0; i < total % n; ++i) {
    ++tokens[static_cast<std::size_t>(i)];
  }
  return tokens;
}

const char* finish_reason(const Completion& completion, int choice) {
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
  return usage_object(prompt_tokens, completion_tokens).dump();
}

std::string chat_completion_json(const Completion& completion) {
  Json body = completion_head(completion, "chat.completion");
  Json choices = Json::array();
  for (int c = 0; c < static_cast<int>(completion.choice_tokens.size()); ++c) {
    Json message;
    message["role"] = "assistant";
    message["content"] =
        completion.reply.text(c, completion.choice_tokens[static_cast<std::size_t>(c)]);
    message["refusal"] = nullptr;
    message["annotations"] = Json::array();
    Json choice;
    choice["index"] = c;
    choice["message"] = std::move(message);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish_reason(completion, c);
    choices.push_back(std::move(choice));
  }
  body["choices"] = std::move(choices);
  body["usage"] = usage_object(completion.prompt_tokens, completion_tokens(completion));
  body["service_tier"] = "default";
  return body.dump();
}

std::string text_completion_json(const Completion& completion) {
  Json body = completion_head(completion, "text_completion");
  Json choices = Json::array();
  for (int c = 0; c < static_cast<int>(completion.choice_tokens.size()); ++c) {
    Json choice;
    choice["text"] = completion.reply.text(c, completion.choice_tokens[static_cast<std::size_t>(c)]);
    choice["index"] = c;
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish_reason(completion, c);
    choices.push_back(std::move(choice));
  }
  body["choices"] = std::move(choices);
  body["usage"] = usage_object(completion.prompt_tokens, completion_tokens(completion));
  return body.dump();
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
  out += Json(params.model).dump();
  out += R"(,"usage":{"prompt_tokens":)";
  out += std::to_string(params.prompt_tokens);
  out += R"(,"total_tokens":)";
  out += std::to_string(params.prompt_tokens);
  out += "}}";
  return out;
}

std::string model_json(const std::string& id, std::int64_t created, const std::string& owned_by) {
  Json model;
  model["id"] = id;
  model["object"] = "model";
  model["created"] = created;
  model["owned_by"] = owned_by;
  return model.dump();
}

std::string model_list_json(const std::vector<std::string>& ids, std::int64_t created,
                            const std::string& owned_by) {
  Json data = Json::array();
  for (const std::string& id : ids) {
    data.push_back(Json::parse(model_json(id, created, owned_by)));
  }
  Json body;
  body["object"] = "list";
  body["data"] = std::move(data);
  return body.dump();
}

}  // namespace llmsim::mockapi
