// Anthropic's Messages API: request checks, the reply cut at stop sequences, bodies and the
// typed stream events. See mockapi/messages_api.hpp.
#include "mockapi/messages_api.hpp"

#include <algorithm>
#include <cassert>

#include <nlohmann/json.hpp>

#include "mockapi/request_parser.hpp"
#include "models/token_model.hpp"
#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using wire::append_json_int;
using wire::append_json_string;
using wire::anthropic::ApiError;

constexpr std::size_t kMessageIdSuffix = 22;  // "msg_01" and 22 letters and digits
constexpr std::string_view kMessageIdPrefix = "msg_01";

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

// Appends the text of a content value (a string, or a list of blocks) to `texts`; returns the
// message's text.
std::string read_content(const Json& content, const std::string& place) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) fail(should_be(place, "a valid list"));
  std::string text;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const Json& block = content[i];
    const std::string at = place + "." + std::to_string(i);
    if (!block.is_object()) fail(should_be(at, "a valid dictionary"));
    const Json* type = field(block, "type");
    if (type == nullptr) fail(at + ".type: Field required");
    if (!type->is_string()) fail(should_be(at + ".type", "a valid string"));
    const auto& kind = type->get_ref<const std::string&>();
    if (kind == "text") {
      const Json* value = field(block, "text");
      if (value == nullptr) fail(at + ".text: Field required");
      if (!value->is_string()) fail(should_be(at + ".text", "a valid string"));
      if (!text.empty()) text += '\n';
      text += value->get<std::string>();
    } else if (kind == "tool_use" || kind == "tool_result") {
      fail(at + ": tool blocks are not served by this mock yet (text only)");
    }
    // image, document, thinking ...: accepted, no text counted.
  }
  return text;
}

// Reads `messages`: each {role, content}; returns their texts, the last user text in `last_user`.
std::vector<std::string> read_messages(const Json& body, std::string& last_user) {
  const Json* messages = field(body, "messages");
  if (messages == nullptr) fail("messages: Field required");
  if (!messages->is_array()) fail(should_be("messages", "a valid list"));
  if (messages->empty()) fail("messages: at least one message is required");
  std::vector<std::string> texts;
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
    texts.push_back(read_content(*content, at + ".content"));
    if (*role == "user") last_user = texts.back();
  }
  return texts;
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

std::int64_t input_tokens_of(const std::string& system, const std::vector<std::string>& texts) {
  std::vector<std::string_view> parts;
  if (!system.empty()) parts.emplace_back(system);
  for (const std::string& text : texts) parts.emplace_back(text);
  return estimate_chat_tokens(parts);
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
  const std::vector<std::string> texts = read_messages(request, params.last_user_text);
  params.input_tokens = input_tokens_of(read_system(request), texts);
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
  if (const Json* tools = field(request, "tools"); tools != nullptr && !tools->is_null() &&
                                                     !(tools->is_array() && tools->empty())) {
    fail("tools: tool use is not served by this mock yet (text replies only)");
  }
  return params;
}

std::int64_t parse_count_tokens_request(std::string_view body, std::string& model) {
  const Json request = parse_body(body);
  model = required_string(request, "model");
  std::string last_user;
  const std::vector<std::string> texts = read_messages(request, last_user);
  return input_tokens_of(read_system(request), texts);
}

std::string MessageReply::text() const {
  std::string out = reply.text(0, whole_tokens);
  out += tail;
  return out;
}

MessageReply message_reply(const ReplyText& reply, std::int64_t tokens, const MessagesParams& params) {
  MessageReply out{.reply = reply, .whole_tokens = tokens};
  out.stop_reason = tokens >= params.max_tokens ? "max_tokens" : "end_turn";
  if (params.stop_sequences.empty()) return out;
  // Scans token by token: a stop sequence that ends in the newest token starts at most
  // (longest - 1) bytes before it. The text so far is kept (bounded by the provider's tokens).
  std::size_t longest = 0;
  for (const std::string& stop : params.stop_sequences) longest = std::max(longest, stop.size());
  std::string text;
  std::vector<std::size_t> token_ends;
  for (std::int64_t t = 0; t < tokens; ++t) {
    const std::size_t scan_from = text.size() >= longest - 1 ? text.size() - (longest - 1) : 0;
    text += reply.token(0, t);
    token_ends.push_back(text.size());
    std::optional<std::size_t> found;
    const std::string* which = nullptr;
    for (const std::string& stop : params.stop_sequences) {
      const std::size_t at = text.find(stop, scan_from);
      if (at != std::string::npos && (!found || at < *found)) {
        found = at;
        which = &stop;
      }
    }
    if (!found) continue;
    // Whole tokens end at or before the stop; the next one is cut where it begins.
    const auto whole = std::upper_bound(token_ends.begin(), token_ends.end(), *found) - token_ends.begin();
    const std::size_t whole_end = whole == 0 ? 0 : token_ends[static_cast<std::size_t>(whole) - 1];
    out.whole_tokens = static_cast<std::int64_t>(whole);
    out.tail = text.substr(whole_end, *found - whole_end);
    out.stop_reason = "stop_sequence";
    out.stop_sequence = *which;
    return out;
  }
  return out;
}

std::string message_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n) {
  return completion_id(kMessageIdPrefix, seed, key, request_n)
      .substr(0, kMessageIdPrefix.size() + kMessageIdSuffix);
}

namespace {

void append_usage(std::string& out, std::int64_t input_tokens, std::int64_t output_tokens) {
  out += R"({"input_tokens":)";
  append_json_int(out, input_tokens);
  out += R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":)";
  append_json_int(out, output_tokens);
  out += '}';
}

void append_stop(std::string& out, const MessageReply& reply) {
  out += R"("stop_reason":)";
  append_json_string(out, reply.stop_reason);
  out += R"(,"stop_sequence":)";
  if (reply.stop_sequence) {
    wire::append_json_string_lossy(out, *reply.stop_sequence);
  } else {
    out += "null";
  }
}

// Returns the message object; `content` is its content array (JSON text).
std::string message_object(std::string_view id, std::string_view model, std::string_view content,
                           const MessageReply* stopped, std::int64_t input_tokens,
                           std::int64_t output_tokens) {
  std::string out = R"({"id":)";
  append_json_string(out, id);
  out += R"(,"type":"message","role":"assistant","model":)";
  wire::append_json_string_lossy(out, model);
  out += R"(,"content":)";
  out += content;
  out += ',';
  if (stopped != nullptr) {
    append_stop(out, *stopped);
  } else {
    out += R"("stop_reason":null,"stop_sequence":null)";
  }
  out += R"(,"usage":)";
  append_usage(out, input_tokens, output_tokens);
  out += '}';
  return out;
}

std::string event(std::string_view type, std::string_view data) {
  std::string out = "event: ";
  out += type;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

std::int64_t streamed_tokens(const MessagesStream& stream) {
  const std::int64_t tokens = stream.reply.output_tokens();
  if (!stream.drop_after_tokens) return tokens;
  return std::min(tokens, std::max<std::int64_t>(*stream.drop_after_tokens, 0));
}

constexpr std::size_t kHeadEvents = 3;  // message_start, content_block_start, ping
constexpr std::size_t kTailEvents = 3;  // content_block_stop, message_delta, message_stop

}  // namespace

std::string message_json(std::string_view id, std::string_view model, const MessageReply& reply,
                         std::int64_t input_tokens) {
  std::string content = R"([{"type":"text","text":)";
  append_json_string(content, reply.text());
  content += "}]";
  return message_object(id, model, content, &reply, input_tokens, reply.output_tokens());
}

std::size_t messages_event_count(const MessagesStream& stream) {
  return kHeadEvents + static_cast<std::size_t>(streamed_tokens(stream)) +
         (stream.drop_after_tokens ? 0 : kTailEvents);
}

std::pair<Duration, std::string> messages_event(const MessagesStream& stream, std::size_t index) {
  assert(index < messages_event_count(stream));
  switch (index) {
    case 0:
      // Anthropic's message_start counts the first output token already.
      return {stream.time_to_first_token,
              event("message_start",
                    R"({"type":"message_start","message":)" +
                        message_object(stream.id, stream.model, "[]", nullptr, stream.input_tokens, 1) + "}")};
    case 1:
      return {Duration{0},
              event("content_block_start",
                    R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")};
    case 2: return {Duration{0}, event("ping", R"({"type": "ping"})")};
    default: break;
  }
  const auto delta = static_cast<std::int64_t>(index - kHeadEvents);
  if (delta < streamed_tokens(stream)) {
    const MessageReply& reply = stream.reply;
    const std::string text = delta < reply.whole_tokens ? reply.reply.token(0, delta) : reply.tail;
    std::string data = R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":)";
    append_json_string(data, text);
    data += "}}";
    return {delta == 0 ? Duration{0} : stream.per_token, event("content_block_delta", data)};
  }
  switch (static_cast<std::size_t>(delta - streamed_tokens(stream))) {
    case 0:
      return {Duration{0}, event("content_block_stop", R"({"type":"content_block_stop","index":0})")};
    case 1: {
      std::string data = R"({"type":"message_delta","delta":{)";
      append_stop(data, stream.reply);
      data += R"(},"usage":{"output_tokens":)";
      append_json_int(data, stream.reply.output_tokens());
      data += "}}";
      return {Duration{0}, event("message_delta", data)};
    }
    default: return {Duration{0}, event("message_stop", R"({"type":"message_stop"})")};
  }
}

namespace {

void append_model(std::string& out, std::string_view model, std::int64_t created_unix_s) {
  out += R"({"type":"model","id":)";
  wire::append_json_string_lossy(out, model);
  out += R"(,"display_name":)";
  wire::append_json_string_lossy(out, model);
  out += R"(,"created_at":)";
  append_json_string(out, wire::anthropic::rfc3339(created_unix_s));
  out += '}';
}

}  // namespace

std::string anthropic_model_list_json(const std::vector<std::string>& models, std::int64_t created_unix_s) {
  std::string out = R"({"data":[)";
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += ',';
    append_model(out, models[i], created_unix_s);
  }
  out += R"(],"has_more":false,"first_id":)";
  if (models.empty()) {
    out += R"(null,"last_id":null})";
    return out;
  }
  wire::append_json_string_lossy(out, models.front());
  out += R"(,"last_id":)";
  wire::append_json_string_lossy(out, models.back());
  out += '}';
  return out;
}

std::string anthropic_model_json(std::string_view model, std::int64_t created_unix_s) {
  std::string out;
  append_model(out, model, created_unix_s);
  return out;
}

}  // namespace llmsim::mockapi
