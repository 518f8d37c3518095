// Tool calls and JSON content for each choice, drawn from named streams, cut into pieces.
#include "chat_content.hpp"

#include <algorithm>

#include "mockapi/schema_values.hpp"
#include "mockapi/text_generator.hpp"
#include "mockapi/token_logprobs.hpp"

namespace llmsim::mockapi {
namespace {

constexpr std::size_t kWordPieceBytes = 8;     // longest letters-and-digits piece
constexpr std::size_t kSymbolPieceBytes = 3;   // longest punctuation piece ("\":\"")
constexpr std::size_t kCallIdLength = 24;      // OpenAI's call_ ids have 24 characters
constexpr std::string_view kAlphanumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string call_id(RandomStream& rng) {
  std::string id = "call_";
  for (std::size_t i = 0; i < kCallIdLength; ++i) {
    id += kAlphanumeric[rng.next_u64() % kAlphanumeric.size()];
  }
  return id;
}

bool calls_tools(const ChatTools& tools, const ContentName& name, double share) {
  if (tools.tools.empty()) return false;
  switch (tools.tool_choice) {
    case ToolChoice::none: return false;
    case ToolChoice::required:
    case ToolChoice::named: return true;
    case ToolChoice::auto_choice: break;
  }
  if (tools.last_is_tool_result) return false;
  return content_stream(name, "tool-choice").uniform01() < share;
}

std::vector<ToolCall> make_calls(const ChatTools& tools, const ContentName& name) {
  RandomStream pick = content_stream(name, "tool-pick");
  RandomStream ids = content_stream(name, "tool-call-id");
  RandomStream args = content_stream(name, "tool-args");
  std::size_t count = 1;
  if (tools.tool_choice != ToolChoice::named && tools.parallel_tool_calls &&
      pick.uniform01() < kSecondCallShare) {
    count = 2;
  }
  std::vector<ToolCall> calls;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t index = tools.tool_choice == ToolChoice::named
                                  ? tools.named_tool
                                  : pick.next_u64() % tools.tools.size();
    const FunctionTool& tool = tools.tools[index];
    calls.push_back(ToolCall{.id = call_id(ids), .name = tool.name,
                             .argument_pieces = split_pieces(generate_json(*tool.parameters, args))});
  }
  return calls;
}

std::string json_content(const ChatTools& tools, const ContentName& name) {
  RandomStream rng = content_stream(name, "json");
  if (tools.format == ResponseFormat::json_schema && tools.schema) {
    return generate_json(*tools.schema, rng);
  }
  return generate_json_object(rng);
}

// Cuts `content` to `limit` tokens (max_tokens), marking it truncated.
void truncate(ChoiceContent& content, std::int64_t limit) {
  if (content.tokens() <= limit) return;
  content.is_truncated = true;
  auto left = static_cast<std::size_t>(limit);
  if (content.tool_calls.empty()) {
    content.content_pieces.resize(left);
    return;
  }
  std::vector<ToolCall> kept;
  for (ToolCall& call : content.tool_calls) {
    if (left == 0) break;
    --left;  // the call's first delta
    call.argument_pieces.resize(std::min(left, call.argument_pieces.size()));
    left -= call.argument_pieces.size();
    kept.push_back(std::move(call));
  }
  content.tool_calls = std::move(kept);
}

// Cuts a text choice's pieces before the first stop sequence (the piece it starts in keeps the
// text before it; an empty rest is dropped); returns whether a sequence was found.
bool cut_at_stop(std::vector<std::string>& pieces, const std::vector<std::string>& stop) {
  std::string text;
  for (const std::string& piece : pieces) text += piece;
  std::size_t at = std::string::npos;
  for (const std::string& sequence : stop) {
    if (!sequence.empty()) at = std::min(at, text.find(sequence));
  }
  if (at == std::string::npos) return false;
  std::size_t start = 0;
  std::size_t kept = 0;
  while (kept < pieces.size() && start + pieces[kept].size() <= at) {
    start += pieces[kept].size();
    ++kept;
  }
  if (kept < pieces.size() && start < at) {
    pieces[kept].resize(at - start);
    ++kept;
  }
  pieces.resize(kept);
  return true;
}

}  // namespace

std::uint64_t reply_number(const PlanContext& context, const ChatTools& tools) {
  if (!tools.seed) return context.request_n;
  return splitmix64_mix(static_cast<std::uint64_t>(*tools.seed)) ^ fnv1a64("request-seed");
}

std::vector<std::string> split_pieces(std::string_view text) {
  std::vector<std::string> pieces;
  pieces.reserve(text.size() / 3 + 1);  // JSON arguments average 3 to 4 bytes a piece
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    if (text[i] == ' ' && i + 1 < text.size() && is_word_byte(text[i + 1])) ++i;
    if (is_word_byte(text[i])) {
      while (i < text.size() && is_word_byte(text[i]) &&
             (i - start < kWordPieceBytes || is_continuation(text[i]))) {
        ++i;
      }
    } else {
      while (i < text.size() && !is_word_byte(text[i]) && i - start < kSymbolPieceBytes) {
        if (text[i] == ' ' && i > start && i + 1 < text.size() && is_word_byte(text[i + 1])) break;
        ++i;
      }
    }
    pieces.emplace_back(text.substr(start, i - start));
  }
  return pieces;
}

std::shared_ptr<const std::vector<ChoiceContent>> whole_choices(
    const PlanContext& context, const GenerationParams& params,
    const std::vector<std::int64_t>& word_tokens) {
  auto contents = std::make_shared<std::vector<ChoiceContent>>();
  const ReplyText reply(context.seed, context.key, reply_number(context, params.tools));
  for (int c = 0; c < params.n; ++c) {
    const ContentName name{.seed = context.seed, .key = context.key,
                           .request_n = context.request_n, .choice = c,
                           .request_seed = params.tools.seed};
    ChoiceContent content;
    if (calls_tools(params.tools, name, context.config.tool_call_share)) {
      content.tool_calls = make_calls(params.tools, name);
    } else if (params.tools.format != ResponseFormat::text) {
      content.content_pieces = split_pieces(json_content(params.tools, name));
    } else {
      const std::int64_t tokens = word_tokens[static_cast<std::size_t>(c)];
      for (std::int64_t i = 0; i < tokens; ++i) content.content_pieces.push_back(reply.token(c, i));
      content.is_truncated = params.max_tokens && tokens >= *params.max_tokens;
    }
    // A stop sequence ends the text (words or JSON, which it may leave invalid, as OpenAI's
    // does) before max_tokens would; tool call arguments are not cut.
    if (content.tool_calls.empty() && cut_at_stop(content.content_pieces, params.tools.stop)) {
      content.is_truncated = false;
    }
    if (params.max_tokens) truncate(content, *params.max_tokens);
    if (params.tools.logprobs) {
      RandomStream rng = content_stream(name, "logprobs");
      content.logprobs = token_logprobs(content.content_pieces, params.tools.top_logprobs, rng);
    }
    contents->push_back(std::move(content));
  }
  return contents;
}

}  // namespace llmsim::mockapi
