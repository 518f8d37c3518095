// What the real-socket driver sends and how it reads what comes back, as pure functions.
//
// request_body() turns the scenario's request into the JSON an OpenAI SDK would send, and
// request_head_start() / write_request_head_end() the HTTP head around it (written by hand, the
// same bytes as Beast's, so an attempt costs no header container).
// read_response() turns an HTTP response (status, the headers the SDKs read, body) into the same
// AttemptResult the simulator builds from a provider decision: OpenAI's contract
// (wire/openai.hpp) reads the status, headers and error body; a success body is read here for
// its usage.completion_tokens only, without building a JSON document; one that is not JSON
// counts as `other`. The
// Responses API reads usage.output_tokens (of a stream's final event).
//
//   std::string body = request_body(scenario.request);
//   AttemptResult r = read_response(ResponseView{.status = 429, .headers = {.retry_after = "1"},
//                                                .body = text});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/scenario.hpp"
#include "simulator/attempt_result.hpp"
#include "wire/openai.hpp"

namespace llmsim {

// Returns the request path for an endpoint: "/v1/chat/completions", "/v1/completions" ...
std::string endpoint_path(const RequestConfig& request);

// Returns the JSON body for the scenario's request. Without a prompt text, the prompt is filler
// whose token estimate (models/token_model.hpp) equals prompt_tokens.
std::string request_body(const RequestConfig& request);

// Returns the start of every request head the load generator sends, as Beast writes it: the
// request line (POST `path` HTTP/1.1), Host, Content-Type, User-Agent and, with a key,
// Authorization. Computed once per run.
std::string request_head_start(std::string_view path, std::string_view host,
                               std::string_view api_key);

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
  // The Responses API reads usage.output_tokens, and a stream ends with response.completed (or
  // response.incomplete) instead of `data: [DONE]`; the others read usage.completion_tokens.
  Endpoint endpoint = Endpoint::chat_completions;
};

// Returns what the client model needs to know of a response: wire::read_response, then the
// completion tokens of a success (a 2xx body that is not the API's JSON counts as `other`).
AttemptResult read_response(const ResponseView& response);

// The same from a reading of the response the caller already made (the socket driver keeps it for
// the trace).
AttemptResult read_response(const ResponseView& response, const wire::Reading& reading);

}  // namespace llmsim
