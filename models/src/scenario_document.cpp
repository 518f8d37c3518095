// Parsing scenario text: invalid JSON with line and column, duplicate keys, document order.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "scenario_reader.hpp"

namespace llmsim::scenario_detail {

namespace {

// Follows the JSON pointer of each value while nlohmann's SAX parser reads a text: the part of
// the two walkers below that is the same. A subclass answers key() and parse_error().
class PointerWalker : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool string(string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

 protected:
  struct Frame {
    std::string pointer;
    bool is_object = false;
    std::set<std::string> keys;  // only DuplicateKeyFinder fills it
    std::string key;
    std::size_t next_index = 0;
  };

  // Returns the pointer of the value that starts now.
  std::string next_pointer() {
    if (stack_.empty()) return "";
    Frame& frame = stack_.back();
    if (frame.is_object) return child_pointer(frame.pointer, frame.key);
    return child_pointer(frame.pointer, frame.next_index++);
  }

  std::vector<Frame> stack_;

 private:
  bool scalar() {
    next_pointer();
    return true;
  }

  bool open(bool is_object) {
    Frame frame;
    frame.pointer = next_pointer();
    frame.is_object = is_object;
    stack_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }
};

// Walks the token stream and records every key that appears twice in one object (nlohmann keeps
// the last silently; a scenario should not).
class DuplicateKeyFinder : public PointerWalker {
 public:
  explicit DuplicateKeyFinder(Problems& problems) : problems_(&problems) {}

  bool key(string_t& name) override {
    Frame& frame = stack_.back();
    frame.key = name;
    if (!frame.keys.insert(name).second) {
      problems_->add(child_pointer(frame.pointer, name),
                     "duplicate key (each key may appear once in an object)");
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // the document was parsed once already; nothing to add
  }

 private:
  Problems* problems_;
};

// Returns the parser's explanation without its "[json.exception...] parse error at ...: " prefix.
std::string parse_error_reason(const std::string& what) {
  const std::size_t at = what.find("parse error");
  if (at == std::string::npos) return what;
  const std::size_t colon = what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Follows the pointer of each value while parsing and keeps the first problem: a syntax error
// (line and column) or a number too large for a double (its pointer and text).
class FirstProblemFinder : public PointerWalker {
 public:
  explicit FirstProblemFinder(const std::string& text) : text_(&text) {}

  bool key(string_t& name) override {
    stack_.back().key = name;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& error) override {
    // nlohmann's id 406: a number literal whose value is beyond a double's range (1e999).
    constexpr int kNumberOverflow = 406;
    if (error.id == kNumberOverflow) {
      problem_ = ScenarioProblem{next_pointer(), "number out of range (must fit in a double), got " + token};
    } else {
      problem_ = syntax_problem(position, error.what());
    }
    return false;
  }

  std::optional<ScenarioProblem>& problem() { return problem_; }

 private:
  // Returns the problem at byte `position` (1-based index of the last character read).
  ScenarioProblem syntax_problem(std::size_t position, const std::string& what) const {
    const std::string& text = *text_;
    const std::size_t end = std::min<std::size_t>(position == 0 ? 0 : position - 1, text.size());
    const std::size_t newlines = static_cast<std::size_t>(
        std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
    const std::size_t line_start = newlines == 0 ? 0 : text.rfind('\n', end == 0 ? 0 : end - 1) + 1;
    ScenarioProblem problem{"", "invalid JSON: " + parse_error_reason(what)};
    problem.line = static_cast<int>(newlines + 1);
    problem.column = static_cast<int>(end - line_start + 1);
    return problem;
  }

  const std::string* text_;
  std::optional<ScenarioProblem> problem_;
};

// Numbers every value of `value` (preorder) by its JSON pointer.
void number_places(const Json& value, const std::string& pointer,
                   std::map<std::string, std::size_t>& places) {
  places.emplace(pointer, places.size());
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      number_places(item, child_pointer(pointer, key), places);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      number_places(value[i], child_pointer(pointer, i), places);
    }
  }
}

}  // namespace

bool read_text_file(const std::string& path, std::string& text, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::strerror(errno);
    return false;
  }
  text.clear();
  char buffer[65536];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, count);
  const bool failed = std::ferror(file) != 0;
  const int read_errno = errno;
  std::fclose(file);
  if (failed) error = std::strerror(read_errno);
  return !failed;
}

void parse_document(const std::string& text, const std::string& file, Json& document,
                    Problems& problems) {
  if (auto problem = json_text_problem(text)) throw ScenarioError(file, {std::move(*problem)});
  document = Json::parse(text);
  DuplicateKeyFinder finder(problems);
  Json::sax_parse(text, &finder);
}

void sort_by_document(std::vector<ScenarioProblem>& problems, const Json& document) {
  std::map<std::string, std::size_t> places;
  number_places(document, "", places);
  auto place_of = [&places](std::string pointer) {
    while (true) {
      const auto found = places.find(pointer);
      if (found != places.end()) return found->second;
      const std::size_t slash = pointer.rfind('/');
      if (slash == std::string::npos) return std::size_t{0};
      pointer.resize(slash);
    }
  };
  std::vector<std::pair<std::size_t, ScenarioProblem>> keyed;
  keyed.reserve(problems.size());
  for (auto& problem : problems) keyed.emplace_back(place_of(problem.pointer), std::move(problem));
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < keyed.size(); ++i) problems[i] = std::move(keyed[i].second);
}

}  // namespace llmsim::scenario_detail

namespace llmsim {

std::optional<ScenarioProblem> json_text_problem(const std::string& text) {
  scenario_detail::FirstProblemFinder finder(text);
  scenario_detail::Json::sax_parse(text, &finder);
  return std::move(finder.problem());
}

}  // namespace llmsim
