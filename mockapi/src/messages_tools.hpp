// Internal: the tools of a POST /v1/messages body (mockapi/messages_api.hpp), read into the
// vendor-neutral ChatTools (mockapi/chat_tools.hpp) with Anthropic's 400 texts.
#pragma once

#include <string>
#include <vector>

#include "mockapi/chat_tools.hpp"

namespace llmsim::mockapi {

// Reads `tools`, `tool_choice` and its disable_parallel_tool_use from `body` (parsed keeping key
// order, so generated inputs follow their schema's property order); throws MessagesError with
// Anthropic's 400.
ChatTools read_message_tools(const SchemaJson& body);

// Returns the text each tool definition of a checked `body` counts as: name, description and
// input_schema (compact JSON), one per tool.
std::vector<std::string> tool_definition_texts(const SchemaJson& body);

}  // namespace llmsim::mockapi
