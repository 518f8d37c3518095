#include "mockapi/response_bodies.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wire/openai_errors.hpp"
#include "models/random.hpp"

namespace llmsim::mockapi {
namespace {

// The bodies as the server wrote them before they were written by hand: nlohmann ordered_json
// documents, dumped. The hand-written bodies must stay byte for byte the same.
namespace reference {

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

std::string error_json(const wire::ApiError& error,
                       Json::error_handler_t handler = Json::error_handler_t::strict) {
  Json inner;
  inner["message"] = error.message;
  inner["type"] = error.type;
  inner["param"] = error.param ? Json(*error.param) : nullptr;
  inner["code"] = error.code ? Json(*error.code) : nullptr;
  Json outer;
  outer["error"] = std::move(inner);
  return outer.dump(-1, ' ', false, handler);
}

}  // namespace reference

// Names a body may carry: plain, with characters JSON escapes, and UTF-8.
const std::vector<std::string> kNames = {"gpt-3.5-turbo", "gpt-4o-mini", "", "mödel-€-😀",
                                         "quote\"back\\slash", "line\nfeed\ttab\x01\x1f"};

const std::string& pick(RandomStream& rng, const std::vector<std::string>& from) {
  return from[rng.next_u64() % from.size()];
}

std::int64_t below(RandomStream& rng, std::uint64_t bound) {
  return static_cast<std::int64_t>(rng.next_u64() % bound);
}

// Returns a completion of random choices, tokens, max_tokens and names (case `i`).
Completion random_completion(RandomStream& rng, std::uint64_t i) {
  const int n = static_cast<int>(1 + below(rng, 6));
  const std::int64_t total = below(rng, 4) == 0 ? 0 : below(rng, 120);
  std::optional<std::int64_t> max_tokens;
  if (below(rng, 2) == 0) max_tokens = 1 + below(rng, 40);
  return Completion{.id = completion_id(below(rng, 2) == 0 ? "chatcmpl-" : "cmpl-", i, "k", i),
                    .created = 1'600'000'000 + below(rng, 200'000'000),
                    .model = pick(rng, kNames),
                    .reply = ReplyText(i, pick(rng, kNames), i),
                    .choice_tokens = split_tokens(total, n),
                    .max_tokens = max_tokens,
                    .prompt_tokens = below(rng, 100'000)};
}

TEST(ResponseBodies, ChatCompletionIsByteForByteTheDumpedDocument) {
  RandomStream rng(11, "chat-bodies");
  for (std::uint64_t i = 0; i < 500; ++i) {
    const Completion completion = random_completion(rng, i);
    ASSERT_EQ(chat_completion_json(completion), reference::chat_completion_json(completion)) << i;
  }
}

TEST(ResponseBodies, TextCompletionIsByteForByteTheDumpedDocument) {
  RandomStream rng(12, "text-bodies");
  for (std::uint64_t i = 0; i < 500; ++i) {
    const Completion completion = random_completion(rng, i);
    ASSERT_EQ(text_completion_json(completion), reference::text_completion_json(completion)) << i;
  }
}

TEST(ResponseBodies, UsageIsTheDumpedUsageObject) {
  RandomStream rng(13, "usage");
  for (int i = 0; i < 200; ++i) {
    const std::int64_t prompt = below(rng, 1'000'000'000);
    const std::int64_t completion = below(rng, 1'000'000);
    EXPECT_EQ(usage_json(prompt, completion), reference::usage_object(prompt, completion).dump());
  }
}

TEST(ResponseBodies, ModelsAreTheDumpedDocuments) {
  for (const std::string& id : kNames) {
    EXPECT_EQ(model_json(id, 1677610602, "llmsim"), reference::model_json(id, 1677610602, "llmsim"));
  }
  const std::vector<std::string> none;
  EXPECT_EQ(model_list_json(none, 1, "o"), reference::model_list_json(none, 1, "o"));
  EXPECT_EQ(model_list_json(kNames, 1677610602, "org \"x\""),
            reference::model_list_json(kNames, 1677610602, "org \"x\""));
}

TEST(OpenAiErrorBody, IsByteForByteTheDumpedDocument) {
  RandomStream rng(14, "errors");
  for (int i = 0; i < 300; ++i) {
    wire::ApiError error{.status = 400, .message = pick(rng, kNames) + " " + pick(rng, kNames),
                   .type = pick(rng, kNames)};
    if (below(rng, 2) == 0) error.param = pick(rng, kNames);
    if (below(rng, 2) == 0) error.code = pick(rng, kNames);
    ASSERT_EQ(wire::error_json(error), reference::error_json(error)) << i;
  }
  // The bodies the server sends most, as they are built.
  EXPECT_EQ(wire::error_json(wire::missing_api_key()), reference::error_json(wire::missing_api_key()));
  EXPECT_EQ(wire::error_json(wire::invalid_json()), reference::error_json(wire::invalid_json()));
}

TEST(OpenAiErrorBody, ReplacesInvalidUtf8WhereTheDocumentThrew) {
  // Error messages copy client input: the document's dump() threw (no response, a stuck gauge);
  // the body now has U+FFFD where its replace handler puts them.
  const wire::ApiError error = wire::model_not_found("bad\xff\xe2\x82");
  EXPECT_THROW(reference::error_json(error), nlohmann::json::type_error);
  EXPECT_EQ(wire::error_json(error), reference::error_json(error, reference::Json::error_handler_t::replace));
}

}  // namespace
}  // namespace llmsim::mockapi
