// Anthropic's Messages API: the checks of a POST /v1/messages or /v1/messages/count_tokens body,
// with Anthropic's 400 texts, and the input token estimate. See mockapi/messages_api.hpp.
#include "mockapi/messages_api.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "messages_tools.hpp"
#include "mockapi/request_parser.hpp"
#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using wire::anthropic::ApiError;

[[noreturn]] void fail(std::string message) {
  throw MessagesError(ApiError{400, "invalid_request_error", std::move(message)});
}

// Returns Anthropic's wording of a JSON value's type for "Input should be ..." messages.
std::string should_be(std::string_view field, std::string_view what) {
  return std::string(field) + ": Input should be " + std::string(what);
}

Json parse_body(std::string_view body) {
  // Depth first, so a deeply nested body costs no recursion in the parser.
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  Json parsed = deepest > kMaxJsonDepth ? Json(Json::value_t::discarded)
                                        : Json::parse(body, nullptr, false);
  if (parsed.is_discarded()) fail("There was an error parsing the body: the request body is not valid JSON");
  if (!parsed.is_object()) fail("Input should be a valid dictionary or object to extract fields from");
  return parsed;
}

const Json* field(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::string required_string(const Json& object, const char* name) {
  const Json* value = field(object, name);
  if (value == nullptr) fail(std::string(name) + ": Field required");
  if (!value->is_string()) fail(should_be(name, "a valid string"));
  return value->get<std::string>();
}

std::string required_string_at(const Json& object, const char* name, const std::string& at) {
  const Json* value = field(object, name);
  if (value == nullptr) fail(at + "." + name + ": Field required");
  if (!value->is_string()) fail(should_be(at + "." + name, "a valid string"));
  return value->get<std::string>();
}

std::int64_t integer_at_least(const Json& value, const char* name, std::int64_t minimum) {
  if (!value.is_number_integer()) fail(should_be(name, "a valid integer"));
  const std::int64_t number = value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX
                                  ? INT64_MAX
                                  : value.get<std::int64_t>();
  if (number < minimum) fail(should_be(name, "greater than or equal to " + std::to_string(minimum)));
  return number;
}

void number_in(const Json& object, const char* name, double low, double high) {
  const Json* value = field(object, name);
  if (value == nullptr || value->is_null()) return;
  if (!value->is_number()) fail(should_be(name, "a valid number"));
  const double number = value->get<double>();
  if (number < low) fail(should_be(name, "greater than or equal to " + std::to_string(static_cast<int>(low))));
  if (number > high) fail(should_be(name, "less than or equal to " + std::to_string(static_cast<int>(high))));
}

// What the messages say: their texts (for counting), the last user text, and the tool_use ids of
// the previous message (tool_result blocks must answer them).
struct MessagesRead {
  std::vector<std::string> texts;
  std::string last_user;
  bool last_is_tool_result = false;  // the last message carries a tool_result block
};

void append_text(std::string& text, const std::string& more) {
  if (!text.empty()) text += '\n';
  text += more;
}

// Returns the text of a tool_result's content: a string, or its text blocks.
std::string tool_result_text(const Json& block, const std::string& at) {
  const Json* content = field(block, "content");
  if (content == nullptr || content->is_null()) return {};
  if (content->is_string()) return content->get<std::string>();
  if (!content->is_array()) fail(should_be(at + ".content", "a valid string or list"));
  std::string text;
  for (const Json& part : *content) {
    if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string()) {
      append_text(text, part["text"].get<std::string>());
    }
  }
  return text;
}

// Reads one content block into `text`; records tool_use ids in `uses`, tool_result ids in
// `results` (with their places).
void read_block(const Json& block, const std::string& at, std::string& text,
                std::vector<std::string>& uses,
                std::vector<std::pair<std::string, std::string>>& results) {
  if (!block.is_object()) fail(should_be(at, "a valid dictionary"));
  const Json* type = field(block, "type");
  if (type == nullptr) fail(at + ".type: Field required");
  if (!type->is_string()) fail(should_be(at + ".type", "a valid string"));
  const auto& kind = type->get_ref<const std::string&>();
  if (kind == "text") {
    const Json* value = field(block, "text");
    if (value == nullptr) fail(at + ".text: Field required");
    if (!value->is_string()) fail(should_be(at + ".text", "a valid string"));
    append_text(text, value->get<std::string>());
  } else if (kind == "tool_use") {
    const std::string id = required_string_at(block, "id", at + ".tool_use");
    const std::string name = required_string_at(block, "name", at + ".tool_use");
    const Json* input = field(block, "input");
    if (input == nullptr) fail(at + ".tool_use.input: Field required");
    if (!input->is_object()) fail(should_be(at + ".tool_use.input", "a valid dictionary"));
    // Counted as the Responses face counts a function_call: its name and arguments.
    append_text(text, name + input->dump());
    uses.push_back(id);
  } else if (kind == "tool_result") {
    results.emplace_back(required_string_at(block, "tool_use_id", at + ".tool_result"), at);
    if (const Json* is_error = field(block, "is_error"); is_error != nullptr && !is_error->is_boolean()) {
      fail(should_be(at + ".tool_result.is_error", "a valid boolean"));
    }
    append_text(text, tool_result_text(block, at + ".tool_result"));
  }
  // image, document, thinking ...: accepted, no text counted.
}

// Fails unless every tool_result of message `i` answers a tool_use of the message before.
void check_results(const std::vector<std::pair<std::string, std::string>>& results,
                   const std::vector<std::string>& previous_uses) {
  for (const auto& [id, at] : results) {
    if (std::find(previous_uses.begin(), previous_uses.end(), id) == previous_uses.end()) {
      fail(at + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id +
           ". Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
    }
  }
}

// Fails unless every tool_use id of message `i` has a tool_result in the next message.
void check_uses(std::size_t i, const std::vector<std::string>& uses,
                const std::vector<std::pair<std::string, std::string>>& next_results) {
  std::string missing;
  for (const std::string& id : uses) {
    const bool answered = std::any_of(next_results.begin(), next_results.end(),
                                      [&](const auto& result) { return result.first == id; });
    if (!answered) missing += (missing.empty() ? "" : ", ") + id;
  }
  if (!missing.empty()) {
    fail("messages." + std::to_string(i) + ": `tool_use` ids were found without `tool_result` blocks "
         "immediately after: " + missing + ". Each `tool_use` block must have a corresponding "
         "`tool_result` block in the next message.");
  }
}

// Reads `messages`: each {role, content}; tool_result blocks answer the tool_use blocks of the
// message before them.
MessagesRead read_messages(const Json& body) {
  const Json* messages = field(body, "messages");
  if (messages == nullptr) fail("messages: Field required");
  if (!messages->is_array()) fail(should_be("messages", "a valid list"));
  if (messages->empty()) fail("messages: at least one message is required");
  MessagesRead out;
  std::vector<std::string> previous_uses;
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& message = (*messages)[i];
    const std::string at = "messages." + std::to_string(i);
    if (!message.is_object()) fail(should_be(at, "a valid dictionary"));
    const Json* role = field(message, "role");
    if (role == nullptr) fail(at + ".role: Field required");
    if (!role->is_string() || (*role != "user" && *role != "assistant")) {
      fail(should_be(at + ".role", "'user' or 'assistant'"));
    }
    const Json* content = field(message, "content");
    if (content == nullptr) fail(at + ".content: Field required");
    std::string text;
    std::vector<std::string> uses;
    std::vector<std::pair<std::string, std::string>> results;
    if (content->is_string()) {
      text = content->get<std::string>();
    } else if (content->is_array()) {
      for (std::size_t b = 0; b < content->size(); ++b) {
        read_block((*content)[b], at + ".content." + std::to_string(b), text, uses, results);
      }
    } else {
      fail(should_be(at + ".content", "a valid list"));
    }
    check_results(results, previous_uses);
    if (i > 0) check_uses(i - 1, previous_uses, results);
    previous_uses = std::move(uses);
    out.texts.push_back(std::move(text));
    if (*role == "user") out.last_user = out.texts.back();
    out.last_is_tool_result = !results.empty();
  }
  return out;
}

std::string read_system(const Json& body) {
  const Json* system = field(body, "system");
  if (system == nullptr || system->is_null()) return {};
  if (system->is_string()) return system->get<std::string>();
  if (!system->is_array()) fail(should_be("system", "a valid string"));
  std::string text;
  for (std::size_t i = 0; i < system->size(); ++i) {
    const Json& block = (*system)[i];
    const std::string at = "system." + std::to_string(i);
    if (!block.is_object() || field(block, "type") == nullptr || (*field(block, "type")) != "text") {
      fail(should_be(at, "a text block ({\"type\": \"text\", \"text\": ...})"));
    }
    const Json* value = field(block, "text");
    if (value == nullptr || !value->is_string()) fail(should_be(at + ".text", "a valid string"));
    text += value->get<std::string>();
  }
  return text;
}

// The input of a Messages or count_tokens body: its messages, tools and token estimate.
struct MessagesInput {
  MessagesRead messages;
  ChatTools tools;
  std::int64_t input_tokens = 0;
};

// Reads system, messages, tools and tool_choice of `request` (its text `body`); counts system,
// each message and each tool definition as a chat message (models/token_model.hpp).
MessagesInput read_input(const Json& request, std::string_view body) {
  MessagesInput in;
  in.messages = read_messages(request);
  const std::string system = read_system(request);
  std::vector<std::string> definitions;
  if (field(request, "tools") != nullptr || field(request, "tool_choice") != nullptr) {
    // Read again keeping key order: generated inputs follow their schema's property order.
    const SchemaJson ordered = SchemaJson::parse(body);
    in.tools = read_message_tools(ordered);
    definitions = tool_definition_texts(ordered);
  }
  in.tools.last_is_tool_result = in.messages.last_is_tool_result;
  std::vector<std::string_view> parts;
  if (!system.empty()) parts.emplace_back(system);
  for (const std::string& text : definitions) parts.emplace_back(text);
  for (const std::string& text : in.messages.texts) parts.emplace_back(text);
  in.input_tokens = estimate_chat_tokens(parts);
  return in;
}

}  // namespace

MessagesParams parse_messages_request(std::string_view body) {
  const Json request = parse_body(body);
  MessagesParams params;
  params.model = required_string(request, "model");
  const Json* max_tokens = field(request, "max_tokens");
  if (max_tokens == nullptr) fail("max_tokens: Field required");
  params.max_tokens = integer_at_least(*max_tokens, "max_tokens", 1);
  if (params.max_tokens > kMaxTokensLimit) {
    fail(should_be("max_tokens", "less than or equal to " + std::to_string(kMaxTokensLimit)));
  }
  MessagesInput input = read_input(request, body);
  params.input_tokens = input.input_tokens;
  params.last_user_text = std::move(input.messages.last_user);
  params.tools = std::move(input.tools);
  if (const Json* stream = field(request, "stream"); stream != nullptr && !stream->is_null()) {
    if (!stream->is_boolean()) fail(should_be("stream", "a valid boolean"));
    params.stream = stream->get<bool>();
  }
  if (const Json* stops = field(request, "stop_sequences"); stops != nullptr && !stops->is_null()) {
    if (!stops->is_array()) fail(should_be("stop_sequences", "a valid list"));
    if (stops->size() > kMaxMessageStopSequences) {
      fail("stop_sequences: at most " + std::to_string(kMaxMessageStopSequences) + " stop sequences are accepted");
    }
    for (std::size_t i = 0; i < stops->size(); ++i) {
      const std::string at = "stop_sequences." + std::to_string(i);
      if (!(*stops)[i].is_string()) fail(should_be(at, "a valid string"));
      const auto& stop = (*stops)[i].get_ref<const std::string&>();
      if (stop.empty() || stop.size() > kMaxStopSequenceBytes) {
        fail(at + ": must be 1 to " + std::to_string(kMaxStopSequenceBytes) + " bytes long");
      }
      params.stop_sequences.push_back(stop);
    }
  }
  number_in(request, "temperature", 0.0, 1.0);
  number_in(request, "top_p", 0.0, 1.0);
  if (const Json* top_k = field(request, "top_k"); top_k != nullptr && !top_k->is_null()) {
    integer_at_least(*top_k, "top_k", 0);
  }
  return params;
}

std::int64_t parse_count_tokens_request(std::string_view body, std::string& model) {
  const Json request = parse_body(body);
  model = required_string(request, "model");
  return read_input(request, body).input_tokens;
}

}  // namespace llmsim::mockapi
