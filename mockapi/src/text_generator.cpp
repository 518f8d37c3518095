// Deterministic words, ids and embedding vectors from named random streams.
#include "mockapi/text_generator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "models/distribution.hpp"
#include "models/random.hpp"

namespace llmsim::mockapi {
namespace {

// The reply vocabulary: common English words, one per token.
constexpr std::array<std::string_view, 64> kWords = {
    "the",    "time",   "people", "way",    "day",     "world",  "life",   "work",
    "system", "number", "group",  "problem", "fact",   "water",  "place",  "case",
    "point",  "answer", "model",  "request", "limit",  "token",  "minute", "second",
    "rate",   "queue",  "retry",  "server", "client",  "load",   "test",   "result",
    "is",     "was",    "can",    "will",   "should",  "makes",  "takes",  "gives",
    "and",    "or",     "but",    "so",     "because", "when",   "while",  "then",
    "a",      "an",     "this",   "that",   "every",   "some",   "many",   "few",
    "good",   "new",    "long",   "small",  "large",   "fast",   "slow",   "simple"};

// Reply text goes into JSON unescaped (ReplyText::append_text): words of lower-case letters only.
constexpr bool is_plain_word(std::string_view word) {
  for (char c : word) {
    if (c < 'a' || c > 'z') return false;
  }
  return !word.empty();
}
static_assert(std::all_of(kWords.begin(), kWords.end(), is_plain_word));

constexpr std::string_view kAlphanumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kCompletionIdLength = 29;  // OpenAI's chatcmpl- ids have 29 characters
constexpr int kTokenIndexBits = 32;              // token index in the low bits of the stream's sub

std::uint64_t key_seed(std::uint64_t seed, std::string_view key) { return seed ^ fnv1a64(key); }

}  // namespace

ReplyText::ReplyText(std::uint64_t seed, std::string_view key, std::uint64_t request_n)
    : seed_(key_seed(seed, key)), request_n_(request_n) {}

std::string_view ReplyText::word(int choice, std::int64_t index) const {
  const std::uint64_t sub =
      (static_cast<std::uint64_t>(choice) << kTokenIndexBits) ^ static_cast<std::uint64_t>(index);
  RandomStream rng(seed_, "reply", request_n_, sub);
  return kWords[rng.next_u64() % kWords.size()];
}

std::string ReplyText::token(int choice, std::int64_t index) const {
  std::string out;
  if (index > 0) {
    out += ' ';
  }
  out += word(choice, index);
  return out;
}

std::string ReplyText::text(int choice, std::int64_t tokens) const {
  std::string text;
  append_text(text, choice, tokens);
  return text;
}

void ReplyText::append_text(std::string& out, int choice, std::int64_t tokens) const {
  for (std::int64_t i = 0; i < tokens; ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += word(choice, i);
  }
}

std::string_view reply_word(std::uint64_t draw) { return kWords[draw % kWords.size()]; }

std::string request_id(std::uint64_t seed, std::string_view key, std::uint64_t request_n) {
  RandomStream rng(key_seed(seed, key), "request-id", request_n);
  std::string id = "req_";
  constexpr std::string_view kHex = "0123456789abcdef";
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = rng.next_u64();
    for (int digit = 0; digit < 16; ++digit, bits >>= 4) {
      id += kHex[bits & 0xf];
    }
  }
  return id;
}

std::string completion_id(std::string_view prefix, std::uint64_t seed, std::string_view key,
                          std::uint64_t request_n) {
  RandomStream rng(key_seed(seed, key), "completion-id", request_n);
  std::string id(prefix);
  for (std::size_t i = 0; i < kCompletionIdLength; ++i) {
    id += kAlphanumeric[rng.next_u64() % kAlphanumeric.size()];
  }
  return id;
}

std::vector<float> embedding_vector(std::uint64_t seed, std::string_view input, int dimensions) {
  RandomStream rng(seed, "embedding", fnv1a64(input));
  std::vector<double> draws(static_cast<std::size_t>(dimensions));
  double norm2 = 0.0;
  for (double& draw : draws) {
    draw = standard_normal(rng);
    norm2 += draw * draw;
  }
  const double scale = norm2 > 0.0 ? 1.0 / std::sqrt(norm2) : 0.0;
  std::vector<float> vector;
  vector.reserve(draws.size());
  for (double draw : draws) {
    vector.push_back(static_cast<float>(draw * scale));
  }
  return vector;
}

std::string base64_floats(const std::vector<float>& values) {
  static_assert(std::endian::native == std::endian::little, "float32 bytes are sent little-endian");
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(values.size() * sizeof(float), '\0');
  if (!values.empty()) {  // memcpy from an empty vector's null data is undefined
    std::memcpy(bytes.data(), values.data(), bytes.size());
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    const std::size_t left = bytes.size() - i;
    if (left > 1) group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (left > 2) group |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(group >> 18) & 0x3f];
    out += kAlphabet[(group >> 12) & 0x3f];
    out += left > 1 ? kAlphabet[(group >> 6) & 0x3f] : '=';
    out += left > 2 ? kAlphabet[group & 0x3f] : '=';
  }
  return out;
}

std::string float_text(float value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

}  // namespace llmsim::mockapi
