// The quick scan of a chat-completion body; see mockapi/chat_fast_parser.hpp for the contract.
//
// Every function returns false (or nullopt) as soon as the text leaves the handled shape; the
// scan then stops and the caller falls back to the DOM path. What it accepts follows RFC 8259 as
// nlohmann::json reads it, restricted to ASCII, so that an accepted body is one the DOM path
// accepts too and reads the same way.
#include "mockapi/chat_fast_parser.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/token_model.hpp"

namespace llmsim::mockapi {
namespace {

// Deepest nesting of a skipped value; deeper bodies go to the DOM path.
constexpr int kMaxSkipDepth = 64;
// Longest number token skipped, and most exponent digits: keeps every skipped number finite as a
// double (nlohmann refuses an overflowing one), without converting it.
constexpr std::size_t kMaxNumberLength = 64;
constexpr std::size_t kMaxExponentDigits = 2;
// Most digits of an integer field (kMaxTokensLimit has 10).
constexpr std::size_t kMaxIntegerDigits = 10;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the body with the JSON pieces the chat shape needs.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() {
    skip_whitespace();
    return pos_ == text_.size();
  }

  // Consumes `c` after optional whitespace.
  bool eat(char c) {
    skip_whitespace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Reads a string with no escapes (an object key) after optional whitespace, as it stands.
  bool plain_string(std::string_view& out) {
    skip_whitespace();
    bool has_escape = false;
    return raw_string(out, has_escape) && !has_escape;
  }

  // Reads a string after optional whitespace, decoding the escapes other than \u; `out` views
  // the body or `storage`.
  bool string(std::string_view& out, std::string& storage) {
    skip_whitespace();
    bool has_escape = false;
    if (!raw_string(out, has_escape)) {
      return false;
    }
    if (has_escape) {
      storage = decode(out);
      out = storage;
    }
    return true;
  }

  // Reads an integer written as plain digits, within [1, maximum].
  bool positive_integer(std::int64_t maximum, std::int64_t& out) {
    skip_whitespace();
    const std::size_t start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && is_digit(text_[pos_]) && pos_ - start < kMaxIntegerDigits) {
      value = value * 10 + (text_[pos_++] - '0');
    }
    const bool more_digits = pos_ < text_.size() && is_digit(text_[pos_]);
    out = value;
    return pos_ > start && text_[start] != '0' && !more_digits && value <= maximum;
  }

  bool boolean(bool& out) {
    skip_whitespace();
    if (literal("true")) {
      out = true;
      return true;
    }
    out = false;
    return literal("false");
  }

  // Calls on_member(key) for each member of an object; on_member reads the value.
  template <class OnMember>
  bool object(OnMember&& on_member) {
    if (!eat('{')) {
      return false;
    }
    if (eat('}')) {
      return true;
    }
    do {
      std::string_view key;
      if (!plain_string(key) || !eat(':') || !on_member(key)) {
        return false;
      }
    } while (eat(','));
    return eat('}');
  }

  // Calls on_element() for each element of an array; on_element reads the element.
  template <class OnElement>
  bool array(OnElement&& on_element) {
    if (!eat('[')) {
      return false;
    }
    if (eat(']')) {
      return true;
    }
    do {
      if (!on_element()) {
        return false;
      }
    } while (eat(','));
    return eat(']');
  }

  // Passes over a well-formed value and views its text (from its first non-blank character).
  bool raw_value(std::string_view& out) {
    skip_whitespace();
    const std::size_t start = pos_;
    if (!skip_value()) {
      return false;
    }
    out = text_.substr(start, pos_ - start);
    return true;
  }

  // Passes over any well-formed value (within the ASCII and depth limits).
  bool skip_value(int depth = 0) {
    skip_whitespace();
    if (pos_ == text_.size() || depth > kMaxSkipDepth) {
      return false;
    }
    switch (text_[pos_]) {
      case '"': {
        std::string_view ignored;
        bool has_escape = false;
        return raw_string(ignored, has_escape);
      }
      case '{':
        return object([&](std::string_view) { return skip_value(depth + 1); });
      case '[':
        return array([&] { return skip_value(depth + 1); });
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

 private:
  void skip_whitespace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return false;
    }
    pos_ += word.size();
    return true;
  }

  // Reads "..." as it stands; refuses control and non-ASCII bytes, \u and unknown escapes.
  bool raw_string(std::string_view& out, bool& has_escape) {
    if (pos_ == text_.size() || text_[pos_] != '"') {
      return false;
    }
    const std::size_t start = ++pos_;
    while (pos_ < text_.size()) {
      const auto byte = static_cast<unsigned char>(text_[pos_]);
      if (byte == '"') {
        out = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (byte < 0x20 || byte >= 0x80) {
        return false;
      }
      if (byte == '\\') {
        if (pos_ + 1 == text_.size() || escaped(text_[pos_ + 1]) == '\0') {
          return false;
        }
        has_escape = true;
        ++pos_;
      }
      ++pos_;
    }
    return false;
  }

  // Returns the character an escape letter stands for, or '\0' when it is not handled.
  static char escaped(char letter) {
    switch (letter) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      default: return '\0';
    }
  }

  // Decodes the raw contents of a string raw_string accepted.
  static std::string decode(std::string_view raw) {
    std::string text;
    text.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      text += raw[i] == '\\' ? escaped(raw[++i]) : raw[i];
    }
    return text;
  }

  // Counts the digits at the cursor and passes over them.
  std::size_t digits() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      ++pos_;
    }
    return pos_ - start;
  }

  // Passes over a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, short enough to be finite.
  bool number() {
    const std::size_t start = pos_;
    eat_char('-');
    if (pos_ == text_.size() || !is_digit(text_[pos_])) {
      return false;
    }
    const bool leading_zero = text_[pos_] == '0';
    const std::size_t integer_digits = digits();
    if (leading_zero && integer_digits > 1) {
      return false;
    }
    if (eat_char('.') && digits() == 0) {
      return false;
    }
    if (eat_char('e') || eat_char('E')) {
      if (!eat_char('+')) {
        eat_char('-');
      }
      const std::size_t exponent_digits = digits();
      if (exponent_digits == 0 || exponent_digits > kMaxExponentDigits) {
        return false;
      }
    }
    return pos_ - start <= kMaxNumberLength;
  }

  // Consumes `c` when it is the next character (no whitespace skipped).
  bool eat_char(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_known_role(std::string_view role) {
  return role == "system" || role == "assistant" || role == "user" || role == "function" ||
         role == "tool" || role == "developer";
}

// The message texts, viewing the body or their decoded copies.
struct MessageTexts {
  std::vector<std::string_view> texts;
  std::string last_role;            // the role of the last message read
  std::deque<std::string> decoded;  // a deque: growing it keeps earlier strings in place
};

// Reads one message object: a known role (required) and string content (optional).
bool read_message(Scanner& scanner, MessageTexts& out) {
  bool has_role = false;
  bool has_content = false;
  std::string_view content;
  std::string content_storage;
  const bool ok = scanner.object([&](std::string_view key) {
    if (key == "role") {
      std::string_view role;
      std::string role_storage;
      const bool first = !has_role;
      has_role = true;
      if (!first || !scanner.string(role, role_storage) || !is_known_role(role)) {
        return false;
      }
      out.last_role = role;
      return true;
    }
    if (key == "content") {
      const bool first = !has_content;
      has_content = true;
      return first && scanner.string(content, content_storage);
    }
    return scanner.skip_value();
  });
  if (!ok || !has_role) {
    return false;
  }
  if (!content_storage.empty() && content.data() == content_storage.data()) {
    content = out.decoded.emplace_back(std::move(content_storage));
  }
  out.texts.push_back(content);
  return true;
}

// Reads stream_options: an object whose include_usage, when given, is true or false.
bool read_stream_options(Scanner& scanner, bool& include_usage) {
  bool seen = false;
  return scanner.object([&](std::string_view key) {
    if (key != "include_usage") {
      return scanner.skip_value();
    }
    const bool first = !seen;
    seen = true;
    return first && scanner.boolean(include_usage);
  });
}

// The fields of the body read so far, with which ones were seen (to refuse duplicates).
struct ChatFields {
  std::string_view model;
  std::string model_storage;
  bool has_model = false;
  MessageTexts messages;
  bool has_messages = false;
  std::int64_t max_tokens = 0;
  bool has_max_tokens = false;
  std::int64_t max_completion_tokens = 0;
  bool has_max_completion_tokens = false;
  std::int64_t n = 1;
  bool has_n = false;
  bool stream = false;
  bool has_stream = false;
  bool include_usage = false;
  bool has_stream_options = false;
  std::string shaping;                      // `"key":value,` of each member shaping the content
  std::vector<std::string_view> shaping_keys;
};

// Marks a field seen; false when it was seen already (a duplicate key).
bool first_time(bool& seen) {
  const bool first = !seen;
  seen = true;
  return first;
}

// Returns whether a top-level member shapes the content (read by parse_chat_tools,
// mockapi/chat_tools.hpp).
bool shapes_content(std::string_view key) {
  return key == "tools" || key == "tool_choice" || key == "parallel_tool_calls" ||
         key == "response_format" || key == "seed" || key == "logprobs" ||
         key == "top_logprobs" || key == "stop";
}

// Keeps a content-shaping member's text as it stands, once (a duplicate goes to the DOM path:
// its two JSON types keep different copies).
bool read_shaping(Scanner& scanner, std::string_view key, ChatFields& fields) {
  for (std::string_view seen : fields.shaping_keys) {
    if (seen == key) {
      return false;
    }
  }
  fields.shaping_keys.push_back(key);
  std::string_view value;
  if (!scanner.raw_value(value)) {
    return false;
  }
  fields.shaping += '"';
  fields.shaping += key;
  fields.shaping += "\":";
  fields.shaping += value;
  fields.shaping += ',';
  return true;
}

// Most distinct content-shaping texts a thread keeps read and checked (then it starts over).
constexpr std::size_t kCachedShapes = 64;

// Returns the ChatTools of the shaping members: parse_chat_tools on an object of just those
// members (what the DOM path reads of them, with the same errors: the rest of the body is known
// good), kept per thread by their text, so that an app sending the same tools every time pays
// for reading and checking their schemas once.
ChatTools shaped_tools(const ChatFields& fields) {
  std::string key = fields.shaping;
  key += '\0';
  key += fields.messages.last_role == "tool" ? 't' : '-';
  // What the messages say matters only to json_object (which needs the word "json").
  if (fields.shaping.find("json_object") != std::string::npos) {
    const auto& texts = fields.messages.texts;
    key += std::any_of(texts.begin(), texts.end(), mentions_json) ? 'j' : '-';
  }
  thread_local std::unordered_map<std::string, ChatTools> cache;
  if (auto it = cache.find(key); it != cache.end()) {
    return it->second;
  }
  const std::string object = "{" + fields.shaping.substr(0, fields.shaping.size() - 1) + "}";
  const std::vector<std::string> texts(fields.messages.texts.begin(), fields.messages.texts.end());
  ChatTools tools = parse_chat_tools(SchemaJson::parse(object), texts, fields.messages.last_role);
  if (cache.size() >= kCachedShapes) {
    cache.clear();
  }
  cache.emplace(std::move(key), tools);
  return tools;
}

// Reads the value of the top-level member `key` into `fields`.
bool read_member(Scanner& scanner, std::string_view key, ChatFields& fields) {
  if (key == "model") {
    return first_time(fields.has_model) && scanner.string(fields.model, fields.model_storage);
  }
  if (key == "messages") {
    return first_time(fields.has_messages) &&
           scanner.array([&] { return read_message(scanner, fields.messages); });
  }
  if (key == "max_tokens") {
    return first_time(fields.has_max_tokens) &&
           scanner.positive_integer(kMaxTokensLimit, fields.max_tokens);
  }
  if (key == "max_completion_tokens") {
    return first_time(fields.has_max_completion_tokens) &&
           scanner.positive_integer(kMaxTokensLimit, fields.max_completion_tokens);
  }
  if (key == "n") {
    return first_time(fields.has_n) && scanner.positive_integer(kMaxChoices, fields.n);
  }
  if (key == "stream") {
    return first_time(fields.has_stream) && scanner.boolean(fields.stream);
  }
  if (key == "stream_options") {
    return first_time(fields.has_stream_options) &&
           read_stream_options(scanner, fields.include_usage);
  }
  if (shapes_content(key)) {
    return read_shaping(scanner, key, fields);
  }
  if (key == "functions" || key == "function_call") {
    return false;  // the deprecated function calling: left to the DOM path
  }
  return scanner.skip_value();
}

}  // namespace

std::optional<GenerationParams> try_parse_chat_fast(std::string_view body) {
  Scanner scanner(body);
  ChatFields fields;
  const bool ok =
      scanner.object([&](std::string_view key) { return read_member(scanner, key, fields); });
  if (!ok || !scanner.at_end() || !fields.has_model || fields.messages.texts.empty()) {
    return std::nullopt;
  }
  GenerationParams params;
  params.model = std::string(fields.model);
  params.prompt_tokens = estimate_chat_tokens(fields.messages.texts);
  if (fields.has_max_completion_tokens) {
    params.max_tokens = fields.max_completion_tokens;
  } else if (fields.has_max_tokens) {
    params.max_tokens = fields.max_tokens;
  }
  params.n = static_cast<int>(fields.n);
  params.stream = fields.stream;
  params.include_usage = fields.include_usage;
  if (!fields.shaping.empty()) {
    params.tools = shaped_tools(fields);  // throws RequestError as the DOM path would
  }
  return params;
}

}  // namespace llmsim::mockapi
