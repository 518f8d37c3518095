// Anthropic's words for a limit, shared by the two halves of its contract (anthropic.cpp writes
// them into a 429's message, anthropic_read.cpp reads the limit back from it). Internal to wire/.
#pragma once

#include <string>
#include <string_view>

#include "models/rate_limiter.hpp"

namespace llmsim::wire::anthropic {

// Returns what a limit counts and over which window: "requests per minute", "input tokens per
// minute" ...
std::string limit_words(LimitKind kind);

// Returns the unit of a limit alone: "requests", "input tokens" ...
std::string limit_unit(LimitKind kind);

// Returns the code a reading gives a 429 of that limit (Anthropic's body has none; ours):
// "requests", "input_tokens", "output_tokens" ...
std::string limit_code(LimitKind kind);

// Returns the code of the limit a 429's message names, or "" when it names none.
std::string limit_code_in(std::string_view message);

}  // namespace llmsim::wire::anthropic
