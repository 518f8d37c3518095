// generate_json(): one walk over an accepted schema, writing compact JSON text as it goes.
#include "mockapi/schema_values.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "mockapi/text_generator.hpp"
#include "pattern_text.hpp"
#include "schema_walk.hpp"

namespace llmsim::mockapi {
namespace {

constexpr int kMaxWordsInString = 4;     // strings without bounds are 1 to 4 reply words
constexpr std::size_t kLengthSpan = 30;  // minLength strings reach at most this much beyond it
constexpr int kYearFirst = 2000;         // dates fall in [2000, 2030], days 1 to 28
constexpr int kYearSpan = 31;

std::uint64_t pick(RandomStream& rng, std::uint64_t count) { return rng.next_u64() % count; }

int pick_int(RandomStream& rng, int first, int last) {
  return first + static_cast<int>(pick(rng, static_cast<std::uint64_t>(last - first + 1)));
}

// Appends `text` as a JSON string (quotes, escapes for '"', '\\' and control characters).
void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\u%04x", static_cast<unsigned>(c));
      out += escaped.data();
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string words(RandomStream& rng, int count, char separator = ' ') {
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += separator;
    text += reply_word(rng.next_u64());
  }
  return text;
}

std::string two_digits(int value) {
  std::array<char, 4> text{};
  std::snprintf(text.data(), text.size(), "%02d", value);
  return text.data();
}

std::string hex_digits(RandomStream& rng, int count) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < count; ++i) out += kHex[pick(rng, kHex.size())];
  return out;
}

std::string date_text(RandomStream& rng) {
  const std::string year = std::to_string(kYearFirst + pick_int(rng, 0, kYearSpan - 1));
  const std::string month = two_digits(pick_int(rng, 1, 12));
  return schema::cat({year, "-", month, "-", two_digits(pick_int(rng, 1, 28))});
}

std::string time_text(RandomStream& rng) {
  const std::string hours = two_digits(pick_int(rng, 0, 23));
  const std::string minutes = two_digits(pick_int(rng, 0, 59));
  return schema::cat({hours, ":", minutes, ":", two_digits(pick_int(rng, 0, 59)), "Z"});
}

// Returns a string of an OpenAI-supported `format` (check_schema refuses the others).
std::string format_text(std::string_view format, RandomStream& rng) {
  if (format == "date-time") {
    const std::string date = date_text(rng);
    return schema::cat({date, "T", time_text(rng)});
  }
  if (format == "date") return date_text(rng);
  if (format == "time") return time_text(rng);
  if (format == "duration") {
    const std::string days = std::to_string(pick_int(rng, 0, 9));
    const std::string hours = std::to_string(pick_int(rng, 1, 23));
    return schema::cat({"P", days, "DT", hours, "H", std::to_string(pick_int(rng, 0, 59)), "M"});
  }
  if (format == "email") return schema::cat({words(rng, 2, '.'), "@example.com"});
  if (format == "hostname") return schema::cat({words(rng, 1), ".example.com"});
  if (format == "ipv4") {
    const std::string b = std::to_string(pick_int(rng, 0, 255));
    const std::string c = std::to_string(pick_int(rng, 0, 255));
    return schema::cat({"10.", b, ".", c, ".", std::to_string(pick_int(rng, 1, 254))});
  }
  if (format == "ipv6") return schema::cat({"2001:db8::", hex_digits(rng, 4)});
  // uuid: version 4, variant 10xx
  const std::string a = hex_digits(rng, 8);
  const std::string b = hex_digits(rng, 4);
  const std::string c = hex_digits(rng, 3);
  const std::string_view variant = std::string_view("89ab").substr(pick(rng, 4), 1);
  const std::string d = hex_digits(rng, 3);
  return schema::cat({a, "-", b, "-4", c, "-", variant, d, "-", hex_digits(rng, 12)});
}

std::optional<std::size_t> size_field(const SchemaJson& schema, const char* key) {
  auto it = schema.find(key);
  if (it == schema.end()) return std::nullopt;
  return it->get<std::size_t>();
}

// Returns reply words cut or grown to a length in [minLength, maxLength].
std::string bounded_words(const SchemaJson& schema, RandomStream& rng) {
  const auto min_length = size_field(schema, "minLength");
  const auto max_length = size_field(schema, "maxLength");
  std::string text = words(rng, pick_int(rng, 1, kMaxWordsInString));
  if (!min_length && !max_length) return text;
  const std::size_t low = min_length.value_or(0);
  const std::size_t high = std::min(max_length.value_or(low + kLengthSpan), low + kLengthSpan);
  const std::size_t target = low + pick(rng, high - low + 1);
  while (text.size() < target) {
    text += ' ';
    text += reply_word(rng.next_u64());
  }
  text.resize(target);
  if (!text.empty() && text.back() == ' ') text.back() = 'a';  // no trailing space
  return text;
}

class Generator {
 public:
  Generator(const SchemaJson& root, RandomStream& rng) : root_(root), heights_(root), rng_(rng) {}

  std::string run() {
    value(root_, 0, false);
    return std::move(out_);
  }

 private:
  // Writes a value of `schema`; past kMaxRefDepth $ref steps (`is_exit`), every choice takes
  // the branch of least height, so each further $ref gets strictly closer to a finite value.
  void value(const SchemaJson& schema, int ref_depth, bool is_exit) {
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      const SchemaJson* target = schema::resolve_ref(root_, ref->get<std::string>());
      value(*target, ref_depth + 1, is_exit || ref_depth + 1 > kMaxRefDepth);
      return;
    }
    if (auto it = schema.find("const"); it != schema.end()) {
      out_ += it->dump();
      return;
    }
    if (auto it = schema.find("enum"); it != schema.end()) {
      out_ += (*it)[pick(rng_, it->size())].dump();
      return;
    }
    if (auto it = schema.find("anyOf"); it != schema.end()) {
      value((*it)[choose(*it, is_exit, [&](const SchemaJson& b) { return heights_.of(b); })],
            ref_depth, is_exit);
      return;
    }
    const auto types = schema::types_of(schema);
    const std::string& type = types[choose(
        types, is_exit, [&](const std::string& t) { return heights_.of_type(schema, t); })];
    typed_value(schema, type, ref_depth, is_exit);
  }

  // Returns the index of a random option of finite height, or (exit) of the lowest one.
  template <typename Options, typename Height>
  std::size_t choose(const Options& options, bool is_exit, Height height) {
    std::vector<std::size_t> finite;
    std::size_t lowest = 0;
    int lowest_height = schema::kInfinite;
    for (std::size_t i = 0; i < options.size(); ++i) {
      const int h = height(options[i]);
      if (h != schema::kInfinite) finite.push_back(i);
      if (h < lowest_height) {
        lowest_height = h;
        lowest = i;
      }
    }
    if (is_exit || finite.empty()) return lowest;
    return finite[pick(rng_, finite.size())];
  }

  void typed_value(const SchemaJson& schema, const std::string& type, int ref_depth,
                   bool is_exit) {
    if (type == "object") return object(schema, ref_depth, is_exit);
    if (type == "array") return array(schema, ref_depth, is_exit);
    if (type == "null") {
      out_ += "null";
    } else if (type == "boolean") {
      out_ += pick(rng_, 2) == 0 ? "false" : "true";
    } else if (type == "integer" || type == "number") {
      out_ += schema::number_value(schema, type == "integer", &rng_).value_or("0");
    } else {
      append_string(out_, string_value(schema));
    }
  }

  std::string string_value(const SchemaJson& schema) {
    if (auto it = schema.find("format"); it != schema.end()) {
      return format_text(it->get<std::string>(), rng_);
    }
    if (auto it = schema.find("pattern"); it != schema.end()) {
      return pattern_text(it->get<std::string>(), rng_);
    }
    return bounded_words(schema, rng_);
  }

  void object(const SchemaJson& schema, int ref_depth, bool is_exit) {
    out_ += '{';
    bool first = true;
    auto member = [&](const std::string& name) {
      if (!first) out_ += ',';
      first = false;
      append_string(out_, name);
      out_ += ':';
    };
    if (auto properties = schema.find("properties"); properties != schema.end()) {
      for (const auto& [name, property] : properties->items()) {
        if (is_exit && !schema::is_required(schema, name)) continue;
        member(name);
        value(property, ref_depth, is_exit);
      }
    }
    // Required names without a property schema (not strict): any value does; a word.
    if (auto required = schema.find("required"); required != schema.end()) {
      for (const auto& name : *required) {
        const auto text = name.get<std::string>();
        if (schema.contains("properties") && schema["properties"].contains(text)) continue;
        member(text);
        append_string(out_, reply_word(rng_.next_u64()));
      }
    }
    out_ += '}';
  }

  void array(const SchemaJson& schema, int ref_depth, bool is_exit) {
    const std::size_t min_items = size_field(schema, "minItems").value_or(0);
    const std::size_t max_items =
        std::min(size_field(schema, "maxItems").value_or(min_items + kMaxGeneratedItems),
                 min_items + kMaxGeneratedItems);
    const std::size_t count = is_exit ? min_items : min_items + pick(rng_, max_items - min_items + 1);
    static const SchemaJson kAnyItem = SchemaJson::object();
    auto items = schema.find("items");
    const SchemaJson& item = items == schema.end() ? kAnyItem : *items;
    out_ += '[';
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) out_ += ',';
      value(item, ref_depth, is_exit);
    }
    out_ += ']';
  }

  const SchemaJson& root_;
  const schema::Heights heights_;
  RandomStream& rng_;
  std::string out_;
};

}  // namespace

RandomStream content_stream(const ContentName& name, std::string_view purpose) {
  const std::uint64_t seed = name.seed ^ fnv1a64(name.key);
  const std::uint64_t id = name.request_seed
                               ? splitmix64_mix(static_cast<std::uint64_t>(*name.request_seed)) ^
                                     fnv1a64("request-seed")
                               : name.request_n;
  return RandomStream(seed, purpose, id, static_cast<std::uint64_t>(name.choice));
}

std::string generate_json(const SchemaJson& schema, RandomStream& rng) {
  return Generator(schema, rng).run();
}

std::string generate_json_object(RandomStream& rng) {
  std::string out = "{";
  const int members = pick_int(rng, 1, 4);
  for (int i = 0; i < members; ++i) {
    if (i > 0) out += ',';
    append_string(out, schema::cat({reply_word(rng.next_u64()), "_", std::to_string(i)}));
    out += ':';
    switch (pick(rng, 4)) {
      case 0: append_string(out, words(rng, pick_int(rng, 1, kMaxWordsInString))); break;
      case 1: out += std::to_string(pick_int(rng, 0, 1000)); break;
      case 2: out += pick(rng, 2) == 0 ? "false" : "true"; break;
      default:
        out += '[';
        append_string(out, words(rng, 1));
        out += ',';
        append_string(out, words(rng, 1));
        out += ']';
    }
  }
  return out + "}";
}

}  // namespace llmsim::mockapi
