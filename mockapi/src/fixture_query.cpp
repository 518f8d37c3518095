// Reading the fixture-matching fields of a request body.
#include "mockapi/fixture_query.hpp"

#include <nlohmann/json.hpp>

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;

// Returns a message's text: a string, or the text of its parts ("text", "input_text") joined by
// "\n".
std::string content_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  bool first = true;
  for (const Json& part : content) {
    if (!part.is_object()) continue;
    const auto text = part.find("text");
    if (text == part.end() || !text->is_string()) continue;
    if (!first) out += '\n';
    out += text->get_ref<const std::string&>();
    first = false;
  }
  return out;
}

// Returns the strings of a string or an array of strings joined by "\n" (other items skipped).
std::string joined_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  if (!value.is_array()) return out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (i > 0) out += '\n';
    if (value[i].is_string()) out += value[i].get_ref<const std::string&>();
  }
  return out;
}

std::string string_field(const Json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool has_tools(const Json& body) {
  const auto tools = body.find("tools");
  return tools != body.end() && tools->is_array() && !tools->empty();
}

void read_chat(const Json& body, FixtureQuery& query) {
  const auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array()) return;
  for (const Json& message : *messages) {
    if (!message.is_object()) continue;
    const std::string role = string_field(message, "role");
    if (role == "user") {
      query.last_user_message = content_text(message.value("content", Json()));
      query.has_tool_result = false;
    } else if (role == "assistant") {
      ++query.turn;
    } else if (role == "tool" || role == "function") {
      query.has_tool_result = true;
    }
  }
}

void read_responses(const Json& body, FixtureQuery& query) {
  const auto input = body.find("input");
  if (input == body.end()) return;
  if (input->is_string()) {
    query.last_user_message = input->get<std::string>();
    return;
  }
  if (!input->is_array()) return;
  bool in_assistant_run = false;
  for (const Json& item : *input) {
    if (!item.is_object()) continue;
    const std::string role = string_field(item, "role");
    const std::string type = string_field(item, "type");
    const bool is_assistant = role == "assistant" || type == "function_call" || type == "reasoning";
    if (is_assistant && !in_assistant_run) ++query.turn;
    in_assistant_run = is_assistant;
    if (role == "user") {
      query.last_user_message = content_text(item.value("content", Json()));
      query.has_tool_result = false;
    } else if (type == "function_call_output") {
      query.has_tool_result = true;
    }
  }
}

}  // namespace

FixtureQuery fixture_query(std::string_view endpoint, std::string_view body) {
  FixtureQuery query;
  query.endpoint = std::string(endpoint);
  const Json document = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return query;
  query.model = string_field(document, "model");
  query.has_tools = has_tools(document);
  if (endpoint == "chat.completions") {
    read_chat(document, query);
  } else if (endpoint == "completions") {
    query.last_user_message = joined_text(document.value("prompt", Json()));
  } else if (endpoint == "embeddings") {
    query.last_user_message = joined_text(document.value("input", Json()));
  } else if (endpoint == "responses") {
    read_responses(document, query);
  }
  return query;
}

}  // namespace llmsim::mockapi
