// Drawing token log probabilities and writing them as OpenAI's ChatCompletionTokenLogprob (chat)
// or the legacy completions' logprobs object.
#include "mockapi/token_logprobs.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>

#include "mockapi/text_generator.hpp"
#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

// Most alternatives a token can have (OpenAI's top_logprobs maximum): fewer than the reply words,
// so distinct alternatives always exist.
constexpr int kMostAlternatives = 20;
constexpr std::uint64_t kReplyWords = 64;  // size of ReplyText's vocabulary (reply_word)
static_assert(kMostAlternatives + 1 < kReplyWords);
// f_0 = 1 - kTopSpread * u^3: the most likely token usually takes nearly all the mass.
constexpr double kTopSpread = 0.5;
// f_i for the lower ranks: in [kLowShare, kLowShare + kLowSpread), at least half of what is left.
constexpr double kLowShare = 0.5;
constexpr double kLowSpread = 0.49;

// Returns alternative `draw` for a token: a reply word, with a leading space when `spaced`,
// skipping the generated token and the alternatives taken (linear probing over the words).
std::string alternative(std::uint64_t draw, bool spaced, const std::string& generated,
                        const std::vector<TopLogprob>& taken) {
  for (std::uint64_t probe = 0;; ++probe) {
    std::string word = spaced ? " " : "";
    word += reply_word(draw + probe);
    bool is_taken = word == generated;
    for (const TopLogprob& t : taken) is_taken = is_taken || t.token == word;
    if (!is_taken) return word;
    assert(probe < kReplyWords);
  }
}

// Draws the K + 1 descending probabilities of one position as float logprobs.
std::vector<float> ranked_logprobs(int k, RandomStream& rng) {
  std::vector<float> out;
  double mass = 1.0;
  for (int i = 0; i <= k; ++i) {
    const double u = rng.uniform01();
    const double share = i == 0 ? 1.0 - kTopSpread * u * u * u : kLowShare + kLowSpread * u;
    const double p = mass * share;
    mass -= p;
    // A share of 1 (u = 0) gives ln 1 = 0: still a valid logprob.
    out.push_back(std::min(0.0f, static_cast<float>(std::log(p))));
  }
  return out;
}

void append_token(std::string& out, const std::string& token, float logprob) {
  out += R"({"token":)";
  wire::append_json_string(out, token);
  out += R"(,"logprob":)";
  out += float_text(logprob);
  out += R"(,"bytes":[)";
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (i > 0) out += ',';
    wire::append_json_int(out, static_cast<unsigned char>(token[i]));
  }
  out += ']';
}

}  // namespace

std::vector<TokenLogprob> token_logprobs(const std::vector<std::string>& pieces, int top_logprobs,
                                         RandomStream& rng) {
  assert(top_logprobs >= 0 && top_logprobs <= kMostAlternatives);
  const int k = top_logprobs;
  std::vector<TokenLogprob> out;
  out.reserve(pieces.size());
  for (const std::string& piece : pieces) {
    const bool is_top = rng.uniform01() < kTopRankShare;
    const std::uint64_t rank_draw = rng.next_u64();
    const int rank =
        is_top || k == 0 ? 0 : 1 + static_cast<int>(rank_draw % static_cast<std::uint64_t>(k));
    const std::vector<float> ranked = ranked_logprobs(k, rng);
    TokenLogprob entry{.logprob = ranked[static_cast<std::size_t>(rank)], .top = {}};
    const bool spaced = !piece.empty() && piece.front() == ' ';
    for (int i = 0; i < k; ++i) {
      const std::uint64_t draw = rng.next_u64();  // drawn for every rank: a fixed count per token
      if (i == rank) {
        entry.top.push_back({piece, ranked[static_cast<std::size_t>(i)]});
      } else {
        // The generated token is not among ranks 0..K-1 when rank == K: its p_K is its own.
        entry.top.push_back({alternative(draw, spaced, piece, entry.top),
                             ranked[static_cast<std::size_t>(i)]});
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

void append_choice_logprobs(std::string& out, const std::vector<std::string>& pieces,
                            const std::vector<TokenLogprob>& logprobs, std::size_t begin,
                            std::size_t end) {
  assert(end <= pieces.size() && end <= logprobs.size());
  out += R"({"content":[)";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    append_token(out, pieces[i], logprobs[i].logprob);
    out += R"(,"top_logprobs":[)";
    for (std::size_t t = 0; t < logprobs[i].top.size(); ++t) {
      if (t > 0) out += ',';
      append_token(out, logprobs[i].top[t].token, logprobs[i].top[t].logprob);
      out += '}';
    }
    out += "]}";
  }
  out += R"(],"refusal":null})";
}

namespace {

// Returns the characters (UTF-8 code points) of `text`.
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

}  // namespace

void append_completion_logprobs(std::string& out, const std::vector<std::string>& pieces,
                                const std::vector<TokenLogprob>& logprobs, std::size_t begin,
                                std::size_t end) {
  assert(end <= pieces.size() && end <= logprobs.size());
  out += R"({"tokens":[)";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    wire::append_json_string(out, pieces[i]);
  }
  out += R"(],"token_logprobs":[)";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += float_text(logprobs[i].logprob);
  }
  out += R"(],"top_logprobs":[)";
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += '{';
    bool is_listed = false;
    for (std::size_t t = 0; t < logprobs[i].top.size(); ++t) {
      const TopLogprob& top = logprobs[i].top[t];
      if (t > 0) out += ',';
      wire::append_json_string(out, top.token);
      out += ':';
      out += float_text(top.logprob);
      is_listed = is_listed || top.token == pieces[i];
    }
    if (!is_listed) {  // the generated token is always there (up to K + 1 entries, as OpenAI)
      if (!logprobs[i].top.empty()) out += ',';
      wire::append_json_string(out, pieces[i]);
      out += ':';
      out += float_text(logprobs[i].logprob);
    }
    out += '}';
  }
  out += R"(],"text_offset":[)";
  std::size_t offset = 0;
  for (std::size_t i = 0; i < begin; ++i) offset += characters(pieces[i]);
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    wire::append_json_int(out, static_cast<std::int64_t>(offset));
    offset += characters(pieces[i]);
  }
  out += "]}";
}

}  // namespace llmsim::mockapi
