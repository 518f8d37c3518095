// Anthropic's Messages API: the reply cut at stop sequences or calling tools, bodies and the
// typed stream events. See mockapi/messages_api.hpp; the request checks are messages_request.cpp.
#include "mockapi/messages_api.hpp"

#include <algorithm>
#include <cassert>

#include <nlohmann/json.hpp>

#include "mockapi/request_parser.hpp"
#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

using Json = nlohmann::json;
using wire::append_json_int;
using wire::append_json_string;

constexpr std::size_t kMessageIdSuffix = 22;  // "msg_01" and 22 letters and digits
constexpr std::string_view kMessageIdPrefix = "msg_01";

}  // namespace

std::int64_t MessageReply::output_tokens() const {
  std::int64_t tokens = text_tokens();
  for (const ToolCall& call : tool_uses) tokens += 1 + static_cast<std::int64_t>(call.argument_pieces.size());
  return tokens;
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

MessageReply message_tool_reply(const ReplyText& reply, std::int64_t text_tokens,
                                const MessagesParams& params, const ChoiceContent& content,
                                const std::vector<std::string>& ids) {
  assert(ids.size() == content.tool_calls.size());
  MessageReply out = message_reply(reply, text_tokens, params);
  // A stop sequence in the text ends the turn before any call.
  if (out.stop_reason == "stop_sequence") return out;
  out.stop_reason = content.is_truncated ? "max_tokens" : "tool_use";
  out.is_cut = content.is_truncated;
  for (std::size_t i = 0; i < content.tool_calls.size(); ++i) {
    ToolCall call = content.tool_calls[i];
    call.id = ids[i];
    out.tool_uses.push_back(std::move(call));
  }
  return out;
}

std::string message_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n) {
  return completion_id(kMessageIdPrefix, seed, key, request_n)
      .substr(0, kMessageIdPrefix.size() + kMessageIdSuffix);
}

std::string tool_use_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n,
                        std::size_t index) {
  // Drawn from the key's stream like the message id, under another name per call.
  constexpr std::string_view kPrefix = "toolu_01";
  const std::string name = std::string(key) + "/tool_use/" + std::to_string(index);
  return completion_id(kPrefix, seed, name, request_n).substr(0, kPrefix.size() + kMessageIdSuffix);
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

// Appends a tool_use block up to its input: {"type":"tool_use","id":...,"name":...,"input":
void append_tool_use_start(std::string& out, const ToolCall& call) {
  out += R"({"type":"tool_use","id":)";
  append_json_string(out, call.id);
  out += R"(,"name":)";
  append_json_string(out, call.name);
  out += R"(,"input":)";
}

// Returns the input of tool_use `i`: its pieces, or {} when max_tokens cut it mid-JSON (what
// Anthropic's whole body gives then; the stream sends the pieces it had).
std::string tool_input(const MessageReply& reply, std::size_t i) {
  std::string input;
  for (const std::string& piece : reply.tool_uses[i].argument_pieces) input += piece;
  if (reply.is_cut && i + 1 == reply.tool_uses.size() && !Json::accept(input)) return "{}";
  return input;
}

}  // namespace

std::string message_json(std::string_view id, std::string_view model, const MessageReply& reply,
                         std::int64_t input_tokens) {
  std::string content = "[";
  if (reply.has_text_block()) {
    content += R"({"type":"text","text":)";
    append_json_string(content, reply.text());
    content += "}";
  }
  for (std::size_t i = 0; i < reply.tool_uses.size(); ++i) {
    if (i > 0 || reply.has_text_block()) content += ',';
    append_tool_use_start(content, reply.tool_uses[i]);
    content += tool_input(reply, i);
    content += '}';
  }
  content += "]";
  return message_object(id, model, content, &reply, input_tokens, reply.output_tokens());
}

namespace {

// Where one content block's events fall in a stream: its start (a tool_use's start is a token),
// the ping after the first block's start, its deltas (a token each) and its stop. A dropped stream
// ends right after its last token, without the stops that would follow.
struct BlockEvents {
  std::optional<std::size_t> call;  // the tool_use; nullopt for the text block
  bool has_ping = false;
  std::int64_t deltas = 0;
  bool has_stop = false;
  std::int64_t first_token = 0;     // the stream's token number of the block's first token event

  std::size_t count() const {
    return 1 + (has_ping ? 1 : 0) + static_cast<std::size_t>(deltas) + (has_stop ? 1 : 0);
  }
};

std::vector<BlockEvents> stream_blocks(const MessagesStream& stream) {
  const MessageReply& reply = stream.reply;
  const std::int64_t budget = streamed_tokens(stream);
  std::int64_t left = budget;
  std::vector<BlockEvents> blocks;
  const std::size_t count = (reply.has_text_block() ? 1 : 0) + reply.tool_uses.size();
  for (std::size_t b = 0; b < count; ++b) {
    BlockEvents block;
    block.first_token = budget - left;
    std::int64_t deltas = reply.text_tokens();
    if (b > 0 || !reply.has_text_block()) {
      block.call = reply.has_text_block() ? b - 1 : b;
      if (left == 0) break;
      --left;  // the start names the tool: one token
      deltas = static_cast<std::int64_t>(reply.tool_uses[*block.call].argument_pieces.size());
    }
    block.has_ping = b == 0;
    block.deltas = std::min(deltas, left);
    left -= block.deltas;
    const bool is_complete = block.deltas == deltas;
    block.has_stop = is_complete && (!stream.drop_after_tokens || left > 0);
    blocks.push_back(block);
    if (!is_complete) break;
  }
  return blocks;
}

std::string block_start(const MessagesStream& stream, std::size_t index, const BlockEvents& block) {
  std::string data = R"({"type":"content_block_start","index":)";
  append_json_int(data, static_cast<std::int64_t>(index));
  data += R"(,"content_block":)";
  if (block.call) {
    append_tool_use_start(data, stream.reply.tool_uses[*block.call]);
    data += "{}}}";
  } else {
    data += R"({"type":"text","text":""}})";
  }
  return event("content_block_start", data);
}

std::string block_delta(const MessagesStream& stream, std::size_t index, const BlockEvents& block,
                        std::int64_t delta) {
  const MessageReply& reply = stream.reply;
  std::string data = R"({"type":"content_block_delta","index":)";
  append_json_int(data, static_cast<std::int64_t>(index));
  if (block.call) {
    data += R"(,"delta":{"type":"input_json_delta","partial_json":)";
    append_json_string(data, reply.tool_uses[*block.call].argument_pieces[static_cast<std::size_t>(delta)]);
  } else {
    data += R"(,"delta":{"type":"text_delta","text":)";
    append_json_string(data, delta < reply.whole_tokens ? reply.reply.token(0, delta) : reply.tail);
  }
  data += "}}";
  return event("content_block_delta", data);
}

// Returns event `at` of `block` (number `index` in the content): delay and text.
std::pair<Duration, std::string> block_event(const MessagesStream& stream, std::size_t index,
                                             const BlockEvents& block, std::size_t at) {
  // The first token rides on message_start's time to first token; each later one per_token after.
  const auto token_delay = [&](std::int64_t token) { return token == 0 ? Duration{0} : stream.per_token; };
  if (at == 0) {
    return {block.call ? token_delay(block.first_token) : Duration{0}, block_start(stream, index, block)};
  }
  if (block.has_ping && at == 1) return {Duration{0}, event("ping", R"({"type": "ping"})")};
  const auto delta = static_cast<std::int64_t>(at - 1 - (block.has_ping ? 1 : 0));
  if (delta < block.deltas) {
    const std::int64_t token = block.first_token + (block.call ? 1 : 0) + delta;
    return {token_delay(token), block_delta(stream, index, block, delta)};
  }
  std::string data = R"({"type":"content_block_stop","index":)";
  append_json_int(data, static_cast<std::int64_t>(index));
  data += '}';
  return {Duration{0}, event("content_block_stop", data)};
}

constexpr std::size_t kTailEvents = 2;  // message_delta, message_stop

}  // namespace

std::size_t messages_event_count(const MessagesStream& stream) {
  std::size_t count = 1;  // message_start
  for (const BlockEvents& block : stream_blocks(stream)) count += block.count();
  return count + (stream.drop_after_tokens ? 0 : kTailEvents);
}

std::pair<Duration, std::string> messages_event(const MessagesStream& stream, std::size_t index) {
  assert(index < messages_event_count(stream));
  if (index == 0) {
    // Anthropic's message_start counts the first output token already.
    return {stream.time_to_first_token,
            event("message_start",
                  R"({"type":"message_start","message":)" +
                      message_object(stream.id, stream.model, "[]", nullptr, stream.input_tokens, 1) + "}")};
  }
  std::size_t at = index - 1;
  const std::vector<BlockEvents> blocks = stream_blocks(stream);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (at < blocks[b].count()) return block_event(stream, b, blocks[b], at);
    at -= blocks[b].count();
  }
  if (at == 0) {
    std::string data = R"({"type":"message_delta","delta":{)";
    append_stop(data, stream.reply);
    data += R"(},"usage":{"output_tokens":)";
    append_json_int(data, stream.reply.output_tokens());
    data += "}}";
    return {Duration{0}, event("message_delta", data)};
  }
  return {Duration{0}, event("message_stop", R"({"type":"message_stop"})")};
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
