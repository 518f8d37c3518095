// generate_json(): one walk over an accepted schema, writing compact JSON text as it goes.
#include "mockapi/schema_values.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_map>

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

// Returns `name` as a JSON string followed by ':' (an object's key as the generator writes it).
std::string key_text(std::string_view name) {
  std::string out;
  append_string(out, name);
  out += ':';
  return out;
}

schema::Type type_named(std::string_view type) {
  using schema::Type;
  if (type == "object") return Type::object;
  if (type == "array") return Type::array;
  if (type == "null") return Type::null;
  if (type == "boolean") return Type::boolean;
  if (type == "integer") return Type::integer;
  if (type == "number") return Type::number;
  return Type::string;
}

// Builds the nodes of a plan, one per subschema (memoized, so $ref cycles close on themselves).
class Planner {
 public:
  Planner(const SchemaJson& root, schema::Plan& plan) : root_(root), heights_(root), plan_(plan) {}

  const schema::Node* node(const SchemaJson& json) {
    if (auto it = made_.find(&json); it != made_.end()) return it->second;
    schema::Node& out = plan_.nodes.emplace_back();
    made_.emplace(&json, &out);
    out.json = &json;
    const auto ref = json.find("$ref");
    const auto constant = json.find("const");
    const auto values = json.find("enum");
    const auto any_of = json.find("anyOf");
    if (ref != json.end()) {
      const SchemaJson* target = schema::resolve_ref(root_, ref->get<std::string>());
      out.kind = schema::Node::Kind::ref;
      out.target = node(target == nullptr ? kAnyValue : *target);
    } else if (constant != json.end()) {
      out.kind = schema::Node::Kind::const_value;
      out.texts.push_back(constant->dump());
    } else if (values != json.end()) {
      out.kind = schema::Node::Kind::enum_value;
      for (const auto& item : *values) out.texts.push_back(item.dump());
    } else if (any_of != json.end()) {
      out.kind = schema::Node::Kind::any_of;
      for (const auto& branch : *any_of) {
        out.branches.push_back(node(branch));
        out.branch_heights.push_back(heights_.of(branch));
      }
    } else {
      typed(json, out);
    }
    return &out;
  }

 private:
  void typed(const SchemaJson& json, schema::Node& out) {
    for (const std::string& type : schema::types_of(json)) {
      out.types.push_back(type_named(type));
      out.type_heights.push_back(heights_.of_type(json, type));
    }
    if (auto properties = json.find("properties"); properties != json.end()) {
      for (const auto& [name, property] : properties->items()) {
        out.properties.push_back({.key = key_text(name), .schema = node(property),
                                  .is_required = schema::is_required(json, name)});
      }
    }
    // Required names without a property schema (not strict): any value does; a word.
    if (auto required = json.find("required"); required != json.end()) {
      const auto properties = json.find("properties");
      for (const auto& name : *required) {
        const auto text = name.get<std::string>();
        if (properties != json.end() && properties->contains(text)) continue;
        out.extra_required.push_back(key_text(text));
      }
    }
    auto items = json.find("items");
    out.items = node(items == json.end() ? kAnyValue : *items);
    out.min_items = size_field(json, "minItems").value_or(0);
    out.max_items = std::min(size_field(json, "maxItems").value_or(out.min_items + kMaxGeneratedItems),
                             out.min_items + kMaxGeneratedItems);
  }

  static inline const SchemaJson kAnyValue = SchemaJson::object();

  const SchemaJson& root_;
  const schema::Heights heights_;
  schema::Plan& plan_;
  std::unordered_map<const SchemaJson*, const schema::Node*> made_;
};

class Generator {
 public:
  Generator(const schema::Plan& plan, RandomStream& rng) : plan_(plan), rng_(rng) {}

  std::string run() {
    value(*plan_.root, 0, false);
    return std::move(out_);
  }

 private:
  using Node = schema::Node;

  // Writes a value of `node`; past kMaxRefDepth $ref steps (`is_exit`), every choice takes
  // the branch of least height, so each further $ref gets strictly closer to a finite value.
  void value(const Node& node, int ref_depth, bool is_exit) {
    switch (node.kind) {
      case Node::Kind::ref:
        value(*node.target, ref_depth + 1, is_exit || ref_depth + 1 > kMaxRefDepth);
        return;
      case Node::Kind::const_value:
        out_ += node.texts.front();
        return;
      case Node::Kind::enum_value:
        out_ += node.texts[pick(rng_, node.texts.size())];
        return;
      case Node::Kind::any_of:
        value(*node.branches[choose(node.branch_heights, is_exit)], ref_depth, is_exit);
        return;
      case Node::Kind::typed:
        typed_value(node, node.types[choose(node.type_heights, is_exit)], ref_depth, is_exit);
        return;
    }
  }

  // Returns the index of a random option of finite height, or (exit) of the lowest one.
  std::size_t choose(const std::vector<int>& heights, bool is_exit) {
    std::size_t finite = 0;
    std::size_t lowest = 0;
    int lowest_height = schema::kInfinite;
    for (std::size_t i = 0; i < heights.size(); ++i) {
      if (heights[i] != schema::kInfinite) ++finite;
      if (heights[i] < lowest_height) {
        lowest_height = heights[i];
        lowest = i;
      }
    }
    if (is_exit || finite == 0) return lowest;
    std::size_t nth = pick(rng_, finite);  // the nth option of finite height
    for (std::size_t i = 0; i < heights.size(); ++i) {
      if (heights[i] != schema::kInfinite && nth-- == 0) return i;
    }
    return lowest;  // not reached
  }

  void typed_value(const Node& node, schema::Type type, int ref_depth, bool is_exit) {
    using schema::Type;
    switch (type) {
      case Type::object: return object(node, ref_depth, is_exit);
      case Type::array: return array(node, ref_depth, is_exit);
      case Type::null: out_ += "null"; return;
      case Type::boolean: out_ += pick(rng_, 2) == 0 ? "false" : "true"; return;
      case Type::integer:
      case Type::number:
        out_ += schema::number_value(*node.json, type == Type::integer, &rng_).value_or("0");
        return;
      case Type::string: append_string(out_, string_value(*node.json)); return;
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

  void object(const Node& node, int ref_depth, bool is_exit) {
    out_ += '{';
    bool first = true;
    auto member = [&](const std::string& key) {
      if (!first) out_ += ',';
      first = false;
      out_ += key;
    };
    for (const Node::Property& property : node.properties) {
      if (is_exit && !property.is_required) continue;
      member(property.key);
      value(*property.schema, ref_depth, is_exit);
    }
    for (const std::string& key : node.extra_required) {
      member(key);
      append_string(out_, reply_word(rng_.next_u64()));
    }
    out_ += '}';
  }

  void array(const Node& node, int ref_depth, bool is_exit) {
    const std::size_t count =
        is_exit ? node.min_items : node.min_items + pick(rng_, node.max_items - node.min_items + 1);
    out_ += '[';
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) out_ += ',';
      value(*node.items, ref_depth, is_exit);
    }
    out_ += ']';
  }

  const schema::Plan& plan_;
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

std::unique_ptr<const schema::Plan> schema::make_plan(const SchemaJson& root) {
  auto plan = std::make_unique<schema::Plan>();
  plan->root = Planner(root, *plan).node(root);
  return plan;
}

CheckedSchema::CheckedSchema(SchemaJson json)
    : json_(std::move(json)), plan_(schema::make_plan(json_)) {}

CheckedSchema::~CheckedSchema() = default;

std::string generate_json(const CheckedSchema& schema, RandomStream& rng) {
  return Generator(schema.plan(), rng).run();
}

std::string generate_json(const SchemaJson& schema, RandomStream& rng) {
  return generate_json(CheckedSchema(schema), rng);
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
