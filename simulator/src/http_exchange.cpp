// Request bodies and response classification for the real-socket driver.
#include "simulator/http_exchange.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "models/token_model.hpp"

namespace llmsim {

namespace {

using Json = nlohmann::json;

// Chat framing the token estimate adds to one message: 3 for the message, 3 to prime the reply.
constexpr std::int64_t kChatFramingTokens = 6;
constexpr std::int64_t kBytesPerToken = 4;
// Doubles below this in magnitude convert to int64 without overflow (2^63 is the first that fails).
constexpr double kInt64Bound = 9.2e18;

std::string prompt_text(const RequestConfig& request) {
  if (request.prompt) return *request.prompt;
  // Chat messages and Responses input are estimated as messages (framing added); the rest as text.
  const bool is_message = request.endpoint == Endpoint::chat_completions ||
                          request.endpoint == Endpoint::responses;
  const std::int64_t framing = is_message ? kChatFramingTokens : 0;
  const std::int64_t tokens = std::max<std::int64_t>(1, request.prompt_tokens - framing);
  std::string text;
  // "word " is 5 bytes; pad to exactly tokens x 4 bytes so the estimate is exact.
  while (static_cast<std::int64_t>(text.size()) < tokens * kBytesPerToken) text += "word ";
  text.resize(static_cast<std::size_t>(tokens * kBytesPerToken));
  return text;
}

// Reads usage.completion_tokens of a JSON text through nlohmann's SAX interface, without building
// a document: the parser checks the whole text, so invalid JSON reads as no usage. As in a
// parsed document, the last of repeated keys counts; a completion_tokens that is not a number
// counts as 0 (reading it from the document threw).
class UsageReader {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  // Reads usage.`token_key` ("completion_tokens", or "output_tokens" for the Responses API).
  explicit UsageReader(std::string_view token_key) : token_key_(token_key) {}

  std::int64_t completion_tokens() const { return tokens_; }

  bool null() { return value(0); }
  bool boolean(bool) { return value(0); }
  bool number_integer(number_integer_t v) { return value(v); }
  bool number_unsigned(number_unsigned_t v) { return value(static_cast<std::int64_t>(v)); }
  bool number_float(number_float_t v, const string_t&) {
    // Truncated as the library converts; a value beyond int64 (undefined to convert) counts as 0.
    return value(std::abs(v) < kInt64Bound ? static_cast<std::int64_t>(v) : 0);
  }
  bool string(string_t&) { return value(0); }
  bool binary(binary_t&) { return value(0); }
  bool start_object(std::size_t) {
    if (expect_ == Expect::usage) is_in_usage_ = true;
    value(0);
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    if (depth_ == 1) is_in_usage_ = false;
    return true;
  }
  bool start_array(std::size_t) {
    value(0);
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(string_t& name) {
    expect_ = Expect::nothing;
    if (depth_ == 1 && name == "usage") {
      expect_ = Expect::usage;
      tokens_ = 0;  // a later "usage" replaces an earlier one
    } else if (depth_ == 2 && is_in_usage_ && name == token_key_) {
      expect_ = Expect::tokens;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  enum class Expect { nothing, usage, tokens };

  // Takes the value that follows a key (0 for one that is not a number); always continues.
  bool value(std::int64_t number) {
    if (expect_ == Expect::tokens) tokens_ = number;
    expect_ = Expect::nothing;
    return true;
  }

  std::string_view token_key_;
  int depth_ = 0;
  bool is_in_usage_ = false;
  Expect expect_ = Expect::nothing;
  std::int64_t tokens_ = 0;
};

// Reads usage.completion_tokens with the SAX parser above: exact for any text; nullopt when the
// text is not JSON.
std::optional<std::int64_t> parsed_completion_tokens(std::string_view json,
                                                     std::string_view token_key) {
  UsageReader reader(token_key);
  if (!Json::sax_parse(json, &reader)) return std::nullopt;
  return reader.completion_tokens();
}

// A quick look at JSON text that only finds where things are: the members of an object and the
// extent of a value, skipping strings and nested values without decoding them. It gives up
// (nullopt) on anything it does not expect, and on keys with escapes, which it cannot compare.
class JsonScan {
 public:
  explicit JsonScan(std::string_view text) : text_(text) {}

  // Returns the value text of the last member `name` of the object that is the whole text, or
  // "" when it has none; nullopt when unsure.
  std::optional<std::string_view> member(std::string_view name) {
    std::string_view found;
    if (!skip_space() || text_[at_] != '{') return std::nullopt;
    ++at_;
    if (!skip_space()) return std::nullopt;
    if (text_[at_] == '}') return end_of_text() ? std::optional(found) : std::nullopt;
    while (true) {
      const auto key = string_value();
      if (!key || key->find('\\') != std::string_view::npos) return std::nullopt;
      if (!skip_space() || text_[at_] != ':') return std::nullopt;
      ++at_;
      if (!skip_space()) return std::nullopt;
      const std::size_t start = at_;
      if (!skip_value()) return std::nullopt;
      if (*key == name) found = text_.substr(start, at_ - start);
      if (!skip_space()) return std::nullopt;
      if (text_[at_] == '}') {
        ++at_;
        return end_of_text() ? std::optional(found) : std::nullopt;
      }
      if (text_[at_] != ',') return std::nullopt;
      ++at_;
      if (!skip_space()) return std::nullopt;
    }
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // Skips white space; returns whether text is left.
  bool skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
    return at_ < text_.size();
  }

  bool end_of_text() { return !skip_space(); }

  // Skips a string at `at_`; returns its raw contents (escapes not decoded). Jumps from quote to
  // quote (memchr): a quote ends the string unless an odd number of backslashes precede it.
  std::optional<std::string_view> string_value() {
    if (text_[at_] != '"') return std::nullopt;
    const std::size_t start = at_ + 1;
    std::size_t from = start;
    while (from < text_.size()) {
      const void* quote = std::memchr(text_.data() + from, '"', text_.size() - from);
      if (quote == nullptr) return std::nullopt;
      const auto end = static_cast<std::size_t>(static_cast<const char*>(quote) - text_.data());
      std::size_t backslashes = 0;
      while (end - backslashes > start && text_[end - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) {
        at_ = end + 1;
        return text_.substr(start, end - start);
      }
      from = end + 1;
    }
    return std::nullopt;
  }

  // Skips a value at `at_`: a string, an object or array (to its matching end) or a scalar.
  bool skip_value() {
    const char first = text_[at_];
    if (first == '"') return string_value().has_value();
    if (first != '{' && first != '[') {
      const std::size_t start = at_;
      while (at_ < text_.size() && !is_space(text_[at_]) && text_[at_] != ',' &&
             text_[at_] != '}' && text_[at_] != ']') {
        ++at_;
      }
      return at_ > start;
    }
    int depth = 0;
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '"') {
        if (!string_value()) return false;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++at_;
      if (depth == 0) return true;
    }
    return false;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

// Returns a JSON number as the library converts it to an integer; nullopt for anything else.
std::optional<std::int64_t> integer_of(std::string_view value) {
  const char* end = value.data() + value.size();
  std::int64_t integer = 0;
  if (auto [ptr, error] = std::from_chars(value.data(), end, integer);
      error == std::errc{} && ptr == end) {
    return integer;
  }
  std::uint64_t large = 0;
  if (auto [ptr, error] = std::from_chars(value.data(), end, large);
      error == std::errc{} && ptr == end) {
    return static_cast<std::int64_t>(large);
  }
  double real = 0;
  if (auto [ptr, error] = std::from_chars(value.data(), end, real);
      error == std::errc{} && ptr == end && std::abs(real) < kInt64Bound) {
    return static_cast<std::int64_t>(real);
  }
  return std::nullopt;
}

// Reads usage.`token_key` of a JSON object. The quick scan finds it without reading the rest
// (the reply text above all); when the scan is unsure, or the value is not a plain number, the
// SAX parser reads the whole text. Returns nullopt when the text is not JSON.
std::optional<std::int64_t> completion_tokens_in(std::string_view json, std::string_view token_key) {
  const auto parsed = [&] { return parsed_completion_tokens(json, token_key); };
  const std::optional<std::string_view> usage = JsonScan(json).member("usage");
  if (!usage) return parsed();
  if (usage->empty() || usage->front() != '{') return usage->empty() ? 0 : parsed();
  const std::optional<std::string_view> tokens = JsonScan(*usage).member(token_key);
  if (!tokens) return parsed();
  if (tokens->empty()) return 0;
  if (const auto value = integer_of(*tokens)) return *value;
  return parsed();
}

constexpr std::string_view kChatTokens = "completion_tokens";
constexpr std::string_view kResponsesTokens = "output_tokens";

// Returns the data of the last event of type `type` in an SSE body ("message_delta"), or nullopt
// when it has none. An unescaped `"type":"..."` is JSON structure, never text inside a delta.
std::optional<std::string_view> last_event_data(std::string_view body, std::string_view type) {
  const std::string needle = "\"type\":\"" + std::string(type) + "\"";
  const std::size_t at = body.rfind(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = body.rfind("data: ", at);
  const std::size_t end = body.find('\n', at);
  if (start == std::string_view::npos || end == std::string_view::npos) return std::nullopt;
  return body.substr(start + 6, end - start - 6);
}

// Returns the data of a Responses stream's final event (response.completed, or
// response.incomplete when max_output_tokens cut it), or nullopt when the stream has none.
std::optional<std::string_view> final_response_event(std::string_view body) {
  if (auto completed = last_event_data(body, "response.completed")) return completed;
  return last_event_data(body, "response.incomplete");
}

// Reads response.usage.output_tokens of a final Responses event; 0 when it has none.
std::int64_t output_tokens_of_event(std::string_view data) {
  const Json event = Json::parse(data, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return 0;
  const auto response = event.find("response");
  if (response == event.end() || !response->is_object()) return 0;
  return completion_tokens_in(response->dump(), kResponsesTokens).value_or(0);
}

// Reads completion tokens from a JSON body's usage, or from the usage chunk (Responses: the
// final event; Anthropic: the message_delta event) of a stream; nullopt when a body that is not a
// stream is not JSON (a proxy's HTML page, say).
std::optional<std::int64_t> completion_tokens_of(std::string_view body, bool is_stream,
                                                 Endpoint endpoint, ProviderApi api) {
  if (api == ProviderApi::anthropic) {
    if (!is_stream) return completion_tokens_in(body, kResponsesTokens);
    const auto event = last_event_data(body, "message_delta");
    return event ? completion_tokens_in(*event, kResponsesTokens).value_or(0) : 0;
  }
  const bool is_responses = endpoint == Endpoint::responses;
  if (!is_stream) return completion_tokens_in(body, is_responses ? kResponsesTokens : kChatTokens);
  if (is_responses) {
    const auto event = final_response_event(body);
    return event ? output_tokens_of_event(*event) : 0;
  }
  // The usage chunk, when asked for, is the last data line before [DONE].
  const std::size_t usage = body.rfind("\"usage\":{");
  if (usage == std::string_view::npos) return 0;
  const std::size_t start = body.rfind("data: ", usage);
  const std::size_t end = body.find('\n', usage);
  if (start == std::string_view::npos || end == std::string_view::npos) return 0;
  return completion_tokens_in(body.substr(start + 6, end - start - 6), kChatTokens).value_or(0);
}

// The body of a request to a provider that serves `model`.
std::string body_for(const RequestConfig& request, ProviderApi api, const std::string& model) {
  Json body{{"model", model}};
  const std::string prompt = prompt_text(request);
  if (api == ProviderApi::anthropic) {
    // The Messages API: max_tokens is required (the loader sees to it when a provider is
    // Anthropic's); usage comes in every answer, streamed in message_delta.
    body["max_tokens"] = request.max_tokens.value_or(0);
    body["messages"] = Json::array({Json{{"role", "user"}, {"content", prompt}}});
    if (request.stream) body["stream"] = true;
    return body.dump();
  }
  switch (request.endpoint) {
    case Endpoint::embeddings:
      body["input"] = prompt;
      return body.dump();
    case Endpoint::responses:
      // The Responses API: a string input, max_output_tokens, and usage in every final event.
      body["input"] = prompt;
      if (request.max_tokens) body["max_output_tokens"] = *request.max_tokens;
      if (request.stream) body["stream"] = true;
      return body.dump();
    case Endpoint::completions:
      body["prompt"] = prompt;
      break;
    case Endpoint::chat_completions:
      body["messages"] = Json::array({Json{{"role", "user"}, {"content", prompt}}});
      break;
  }
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = Json{{"include_usage", true}};
  }
  return body.dump();
}

}  // namespace

std::string endpoint_path(const RequestConfig& request, ProviderApi api) {
  if (api == ProviderApi::anthropic) return "/v1/messages";
  return std::string(endpoint_path(request.endpoint));
}

const std::string& model_for(const RequestConfig& request, const ProviderConfig& provider) {
  const auto& models = provider.models;
  if (models.empty() || std::find(models.begin(), models.end(), request.model) != models.end()) {
    return request.model;
  }
  return models.front();
}

std::string request_body(const RequestConfig& request, const ProviderConfig& provider) {
  return body_for(request, provider.api, model_for(request, provider));
}

std::string request_body(const RequestConfig& request) {
  return body_for(request, ProviderApi::openai, request.model);
}

std::string request_head_start(std::string_view path, std::string_view host,
                               std::string_view api_key, ProviderApi api) {
  std::string out = "POST ";
  out += path;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nContent-Type: application/json\r\nUser-Agent: llmsim-load\r\n";
  if (api == ProviderApi::anthropic) {
    if (!api_key.empty()) {
      out += wire::anthropic::kApiKey;
      out += ": ";
      out += api_key;
      out += "\r\n";
    }
    out += wire::anthropic::kVersion;
    out += ": ";
    out += wire::anthropic::kApiVersions[0];
    out += "\r\n";
  } else if (!api_key.empty()) {
    out += "Authorization: Bearer ";
    out += api_key;
    out += "\r\n";
  }
  return out;
}

void write_request_head_end(std::string& out, std::uint32_t attempt, std::uint64_t request_id,
                            std::size_t body_bytes) {
  std::array<char, 24> digits{};  // 20 digits at most
  const auto append_number = [&](std::uint64_t value) {
    const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    out.append(digits.data(), result.ptr);
  };
  out = "x-stainless-retry-count: ";
  append_number(attempt);
  out += "\r\nx-llmsim-request-id: ";
  append_number(request_id);
  out += "\r\nContent-Length: ";
  append_number(body_bytes);
  out += "\r\n\r\n";
}

AttemptResult read_response(const ResponseView& response) {
  return read_response(response, wire::read_response(response.status, response.headers,
                                                     response.body, response.is_complete,
                                                     response.endpoint));
}

AttemptResult read_response(const ResponseView& response, const wire::Reading& reading) {
  AttemptResult result = attempt_of(reading);
  result.bytes_received = response.bytes_received;
  result.body_bytes = response.body_bytes;
  const bool is_success = response.status >= 200 && response.status < 300;
  if (!is_success || result.error) return result;
  const bool is_stream = response.headers.content_type &&
                         response.headers.content_type->starts_with(wire::kEventStream);
  const std::optional<std::int64_t> tokens =
      completion_tokens_of(response.body, is_stream, response.endpoint, response.api);
  if (!tokens) {
    result.error = ErrorCategory::other;  // a 2xx that is not the API's JSON is no success
    return result;
  }
  result.completion_tokens = *tokens;
  return result;
}

}  // namespace llmsim
