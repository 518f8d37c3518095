// Matching a request against fixture rules: first match wins.
#include <algorithm>

#include "models/fixtures.hpp"

namespace llmsim {

bool TextMatch::matches(const std::string& subject) const {
  switch (kind) {
    case TextMatchKind::equals: return subject == text;
    case TextMatchKind::contains: return subject.find(text) != std::string::npos;
    case TextMatchKind::regex:
      // std::regex recurses once per character of the subject: the limit bounds its stack.
      return subject.size() <= kMaxRegexSubjectBytes && pattern &&
             std::regex_search(subject, *pattern);
  }
  return false;
}

bool fixture_matches(const FixtureMatch& match, const FixtureQuery& query) {
  if (match.endpoint && *match.endpoint != query.endpoint) return false;
  if (match.model && *match.model != query.model) return false;
  if (match.tools && *match.tools != query.has_tools) return false;
  if (match.tool_result && *match.tool_result != query.has_tool_result) return false;
  if (match.turn && *match.turn != query.turn) return false;
  if (match.last_user_message) {
    if (!query.last_user_message) return false;
    return match.last_user_message->matches(*query.last_user_message);
  }
  return true;
}

const Fixture* FixtureSet::find(const FixtureQuery& query) const {
  const auto found = std::find_if(rules_.begin(), rules_.end(), [&query](const Fixture& rule) {
    return fixture_matches(rule.match, query);
  });
  return found == rules_.end() ? nullptr : &*found;
}

}  // namespace llmsim
