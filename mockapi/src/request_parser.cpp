// Request body validation, field by field, in OpenAI's words.
#include "mockapi/request_parser.hpp"

#include <limits>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "mockapi/chat_fast_parser.hpp"
#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace json_fields {

// Returns OpenAI's name of a JSON type, with its article: "a string", "an integer" ...
std::string type_name_of(nlohmann::json::value_t type) {
  switch (type) {
    case Json::value_t::string: return "a string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a decimal";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    default: return "null";
  }
}

[[noreturn]] void fail(wire::ApiError error) { throw RequestError(std::move(error)); }

namespace {

// Returns whether `body` nests arrays and objects deeper than kMaxJsonDepth (brackets inside
// strings do not count). Cheap, and before the parser: 8 MB of `[` would cost it 700 MB.
bool is_too_deep(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

Json parse_object(std::string_view body) {
  if (is_too_deep(body)) {
    fail(wire::invalid_json());
  }
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    fail(wire::invalid_json());
  }
  if (!json.is_object()) {
    fail(wire::body_not_object(type_name(json)));
  }
  return json;
}

// Returns the field, or nullptr when it is absent or null (nullable fields).
const Json* find_field(const Json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Returns an integer field's value; values beyond int64 are clamped (they fail range checks).
std::optional<std::int64_t> optional_integer(const Json& object, const char* name) {
  const Json* field = find_field(object, name);
  if (field == nullptr) {
    return std::nullopt;
  }
  if (field->is_number_unsigned()) {
    const auto value = field->get<std::uint64_t>();
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(value > kMax ? kMax : value);
  }
  if (!field->is_number_integer()) {
    fail(wire::invalid_type(name, "an integer", type_name(*field)));
  }
  return field->get<std::int64_t>();
}

std::optional<std::int64_t> ranged_integer(const Json& object, const char* name,
                                           std::int64_t minimum, std::int64_t maximum) {
  const auto value = optional_integer(object, name);
  if (value && *value < minimum) {
    fail(wire::integer_below_minimum(name, minimum, *value));
  }
  if (value && *value > maximum) {
    fail(wire::integer_above_maximum(name, maximum, *value));
  }
  return value;
}

bool optional_bool(const Json& object, const char* name) {
  const Json* field = find_field(object, name);
  if (field == nullptr) {
    return false;
  }
  if (!field->is_boolean()) {
    fail(wire::invalid_type(name, "a boolean", type_name(*field)));
  }
  return field->get<bool>();
}

std::string required_model(const Json& object) {
  const Json* field = find_field(object, "model");
  if (field == nullptr) {
    fail(wire::missing_model());
  }
  if (!field->is_string()) {
    fail(wire::invalid_type("model", "a string", type_name(*field)));
  }
  return field->get<std::string>();
}

}  // namespace json_fields

namespace {

using namespace json_fields;

// Reads model, max tokens, n, stream and stream_options, shared by chat and completions.
GenerationParams parse_generation(const Json& body) {
  GenerationParams params;
  params.model = required_model(body);
  const auto max_tokens = ranged_integer(body, "max_tokens", 1, kMaxTokensLimit);
  const auto max_completion = ranged_integer(body, "max_completion_tokens", 1, kMaxTokensLimit);
  params.max_tokens = max_completion ? max_completion : max_tokens;
  params.n = static_cast<int>(ranged_integer(body, "n", 1, kMaxChoices).value_or(1));
  params.stream = optional_bool(body, "stream");
  if (const Json* options = find_field(body, "stream_options")) {
    if (!options->is_object()) {
      fail(wire::invalid_type("stream_options", "an object", type_name(*options)));
    }
    const Json* usage = find_field(*options, "include_usage");
    if (usage != nullptr && !usage->is_boolean()) {
      fail(wire::invalid_type("stream_options.include_usage", "a boolean", type_name(*usage)));
    }
    params.include_usage = usage != nullptr && usage->get<bool>();
  }
  return params;
}

// Returns the text of a message's content: a string, or the text parts of an array.
std::string message_text(const Json& message, const std::string& where) {
  const Json* content = find_field(message, "content");
  if (content == nullptr) {
    return {};
  }
  if (content->is_string()) {
    return content->get<std::string>();
  }
  if (!content->is_array()) {
    fail(wire::invalid_type(where + ".content", "one of a string or array of objects",
                      type_name(*content)));
  }
  std::string text;
  for (std::size_t i = 0; i < content->size(); ++i) {
    const Json& part = (*content)[i];
    if (!part.is_object()) {
      fail(wire::invalid_type(where + ".content[" + std::to_string(i) + "]", "an object",
                        type_name(part)));
    }
    const Json* part_text = find_field(part, "text");
    if (part_text != nullptr && part_text->is_string()) {
      text += part_text->get<std::string>();
    }
  }
  return text;
}

void check_role(const Json& message, const std::string& where) {
  const Json* role = find_field(message, "role");
  if (role == nullptr) {
    fail(wire::missing_parameter(where + ".role"));
  }
  if (!role->is_string()) {
    fail(wire::invalid_type(where + ".role", "a string", type_name(*role)));
  }
  const auto value = role->get<std::string>();
  if (value != "system" && value != "assistant" && value != "user" && value != "function" &&
      value != "tool" && value != "developer") {
    fail(wire::invalid_value(where + ".role", value,
                       "'system', 'assistant', 'user', 'function', 'tool', and 'developer'"));
  }
}

// Reads the messages: their texts and the role of the last one; returns the prompt tokens.
std::int64_t chat_prompt_tokens(const Json& body, std::vector<std::string>& texts,
                                std::string& last_role) {
  const Json* messages = find_field(body, "messages");
  if (messages == nullptr) {
    fail(wire::missing_parameter("messages"));
  }
  if (!messages->is_array()) {
    fail(wire::invalid_type("messages", "an array", type_name(*messages)));
  }
  if (messages->empty()) {
    fail(wire::empty_array("messages"));
  }
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const Json& message = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!message.is_object()) {
      fail(wire::invalid_type(where, "an object", type_name(message)));
    }
    check_role(message, where);
    texts.push_back(message_text(message, where));
    last_role = message["role"].get<std::string>();
  }
  return estimate_chat_tokens(std::vector<std::string_view>(texts.begin(), texts.end()));
}

bool is_token_array(const Json& value) {
  if (!value.is_array() || value.empty()) {
    return false;
  }
  for (const Json& item : value) {
    if (!item.is_number_integer()) {
      return false;
    }
  }
  return true;
}

// Returns the tokens of a prompt item (a string or an array of token ids), or nullopt.
std::optional<std::int64_t> prompt_item_tokens(const Json& item) {
  if (item.is_string()) {
    return estimate_text_tokens(item.get_ref<const std::string&>());
  }
  if (is_token_array(item)) {
    return static_cast<std::int64_t>(item.size());
  }
  return std::nullopt;
}

std::int64_t completion_prompt_tokens(const Json& body) {
  const Json* prompt = find_field(body, "prompt");
  if (prompt == nullptr) {
    fail(wire::missing_parameter("prompt"));
  }
  if (const auto tokens = prompt_item_tokens(*prompt)) {
    return *tokens;
  }
  constexpr const char* kExpected = "one of a string or array of strings";
  if (!prompt->is_array() || prompt->empty()) {
    fail(wire::invalid_type("prompt", kExpected, type_name(*prompt)));
  }
  std::int64_t total = 0;
  for (const Json& item : *prompt) {
    const auto tokens = prompt_item_tokens(item);
    if (!tokens) {
      fail(wire::invalid_type("prompt", kExpected, type_name(item)));
    }
    total += *tokens;
  }
  return total;
}

// Adds one embedding input (non-empty text or token ids) to `params`; false when unusable.
bool add_embedding_input(const Json& item, EmbeddingParams& params) {
  if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
    params.inputs.push_back(item.get<std::string>());
    params.prompt_tokens += estimate_text_tokens(params.inputs.back());
    return true;
  }
  if (is_token_array(item)) {
    params.inputs.push_back(item.dump());
    params.prompt_tokens += static_cast<std::int64_t>(item.size());
    return true;
  }
  return false;
}

// Reads `input`: a string, token ids, or an array of either, into `params`.
void read_embedding_inputs(const Json& body, EmbeddingParams& params) {
  const Json* input = find_field(body, "input");
  if (input == nullptr) {
    fail(wire::missing_parameter("input"));
  }
  if (input->is_string() || is_token_array(*input)) {
    if (!add_embedding_input(*input, params)) {
      fail(wire::invalid_embedding_input());
    }
    return;
  }
  if (!input->is_array() || input->empty() || input->size() > kMaxEmbeddingInputs) {
    fail(wire::invalid_embedding_input());
  }
  for (const Json& item : *input) {
    if (!add_embedding_input(item, params)) {
      fail(wire::invalid_embedding_input());
    }
  }
}

}  // namespace

GenerationParams parse_chat_request(std::string_view body) {
  if (auto fast = try_parse_chat_fast(body)) {
    return *std::move(fast);
  }
  return parse_chat_request_dom(body);
}

GenerationParams parse_chat_request_dom(std::string_view body) {
  const Json json = parse_object(body);
  GenerationParams params = parse_generation(json);
  std::vector<std::string> texts;
  std::string last_role;
  params.prompt_tokens = chat_prompt_tokens(json, texts, last_role);
  const bool shapes_content = json.contains("tools") || json.contains("tool_choice") ||
                              json.contains("parallel_tool_calls") ||
                              json.contains("response_format") || json.contains("seed") ||
                              json.contains("logprobs") || json.contains("top_logprobs") ||
                              json.contains("stop");
  if (shapes_content) {
    // Read again keeping key order: generated objects follow their schema's property order.
    params.tools = parse_chat_tools(SchemaJson::parse(body), texts, last_role);
  }
  return params;
}

GenerationParams parse_completion_request(std::string_view body) {
  const Json json = parse_object(body);
  GenerationParams params = parse_generation(json);
  params.prompt_tokens = completion_prompt_tokens(json);
  if (!params.max_tokens) {
    params.max_tokens = kCompletionsDefaultMaxTokens;
  }
  if (json.contains("logprobs") || json.contains("stop") || json.contains("seed")) {
    params.tools = parse_completion_tools(SchemaJson::parse(body));
  }
  return params;
}

EmbeddingParams parse_embedding_request(std::string_view body) {
  const Json json = parse_object(body);
  EmbeddingParams params;
  params.model = required_model(json);
  read_embedding_inputs(json, params);
  params.dimensions = ranged_integer(json, "dimensions", 1, kMaxTokensLimit);
  if (const Json* format = find_field(json, "encoding_format")) {
    const std::string value = format->is_string() ? format->get<std::string>() : format->dump();
    if (value != "float" && value != "base64") {
      fail(wire::invalid_value("encoding_format", value, "'float' and 'base64'"));
    }
    params.is_base64 = value == "base64";
  }
  return params;
}

}  // namespace llmsim::mockapi
