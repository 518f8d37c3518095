// What a fixture rule is matched against, read from a request body the router already accepted.
//
// Chat completions: the last message with role "user" (string content, or its text parts joined
// by "\n"), whether `tools` is a non-empty array, whether a `tool` (or legacy `function`) message
// follows the last user message, and the number of assistant messages. Legacy completions: the
// prompt (a list of prompts joined by "\n"). Embeddings: the inputs joined by "\n". Responses:
// `input` as a string, or its items: the last user message, function_call_output items after it,
// and assistant turns counted as runs of assistant-side items (assistant messages, function_call,
// reasoning). The body is parsed again (nlohmann DOM): only servers with fixtures pay for it.
//
//   FixtureQuery q = fixture_query("chat.completions", body);   // q.last_user_message, q.turn
#pragma once

#include <string_view>

#include "models/fixtures.hpp"

namespace llmsim::mockapi {

// Returns the query of a request body of `endpoint` (the router's label); a body that does not
// parse gives a query with only the endpoint set.
FixtureQuery fixture_query(std::string_view endpoint, std::string_view body);

}  // namespace llmsim::mockapi
