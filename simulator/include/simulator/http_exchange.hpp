// What the real-socket driver sends and how it reads what comes back, as pure functions, for
// each provider's API ("api": "openai" or "anthropic").
//
// request_body() turns the scenario's request into the JSON the vendor's SDK would send (OpenAI's
// chat, completions, embeddings or Responses body; Anthropic's Messages body), and
// request_head_start() / write_request_head_end() the HTTP head around it (written by hand, the
// same bytes as Beast's, so an attempt costs no header container).
// reading_of() reads an HTTP response through the vendor's contract (wire/openai.hpp,
// wire/anthropic.hpp): status, headers, error body. read_response() turns it into the same
// AttemptResult the simulator builds from a provider decision; a success body is read here for
// its output tokens only, without building a JSON document (usage.completion_tokens; the
// Responses API's usage.output_tokens, of a stream's final event; Anthropic's usage.output_tokens,
// of a stream's message_delta); one that is not JSON counts as `other`.
//
//   std::string body = request_body(scenario.request, provider);
//   AttemptResult r = read_response(ResponseView{.status = 429, .headers = {.retry_after = "1"},
//                                                .body = text});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/scenario.hpp"
#include "simulator/attempt_result.hpp"
#include "wire/anthropic.hpp"
#include "wire/openai.hpp"

namespace llmsim {

// Returns the request path for an endpoint: "/v1/chat/completions", "/v1/completions" ...; for
// an Anthropic provider "/v1/messages" (the loader allows only chat.completions with one).
std::string endpoint_path(const RequestConfig& request, ProviderApi api = ProviderApi::openai);

// Returns the model a provider is asked for: the request's when the provider serves it, else the
// provider's first (an app failing over to another vendor names that vendor's model).
const std::string& model_for(const RequestConfig& request, const ProviderConfig& provider);

// Returns the JSON body for the scenario's request to `provider`, in its API's shape and naming
// model_for(request, provider). Without a prompt text, the prompt is filler whose token estimate
// (models/token_model.hpp) equals prompt_tokens, as both APIs' mock faces count it.
std::string request_body(const RequestConfig& request, const ProviderConfig& provider);

// The same for a provider that speaks OpenAI's API and serves the request's model.
std::string request_body(const RequestConfig& request);

// Returns the start of every request head the load generator sends, as Beast writes it: the
// request line (POST `path` HTTP/1.1), Host, Content-Type, User-Agent and, with a key, OpenAI's
// Authorization: Bearer, or Anthropic's x-api-key and anthropic-version (2023-06-01).
// Computed once per run and key.
std::string request_head_start(std::string_view path, std::string_view host,
                               std::string_view api_key, ProviderApi api = ProviderApi::openai);

// Replaces `out` with the rest of one attempt's request head: x-stainless-retry-count,
// x-llmsim-request-id, Content-Length of `body_bytes` and the empty line. The start, this and the
// body are byte for byte what Beast writes for the same request.
void write_request_head_end(std::string& out, std::uint32_t attempt, std::uint64_t request_id,
                            std::size_t body_bytes);

struct ResponseView {
  int status = 0;
  wire::ResponseHeaders headers;     // the headers the SDKs read (wire::read_headers)
  std::string_view body;
  bool is_complete = true;           // the body was read to its end
  std::int64_t bytes_received = 0;   // header and body bytes on the wire
  std::int64_t body_bytes = 0;       // of which the body's (a stream's chunk framing included)
  // The Responses API reads usage.output_tokens, and a stream ends with response.completed (or
  // response.incomplete) instead of `data: [DONE]`; the others read usage.completion_tokens.
  Endpoint endpoint = Endpoint::chat_completions;
  ProviderApi api = ProviderApi::openai;  // whose contract reads it
};

// Reads a response through its API's contract: OpenAI's from `response.headers`, Anthropic's
// from the headers `find` looks up (a callable taking a lower-case name and returning
// std::optional<std::string_view>) at `unix_now`, the client's clock since the Unix epoch
// (Anthropic's resets are times).
template <typename Find>
wire::Reading reading_of(const ResponseView& response, Find&& find, TimePoint unix_now) {
  if (response.api == ProviderApi::anthropic) {
    return wire::anthropic::read_response(response.status, wire::anthropic::read_headers(find),
                                          response.body, unix_now, response.is_complete);
  }
  return wire::read_response(response.status, response.headers, response.body,
                             response.is_complete, response.endpoint);
}

// Returns what the client model needs to know of an OpenAI response: wire::read_response, then
// the completion tokens of a success (a 2xx body that is not the API's JSON counts as `other`).
AttemptResult read_response(const ResponseView& response);

// The same from a reading of the response the caller already made (the socket driver keeps it for
// the trace).
AttemptResult read_response(const ResponseView& response, const wire::Reading& reading);

}  // namespace llmsim
