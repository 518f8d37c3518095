// Internal: strings that match a regular expression (JSON Schema `pattern`, ECMA-262 subset).
//
// Supported: literals and escaped metacharacters, `.`, \d \w \s (and \D \W \S), classes `[a-z_]`
// and `[^...]` (ASCII), groups `(...)` and `(?:...)`, alternation `|`, quantifiers `?` `*` `+`
// `{n}` `{n,}` `{n,m}` (a lazy `?` after them is accepted), anchors `^` and `$`. Unbounded
// repeats take at most 3 more than their minimum. Generated text is printable ASCII.
//
//   std::optional<std::string> problem = pattern_problem("^[A-Z]{3}-\\d+$");   // nullopt
//   std::string text = pattern_text("^[A-Z]{3}-\\d+$", rng);                   // "QKD-07"
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "models/random.hpp"

namespace llmsim::mockapi {

// Returns why `pattern` is outside the supported subset, or nullopt when it can be generated.
std::optional<std::string> pattern_problem(std::string_view pattern);

// Returns a string matching `pattern` (one pattern_problem() accepted).
std::string pattern_text(std::string_view pattern, RandomStream& rng);

}  // namespace llmsim::mockapi
