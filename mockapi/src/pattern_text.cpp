// Regular-expression subset -> matching strings: a recursive-descent parser into a small tree,
// then one walk drawing each choice from the random stream.
#include "pattern_text.hpp"

#include <bitset>
#include <memory>
#include <vector>

namespace llmsim::mockapi {
namespace {

constexpr int kUnboundedExtra = 3;   // `*`, `+`, `{n,}` repeat at most this many beyond n
constexpr int kMaxRepeat = 1000;     // larger `{n}` counts are refused (no huge strings)
constexpr int kFirstPrintable = 32;  // ' '
constexpr int kLastPrintable = 126;  // '~'

using CharSet = std::bitset<128>;

struct Alternatives;

struct Piece {
  CharSet chars;                        // a character piece: the characters it may be
  std::shared_ptr<Alternatives> group;  // a group piece (chars unused)
  int min = 1;
  int max = 1;
};

struct Alternatives {
  std::vector<std::vector<Piece>> sequences;
};

CharSet range(int first, int last) {
  CharSet set;
  for (int c = first; c <= last; ++c) set.set(static_cast<std::size_t>(c));
  return set;
}

CharSet printable() { return range(kFirstPrintable, kLastPrintable); }
CharSet digits() { return range('0', '9'); }
CharSet word_chars() { return range('a', 'z') | range('A', 'Z') | digits() | range('_', '_'); }
CharSet spaces() { return range(' ', ' ') | range('\t', '\r'); }

class Parser {
 public:
  explicit Parser(std::string_view pattern) : text_(pattern) {}

  std::shared_ptr<Alternatives> parse() {
    auto top = alternatives();
    if (!error_ && pos_ < text_.size()) fail("unbalanced ')'");
    return top;
  }
  const std::optional<std::string>& error() const { return error_; }

 private:
  void fail(std::string why) {
    if (!error_) {
      why += " at offset ";
      why += std::to_string(pos_);
      error_ = std::move(why);
    }
  }
  bool at_end() const { return pos_ >= text_.size() || error_.has_value(); }
  char peek() const { return text_[pos_]; }

  std::shared_ptr<Alternatives> alternatives() {
    auto out = std::make_shared<Alternatives>();
    out->sequences.emplace_back();
    while (!at_end() && peek() != ')') {
      if (peek() == '|') {
        ++pos_;
        out->sequences.emplace_back();
      } else if (peek() == '^' || peek() == '$') {
        ++pos_;  // anchors: the whole generated string matches, so they hold
      } else {
        Piece piece = atom();
        quantifier(piece);
        out->sequences.back().push_back(std::move(piece));
      }
    }
    return out;
  }

  Piece atom() {
    Piece piece;
    const char c = text_[pos_++];
    switch (c) {
      case '.': piece.chars = printable(); break;
      case '[': piece.chars = char_class(); break;
      case '(': piece.group = group(); break;
      case '\\': piece.chars = escape(/*in_class=*/false); break;
      case '*': case '+': case '?': case '{': fail("nothing to repeat"); break;
      default:
        if (static_cast<unsigned char>(c) >= 128) fail("a non-ASCII character");
        else piece.chars.set(static_cast<unsigned char>(c));
    }
    return piece;
  }

  std::shared_ptr<Alternatives> group() {
    if (text_.substr(pos_).starts_with("?:")) {
      pos_ += 2;
    } else if (!at_end() && peek() == '?') {
      fail("lookaround and named groups are not supported");
    }
    auto inner = alternatives();
    if (at_end() || peek() != ')') {
      fail("unterminated group");
    } else {
      ++pos_;
    }
    return inner;
  }

  CharSet escape(bool in_class) {
    if (pos_ >= text_.size()) {
      fail("a trailing backslash");
      return {};
    }
    const char c = text_[pos_++];
    switch (c) {
      case 'd': return digits();
      case 'D': return printable() & ~digits();
      case 'w': return word_chars();
      case 'W': return printable() & ~word_chars();
      case 's': return spaces();
      case 'S': return printable() & ~spaces();
      case 't': return range('\t', '\t');
      case 'n': return range('\n', '\n');
      case 'r': return range('\r', '\r');
      default: break;
    }
    const bool is_letter_or_digit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9');
    if (is_letter_or_digit || (!in_class && c == '-') || static_cast<unsigned char>(c) >= 128) {
      fail(std::string("the escape \\") + c + " is not supported");
      return {};
    }
    return range(c, c);
  }

  // Reads one class member: a character or an escape; `single` is set when it is one character.
  CharSet class_member(int& single) {
    single = -1;
    if (peek() == '\\') {
      ++pos_;
      CharSet set = escape(/*in_class=*/true);
      if (set.count() == 1) {
        for (int c = 0; c < 128; ++c) {
          if (set.test(static_cast<std::size_t>(c))) single = c;
        }
      }
      return set;
    }
    const auto c = static_cast<unsigned char>(text_[pos_++]);
    if (c >= 128) {
      fail("a non-ASCII character");
      return {};
    }
    single = c;
    return range(c, c);
  }

  CharSet char_class() {
    const bool negated = !at_end() && peek() == '^';
    if (negated) ++pos_;
    CharSet set;
    bool first = true;
    while (!at_end() && (peek() != ']' || first)) {
      first = false;
      int low = -1;
      CharSet member = class_member(low);
      if (low >= 0 && pos_ + 1 < text_.size() && peek() == '-' && text_[pos_ + 1] != ']') {
        ++pos_;
        int high = -1;
        class_member(high);
        if (high < low) {
          fail("a class range out of order");
          return {};
        }
        member = range(low, high);
      }
      set |= member;
    }
    if (at_end()) {
      fail("unterminated character class");
      return {};
    }
    ++pos_;  // ']'
    set = negated ? printable() & ~set : set;
    if (set.none()) fail("an empty character class");
    return set;
  }

  int number() {
    int value = 0;
    bool any = false;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (peek() - '0');
      any = true;
      ++pos_;
      if (value > kMaxRepeat) {
        fail(std::string("a repeat count over ") += std::to_string(kMaxRepeat));
        return 0;
      }
    }
    if (!any) fail("a malformed {n,m} quantifier");
    return value;
  }

  void braces(Piece& piece) {
    piece.min = number();
    piece.max = piece.min;
    if (!at_end() && peek() == ',') {
      ++pos_;
      piece.max = !at_end() && peek() == '}' ? piece.min + kUnboundedExtra : number();
    }
    if (at_end() || peek() != '}') {
      fail("a malformed {n,m} quantifier");
      return;
    }
    ++pos_;
    if (piece.max < piece.min) fail("a {n,m} quantifier with m < n");
  }

  void quantifier(Piece& piece) {
    if (at_end()) return;
    switch (peek()) {
      case '?': ++pos_; piece.min = 0; piece.max = 1; break;
      case '*': ++pos_; piece.min = 0; piece.max = kUnboundedExtra; break;
      case '+': ++pos_; piece.min = 1; piece.max = 1 + kUnboundedExtra; break;
      case '{': ++pos_; braces(piece); break;
      default: return;
    }
    if (!at_end() && peek() == '?') ++pos_;  // lazy: matches the same strings
    if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '{')) fail("a nested quantifier");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::optional<std::string> error_;
};

std::uint64_t pick(RandomStream& rng, std::uint64_t count) { return rng.next_u64() % count; }

void generate(const Alternatives& node, RandomStream& rng, std::string& out);

void generate(const Piece& piece, RandomStream& rng, std::string& out) {
  const auto span = static_cast<std::uint64_t>(piece.max - piece.min + 1);
  const int times = piece.min + static_cast<int>(pick(rng, span));
  for (int i = 0; i < times; ++i) {
    if (piece.group) {
      generate(*piece.group, rng, out);
      continue;
    }
    std::uint64_t index = pick(rng, piece.chars.count());
    for (int c = 0; c < 128; ++c) {
      if (piece.chars.test(static_cast<std::size_t>(c)) && index-- == 0) {
        out += static_cast<char>(c);
        break;
      }
    }
  }
}

void generate(const Alternatives& node, RandomStream& rng, std::string& out) {
  const auto& sequence = node.sequences[pick(rng, node.sequences.size())];
  for (const Piece& piece : sequence) generate(piece, rng, out);
}

}  // namespace

std::optional<std::string> pattern_problem(std::string_view pattern) {
  Parser parser(pattern);
  parser.parse();
  return parser.error();
}

std::string pattern_text(std::string_view pattern, RandomStream& rng) {
  Parser parser(pattern);
  auto tree = parser.parse();
  std::string out;
  if (!parser.error()) generate(*tree, rng, out);
  return out;
}

}  // namespace llmsim::mockapi
