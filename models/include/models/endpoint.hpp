// The API endpoint a scenario's requests go to, as one enum with its text written once.
//
// The scenario field `request.endpoint` names it ("chat.completions", "completions",
// "embeddings", "responses"); the client model, the DES driver and the socket driver branch on
// the enum, and the mock server routes and labels its metrics with the same table. Each endpoint
// has its OpenAI path (`/v1/chat/completions` ...). Embeddings have no output tokens and no
// stream; the others generate text.
//
//   std::optional<Endpoint> e = parse_endpoint("responses");   // Endpoint::responses
//   endpoint_name(Endpoint::chat_completions);                 // "chat.completions"
//   endpoint_path(Endpoint::responses);                        // "/v1/responses"
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace llmsim {

enum class Endpoint { chat_completions, completions, embeddings, responses };

struct EndpointText {
  Endpoint endpoint;
  std::string_view name;  // as scenarios and metrics write it
  std::string_view path;  // on an OpenAI-compatible server
};

// The one table of names and paths, in enum order (the order the scenario documentation lists).
inline constexpr std::array<EndpointText, 4> kEndpointTexts = {{
    {Endpoint::chat_completions, "chat.completions", "/v1/chat/completions"},
    {Endpoint::completions, "completions", "/v1/completions"},
    {Endpoint::embeddings, "embeddings", "/v1/embeddings"},
    {Endpoint::responses, "responses", "/v1/responses"},
}};

// Returns the endpoint's name: "chat.completions" ...
constexpr std::string_view endpoint_name(Endpoint endpoint) {
  return kEndpointTexts[static_cast<std::size_t>(endpoint)].name;
}

// Returns the endpoint's path: "/v1/chat/completions" ...
constexpr std::string_view endpoint_path(Endpoint endpoint) {
  return kEndpointTexts[static_cast<std::size_t>(endpoint)].path;
}

// Returns the endpoint named `name`, or nullopt for a name that is none of them.
constexpr std::optional<Endpoint> parse_endpoint(std::string_view name) {
  for (const EndpointText& text : kEndpointTexts) {
    if (text.name == name) return text.endpoint;
  }
  return std::nullopt;
}

// Returns whether the endpoint generates output tokens (every one but embeddings).
constexpr bool is_generation(Endpoint endpoint) { return endpoint != Endpoint::embeddings; }

// The table is in enum order: endpoint_name() indexes it by the enum's value.
static_assert([] {
  for (std::size_t i = 0; i < kEndpointTexts.size(); ++i) {
    if (static_cast<std::size_t>(kEndpointTexts[i].endpoint) != i) return false;
  }
  return true;
}());

}  // namespace llmsim
