// OpenAI's error bodies and texts.
#include "wire/openai_errors.hpp"

#include "wire/go_duration.hpp"
#include "wire/json_text.hpp"

namespace llmsim::wire {
namespace {

constexpr const char* kRateLimitsPage =
    "Visit https://platform.openai.com/account/rate-limits to learn more.";

// OpenAI masks long keys to their first 8 and last 4 characters; short keys are shown whole.
constexpr std::size_t kKeyPrefixShown = 8;
constexpr std::size_t kKeySuffixShown = 4;

ApiError make(int status, std::string message, std::optional<std::string> param = std::nullopt,
              std::optional<std::string> code = std::nullopt) {
  return ApiError{status, std::move(message), "invalid_request_error", std::move(param),
                  std::move(code)};
}

// Returns the error of `outcome` with its label and `message`.
ApiError labelled(int status, Outcome outcome, LimitKind refused_by, std::string message) {
  const ErrorLabel label = *error_label(outcome, refused_by);
  ApiError error{status, std::move(message), std::string(label.type), std::nullopt, std::nullopt};
  if (!label.code.empty()) error.code = std::string(label.code);
  return error;
}

}  // namespace

const char* limit_phrase(LimitKind kind) {
  switch (kind) {
    case LimitKind::rpm: return "requests per min (RPM)";
    case LimitKind::tpm: return "tokens per min (TPM)";
    case LimitKind::rpd: return "requests per day (RPD)";
    case LimitKind::tpd: return "tokens per day (TPD)";
    default: return "none";
  }
}

std::optional<ErrorLabel> error_label(Outcome outcome, LimitKind refused_by) {
  // A limit's type is "requests" for RPM/RPD, "tokens" for TPM/TPD.
  const std::string_view limit_type =
      refused_by == LimitKind::tpm || refused_by == LimitKind::tpd ? "tokens" : "requests";
  switch (outcome) {
    case Outcome::rate_limited:
    case Outcome::too_large: return ErrorLabel{limit_type, "rate_limit_exceeded"};
    case Outcome::quota_exhausted: return ErrorLabel{"insufficient_quota", "insufficient_quota"};
    case Outcome::server_error:
    case Outcome::overloaded: return ErrorLabel{"server_error", ""};
    default: return std::nullopt;
  }
}

std::string mask_key(std::string_view key) {
  if (key.size() <= kKeyPrefixShown + kKeySuffixShown) {
    return valid_utf8(key);
  }
  // Cuts fall between characters: a multi-byte character at a cut is shown whole.
  const auto is_continuation = [&](std::size_t i) {
    return (static_cast<unsigned char>(key[i]) & 0xc0) == 0x80;
  };
  std::size_t prefix_end = kKeyPrefixShown;
  while (prefix_end < key.size() && is_continuation(prefix_end)) ++prefix_end;
  std::size_t suffix_start = key.size() - kKeySuffixShown;
  while (suffix_start > prefix_end && is_continuation(suffix_start)) --suffix_start;
  std::string masked(key.substr(0, prefix_end));
  masked.append(suffix_start - prefix_end, '*');
  masked.append(key.substr(suffix_start));
  return valid_utf8(masked);
}

std::string error_json(const ApiError& error) {
  // Messages and params may copy client input (a path, a header value, a key): never throw.
  std::string out = R"({"error":{"message":)";
  append_json_string_lossy(out, error.message);
  out += R"(,"type":)";
  append_json_string(out, error.type);
  out += R"(,"param":)";
  if (error.param) {
    append_json_string_lossy(out, *error.param);
  } else {
    out += "null";
  }
  out += R"(,"code":)";
  if (error.code) {
    append_json_string(out, *error.code);
  } else {
    out += "null";
  }
  out += "}}";
  return out;
}

ApiError missing_api_key() {
  return make(401,
              "You didn't provide an API key. You need to provide your API key in an "
              "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or "
              "as the password field (with blank username) if you're accessing the API from your "
              "browser and are prompted for a username. You can obtain an API key from "
              "https://platform.openai.com/account/api-keys.");
}

ApiError invalid_api_key(std::string_view key) {
  return make(401,
              "Incorrect API key provided: " + mask_key(key) +
                  ". You can find your API key at https://platform.openai.com/account/api-keys.",
              std::nullopt, "invalid_api_key");
}

ApiError invalid_url(std::string_view method, std::string_view path) {
  return make(404, "Invalid URL (" + std::string(method) + " " + std::string(path) + ")");
}

ApiError model_not_found(std::string_view model) {
  return make(404,
              "The model `" + std::string(model) +
                  "` does not exist or you do not have access to it.",
              std::nullopt, "model_not_found");
}

ApiError invalid_json() {
  return make(400,
              "We could not parse the JSON body of your request. (HINT: This likely means you "
              "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
              "but what was sent was not valid JSON. If you have trouble figuring out how to fix "
              "this, please contact us through our help center at help.openai.com.)");
}

ApiError body_not_object(std::string_view got) {
  return make(400, "Invalid type for request body: expected an object, but got " +
                       std::string(got) + " instead.",
              std::nullopt, "invalid_type");
}

ApiError missing_model() { return make(400, "you must provide a model parameter"); }

ApiError missing_parameter(std::string_view param) {
  return make(400, "Missing required parameter: '" + std::string(param) + "'.",
              std::string(param), "missing_required_parameter");
}

ApiError invalid_type(std::string_view param, std::string_view expected, std::string_view got) {
  return make(400,
              "Invalid type for '" + std::string(param) + "': expected " + std::string(expected) +
                  ", but got " + std::string(got) + " instead.",
              std::string(param), "invalid_type");
}

ApiError integer_below_minimum(std::string_view param, std::int64_t minimum, std::int64_t got) {
  return make(400,
              "Invalid '" + std::string(param) +
                  "': integer below minimum value. Expected a value >= " +
                  std::to_string(minimum) + ", but got " + std::to_string(got) + " instead.",
              std::string(param), "integer_below_min_value");
}

ApiError integer_above_maximum(std::string_view param, std::int64_t maximum, std::int64_t got) {
  return make(400,
              "Invalid '" + std::string(param) +
                  "': integer above maximum value. Expected a value <= " +
                  std::to_string(maximum) + ", but got " + std::to_string(got) + " instead.",
              std::string(param), "integer_above_max_value");
}

ApiError empty_array(std::string_view param) {
  return make(400,
              "Invalid '" + std::string(param) +
                  "': empty array. Expected an array with minimum length 1, but got an empty "
                  "array instead.",
              std::string(param), "empty_array");
}

ApiError array_above_max_length(std::string_view param, std::size_t maximum, std::size_t got) {
  return make(400,
              "Invalid '" + std::string(param) +
                  "': array too long. Expected an array with maximum length " +
                  std::to_string(maximum) + ", but got an array with length " +
                  std::to_string(got) + " instead.",
              std::string(param), "array_above_max_length");
}

ApiError top_logprobs_without_logprobs() {
  // OpenAI's text, seen in its answers (param named, code null).
  return make(400, "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.",
              "top_logprobs");
}

ApiError invalid_value(std::string_view param, std::string_view got, std::string_view supported) {
  return make(400,
              "Invalid value: '" + std::string(got) + "'. Supported values are: " +
                  std::string(supported) + ".",
              std::string(param), "invalid_value");
}

ApiError invalid_embedding_input() {
  return make(400,
              "'$.input' is invalid. Please check the API reference: "
              "https://platform.openai.com/docs/api-reference.");
}

ApiError unsupported_parameter(std::string_view param, std::string_view detail) {
  return make(400,
              "Unsupported parameter: '" + std::string(param) + "' is not supported by llmsim " +
                  "yet: " + std::string(detail) + ".",
              std::string(param), "unsupported_parameter");
}

ApiError previous_response_not_found(std::string_view id) {
  return make(400, "Previous response with id '" + std::string(id) + "' not found.",
              "previous_response_id", "previous_response_not_found");
}

ApiError unknown_fault(std::string_view value) {
  return make(400,
              "Invalid value for header 'x-llmsim-fault': '" + std::string(value) +
                  "'. Supported values are: '500', '503', 'hang', 'drop', 'slow', 'quota', '429' "
                  "and 'ok'.",
              "x-llmsim-fault", "invalid_value");
}

ApiError body_too_large(std::uint64_t limit_bytes) {
  return make(413,
              "Request body too large: the limit is " + std::to_string(limit_bytes) +
                  " bytes. Reduce the size of your request and try again.",
              std::nullopt, "request_too_large");
}

ApiError malformed_http() {
  return make(400, "We could not parse your HTTP request. Check that it is valid HTTP/1.1.");
}

ApiError header_too_large() {
  return make(431,
              "Request header fields too large. Reduce the size of your request headers and try "
              "again.",
              std::nullopt, "request_header_fields_too_large");
}

ApiError missing_host() {
  return make(400, "We could not parse your HTTP request: an HTTP/1.1 request needs a Host header.");
}

ApiError unsupported_transfer_coding() {
  return make(501,
              "We could not read your request body: the only Transfer-Encoding supported is "
              "chunked.",
              std::nullopt, "not_implemented");
}

ApiError request_timeout(std::chrono::milliseconds timeout) {
  return make(408,
              "Your request did not arrive whole within " + std::to_string(timeout.count()) +
                  " ms (llmsim serve --read-timeout-s). Send the whole request and try again.",
              std::nullopt, "request_timeout");
}

ApiError invalid_admin_token() {
  return make(401,
              "llmsim admin routes need the server's admin token: send it as Authorization: "
              "Bearer TOKEN (llmsim serve --admin-token, or the token it printed at start).",
              std::nullopt, "invalid_admin_token");
}

ApiError too_many_keys(std::size_t max_keys) {
  ApiError error = make(503,
                        "llmsim keeps the rate limits of at most " + std::to_string(max_keys) +
                            " API keys (llmsim serve --max-keys) and every one of them has "
                            "partly used limits. Retry later, or raise --max-keys.",
                        std::nullopt, "too_many_keys");
  error.type = "server_error";
  return error;
}

ApiError rate_limited(std::string_view model, std::string_view organization,
                      const Admission& admission) {
  const LimitKind kind = admission.refused_by;
  return labelled(429, Outcome::rate_limited, kind,
                  "Rate limit reached for " + std::string(model) + " in organization " +
                      std::string(organization) + " on " + limit_phrase(kind) + ": Limit " +
                      std::to_string(admission.limit) + ", Used " + std::to_string(admission.used) +
                      ", Requested " + std::to_string(admission.requested) +
                      ". Please try again in " + go_duration(admission.wait) + ". " +
                      kRateLimitsPage);
}

ApiError request_too_large(std::string_view model, std::string_view organization,
                           const Admission& admission) {
  const LimitKind kind = admission.refused_by;
  return labelled(429, Outcome::too_large, kind,
                  "Request too large for " + std::string(model) + " in organization " +
                      std::string(organization) + " on " + limit_phrase(kind) + ": Limit " +
                      std::to_string(admission.limit) + ", Requested " +
                      std::to_string(admission.requested) +
                      ". The input or output tokens must be reduced in order to run "
                      "successfully. " +
                      kRateLimitsPage);
}

ApiError quota_exhausted() {
  return labelled(429, Outcome::quota_exhausted, LimitKind::none,
                  "You exceeded your current quota, please check your plan and billing details. "
                  "For more information on this error, read the docs: "
                  "https://platform.openai.com/docs/guides/error-codes/api-errors.");
}

ApiError server_error() {
  return labelled(500, Outcome::server_error, LimitKind::none,
                  "The server had an error processing your request. Sorry about that! You can "
                  "retry your request, or contact us through our help center at help.openai.com "
                  "if you keep seeing this error.");
}

ApiError overloaded(std::string_view request_id) {
  return labelled(503, Outcome::overloaded, LimitKind::none,
                  "That model is currently overloaded with other requests. You can retry your "
                  "request, or contact us through our help center at help.openai.com if the "
                  "error persists. (Please include the request ID " +
                      std::string(request_id) + " in your message.)");
}

}  // namespace llmsim::wire
