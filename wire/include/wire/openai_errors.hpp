// OpenAI's error responses: status, type, code, param and the exact message text.
//
// Every error the mock server sends is an ApiError rendered as OpenAI's ErrorResponse schema,
// `{"error": {"message": str, "type": str, "param": str|null, "code": str|null}}`, keys in that
// order. The texts follow shared/reference/openai-api-notes.md and OpenAI's public messages; where
// OpenAI's text is unknown (413, our own x-llmsim-fault header) the wording is ours, in its style.
//
//   ApiError e = integer_below_minimum("max_tokens", 1, 0);
//   std::string body = error_json(e);  // 400, param "max_tokens", code "integer_below_min_value"
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/provider_model.hpp"
#include "models/rate_limiter.hpp"

namespace llmsim::wire {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::optional<std::string> param;
  std::optional<std::string> code;
};

// Returns the ErrorResponse JSON for `error` (no trailing newline); never throws: text that is
// not valid UTF-8 (client input copied into a message) has U+FFFD in place of its bad bytes.
std::string error_json(const ApiError& error);

// Returns `key` masked as OpenAI shows it: the first 8 and last 4 bytes, stars between, a
// multi-byte character at a cut shown whole; keys of 12 bytes or fewer are shown whole. The
// result is valid UTF-8 (invalid bytes become U+FFFD).
std::string mask_key(std::string_view key);

// --- authentication and routing -------------------------------------------------------------

// Returns the 401 for a request without an `Authorization: Bearer` key.
ApiError missing_api_key();

// Returns the 401 for an unknown key; the key is masked as OpenAI does (first 8, last 4 shown).
ApiError invalid_api_key(std::string_view key);

// Returns the 404 "Invalid URL (METHOD /path)" for an unknown route or a wrong method.
ApiError invalid_url(std::string_view method, std::string_view path);

// Returns the 404 model_not_found for a model the provider does not serve.
ApiError model_not_found(std::string_view model);

// --- request validation (400) ---------------------------------------------------------------

// Returns the 400 for a body that is not valid JSON.
ApiError invalid_json();

// Returns the 400 for a JSON body that is not an object.
ApiError body_not_object(std::string_view got);

// Returns the 400 for a missing or null `model`.
ApiError missing_model();

// Returns the 400 "Missing required parameter: 'PARAM'."
ApiError missing_parameter(std::string_view param);

// Returns the 400 "Invalid type for 'PARAM': expected EXPECTED, but got GOT instead."
// `expected` and `got` carry their article: "an integer", "a string".
ApiError invalid_type(std::string_view param, std::string_view expected, std::string_view got);

// Returns the 400 for an integer below its minimum.
ApiError integer_below_minimum(std::string_view param, std::int64_t minimum, std::int64_t got);

// Returns the 400 for an integer above its maximum.
ApiError integer_above_maximum(std::string_view param, std::int64_t maximum, std::int64_t got);

// Returns the 400 for an empty array where at least one item is required.
ApiError empty_array(std::string_view param);

// Returns the 400 for an array longer than its maximum ("Invalid 'stop': array too long. ...").
ApiError array_above_max_length(std::string_view param, std::size_t maximum, std::size_t got);

// Returns the 400 for `top_logprobs` without `logprobs: true` (param top_logprobs, no code).
ApiError top_logprobs_without_logprobs();

// Returns the 400 "Invalid value: 'GOT'. Supported values are: 'a', 'b' and 'c'."
// `supported` is already formatted ("'float' and 'base64'").
ApiError invalid_value(std::string_view param, std::string_view got, std::string_view supported);

// Returns the 400 OpenAI sends for an embeddings `input` it cannot use ("'$.input' is invalid.").
ApiError invalid_embedding_input();

// Returns the 400 "Unsupported parameter: 'PARAM' ..." for a feature OpenAI has and the mock does
// not serve (yet): `detail` says what.
ApiError unsupported_parameter(std::string_view param, std::string_view detail);

// Returns the 400 for a previous_response_id the server does not know (the mock stores nothing).
ApiError previous_response_not_found(std::string_view id);

// Returns the 400 for an unknown x-llmsim-fault header value.
ApiError unknown_fault(std::string_view value);

// Returns the 413 for a body over `limit_bytes`.
ApiError body_too_large(std::uint64_t limit_bytes);

// Returns the 400 for bytes that are not an HTTP request.
ApiError malformed_http();

// Returns the 431 for a request head over the server's header limit.
ApiError header_too_large();

// Returns the 400 for an HTTP/1.1 request without a Host header.
ApiError missing_host();

// Returns the 501 for a Transfer-Encoding other than chunked (no coding is decoded).
ApiError unsupported_transfer_coding();

// Returns the 408 for a request not read whole within `timeout`.
ApiError request_timeout(std::chrono::milliseconds timeout);

// Returns the 401 for an admin route without the server's admin token.
ApiError invalid_admin_token();

// Returns the 503 for a new API key when `max_keys` keys are kept and none can be forgotten.
ApiError too_many_keys(std::size_t max_keys);

// --- provider outcomes ----------------------------------------------------------------------

// Returns OpenAI's phrase for a limit: "requests per min (RPM)", "tokens per day (TPD)" ...
const char* limit_phrase(LimitKind kind);

// The type and code an outcome's error is sent with; an empty code is sent as null.
struct ErrorLabel {
  std::string_view type;
  std::string_view code;
};

// Returns the type and code of the error a provider outcome is sent as (refused_by names the
// limit of a refusal), or nullopt for ok, hang and drop: the one table the bodies below and the
// client's reading of a decision (wire/openai.hpp from_decision) share.
std::optional<ErrorLabel> error_label(Outcome outcome, LimitKind refused_by);

// Returns the 429 rate_limit_exceeded for a refusal by `admission.refused_by` (RPM, TPM, RPD,
// TPD), with Limit/Used/Requested and the wait as a Go duration.
ApiError rate_limited(std::string_view model, std::string_view organization,
                      const Admission& admission);

// Returns the 429 "Request too large" (cost above the limit itself; no wait helps).
ApiError request_too_large(std::string_view model, std::string_view organization,
                           const Admission& admission);

// Returns the 429 insufficient_quota (billing; not retryable).
ApiError quota_exhausted();

// Returns the 500 server_error.
ApiError server_error();

// Returns the 503 "That model is currently overloaded ...", naming the request id.
ApiError overloaded(std::string_view request_id);

}  // namespace llmsim::wire
