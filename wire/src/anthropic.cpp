// Anthropic's contract, the writing side: decisions as status, headers and error bodies, RFC 3339
// times, and what the client reads of a decision without the text. See anthropic.hpp.
#include "wire/anthropic.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>

#include "wire/json_text.hpp"

#include "anthropic_limits.hpp"

namespace llmsim::wire::anthropic {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kTokenRounding = 1000;  // token remainders: to the nearest thousand
constexpr const char* kRateLimitAdvice =
    "For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response "
    "headers for current usage. Please reduce the prompt length or the maximum tokens requested, "
    "or try again later. You may also contact sales at https://claude.com/contact-sales to "
    "discuss your options for a rate limit increase.";

// Returns `value` with thousands separators, as Anthropic writes limits: "30,000".
std::string grouped(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::int64_t to_nearest_thousand(std::int64_t value) {
  return (value + kTokenRounding / 2) / kTokenRounding * kTokenRounding;
}

// Returns the reset as a client reads it back at `now`: the RFC 3339 second it is sent as
// (`now + reset`, rounded up), minus `now`, never below zero.
Duration reset_as_read(Duration reset, TimePoint now) {
  const auto at = now.time_since_epoch() + reset;
  const Duration sent = std::chrono::ceil<seconds>(at);
  return std::max(Duration{0}, sent - now.time_since_epoch());
}

// The combined tokens-* values: limits and remainders added, the later reset (both full then).
struct Combined {
  std::optional<std::int64_t> limit, remaining;
  std::optional<Duration> reset;
};

std::optional<std::int64_t> sum(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return *a + *b;
}

Combined combined(const RateLimitHeaders& v) {
  Combined out{sum(v.limit_input_tokens, v.limit_output_tokens),
               sum(v.remaining_input_tokens, v.remaining_output_tokens), std::nullopt};
  if (v.reset_input_tokens && v.reset_output_tokens) {
    out.reset = std::max(*v.reset_input_tokens, *v.reset_output_tokens);
  } else {
    out.reset = v.reset_input_tokens ? v.reset_input_tokens : v.reset_output_tokens;
  }
  return out;
}

// Returns the values a client reads off the wire at `now` (see the contract in anthropic.hpp).
RateLimitHeaders as_sent(const RateLimitHeaders& v, TimePoint now) {
  const auto remainder = [](std::optional<std::int64_t> value) -> std::optional<std::int64_t> {
    if (!value) return std::nullopt;
    return to_nearest_thousand(*value);
  };
  const auto reset = [now](std::optional<Duration> value) -> std::optional<Duration> {
    if (!value) return std::nullopt;
    return reset_as_read(*value, now);
  };
  const Combined tokens = combined(v);
  RateLimitHeaders out;
  out.limit_requests = v.limit_requests;
  out.remaining_requests = v.remaining_requests;
  out.reset_requests = reset(v.reset_requests);
  out.limit_tokens = tokens.limit;
  out.remaining_tokens = remainder(tokens.remaining);
  out.reset_tokens = reset(tokens.reset);
  out.limit_input_tokens = v.limit_input_tokens;
  out.remaining_input_tokens = remainder(v.remaining_input_tokens);
  out.reset_input_tokens = reset(v.reset_input_tokens);
  out.limit_output_tokens = v.limit_output_tokens;
  out.remaining_output_tokens = remainder(v.remaining_output_tokens);
  out.reset_output_tokens = reset(v.reset_output_tokens);
  return out;
}

std::optional<std::int64_t> retry_after_seconds(const Decision& decision) {
  if (decision.outcome != Outcome::rate_limited) return std::nullopt;
  const Duration wait = std::max(decision.admission.wait, Duration{0});
  return std::max<std::int64_t>(1, std::chrono::ceil<seconds>(wait).count());
}

// Returns "(org: ORG, model: MODEL)" as Anthropic's 429 messages end their first sentence.
std::string org_and_model(const RenderContext& context) {
  return "(org: " + std::string(context.organization) + ", model: " + std::string(context.model) + ")";
}

// Returns the days from 1970-01-01 to a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  using namespace std::chrono;
  const sys_days days{year{static_cast<int>(y)} / month{m} / day{d}};
  return days.time_since_epoch().count();
}

}  // namespace

// Returns what a limit counts and over which window: "requests per minute", "input tokens per
// minute" ... (OpenAI's daily limits are refused by the loader for Anthropic providers; named
// here all the same, so no refusal ever reads "none").
std::string limit_words(LimitKind kind) {
  switch (kind) {
    case LimitKind::tpm: return "tokens per minute";
    case LimitKind::rpd: return "requests per day";
    case LimitKind::tpd: return "tokens per day";
    case LimitKind::itpm: return "input tokens per minute";
    case LimitKind::otpm: return "output tokens per minute";
    default: return "requests per minute";
  }
}

// Returns the unit of a limit alone: "requests", "input tokens" ...
std::string limit_unit(LimitKind kind) {
  const std::string words = limit_words(kind);
  return words.substr(0, words.find(" per "));
}

std::string limit_code(LimitKind kind) {
  std::string code = limit_unit(kind);
  std::replace(code.begin(), code.end(), ' ', '_');
  return code;
}

std::string limit_code_in(std::string_view message) {
  // The longer words first: "input tokens per minute" holds "tokens per minute".
  for (const LimitKind kind : {LimitKind::itpm, LimitKind::otpm, LimitKind::tpm, LimitKind::rpd,
                               LimitKind::tpd, LimitKind::rpm}) {
    if (message.find(limit_words(kind)) != std::string_view::npos) return limit_code(kind);
  }
  return "";
}


std::string rfc3339(std::int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr std::int64_t kFirst = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kLast = 253402300799;   // 9999-12-31T23:59:59Z
  const std::int64_t clamped = std::clamp(unix_seconds, kFirst, kLast);
  const sys_seconds time{seconds{clamped}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<seconds> clock{time - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::optional<Duration> parse_rfc3339(std::string_view text) {
  std::size_t at = 0;
  const auto digits = [&](std::size_t count) -> std::optional<std::int64_t> {
    if (at + count > text.size()) return std::nullopt;
    std::int64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    at += count;
    return value;
  };
  const auto expect = [&](std::string_view allowed) {
    if (at >= text.size() || allowed.find(text[at]) == std::string_view::npos) return false;
    ++at;
    return true;
  };
  const auto year = digits(4);
  if (!year || !expect("-")) return std::nullopt;
  const auto month = digits(2);
  if (!month || !expect("-")) return std::nullopt;
  const auto day = digits(2);
  if (!day || !expect("Tt")) return std::nullopt;
  const auto hour = digits(2);
  if (!hour || !expect(":")) return std::nullopt;
  const auto minute = digits(2);
  if (!minute || !expect(":")) return std::nullopt;
  const auto second = digits(2);
  if (!second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  // RFC 3339 allows a leap second (60), which Unix time folds into the next second.
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::int64_t nanos = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::int64_t scale = 100'000'000;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      nanos += (text[at] - '0') * scale;  // digits past the ninth add nothing
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (expect("Zz")) {
    // UTC
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    const auto off_h = digits(2);
    if (!off_h || !expect(":")) return std::nullopt;
    const auto off_m = digits(2);
    if (!off_m || *off_h > 23 || *off_m > 59) return std::nullopt;
    offset_s = sign * (*off_h * 3600 + *off_m * 60);
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const std::int64_t unix_s = days_from_civil(*year, static_cast<unsigned>(*month),
                                              static_cast<unsigned>(*day)) * 86400 +
                              *hour * 3600 + *minute * 60 + *second - offset_s;
  // A Duration holds int64 nanoseconds: about 292 years either side of 1970.
  constexpr std::int64_t kMostSeconds = INT64_MAX / 1'000'000'000 - 1;
  if (unix_s > kMostSeconds || unix_s < -kMostSeconds) return std::nullopt;
  return Duration{seconds{unix_s}} + Duration{nanos};
}

std::string error_json(const ApiError& error, std::string_view request_id) {
  std::string out = R"({"type":"error","error":{"type":)";
  append_json_string(out, error.type);
  out += R"(,"message":)";
  append_json_string_lossy(out, error.message);
  out += '}';
  if (!request_id.empty()) {
    out += R"(,"request_id":)";
    append_json_string_lossy(out, request_id);
  }
  out += '}';
  return out;
}

bool is_api_version(std::string_view version) {
  return std::find(std::begin(kApiVersions), std::end(kApiVersions), version) != std::end(kApiVersions);
}

ApiError missing_api_key() { return {401, "authentication_error", "x-api-key header is required"}; }

ApiError invalid_api_key() { return {401, "authentication_error", "invalid x-api-key"}; }

ApiError missing_version() {
  return {400, "invalid_request_error", "anthropic-version: header is required"};
}

ApiError invalid_version(std::string_view got) {
  // A header value copies client input: error_json replaces bytes that are not UTF-8.
  return {400, "invalid_request_error",
          "anthropic-version: \"" + std::string(got) + "\" is not a valid version"};
}

std::optional<std::string_view> error_type_of(Outcome outcome) {
  switch (outcome) {
    case Outcome::rate_limited:
    case Outcome::too_large: return "rate_limit_error";
    case Outcome::quota_exhausted: return "billing_error";
    case Outcome::server_error: return "api_error";
    case Outcome::overloaded: return "overloaded_error";
    default: return std::nullopt;
  }
}

int status_of(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return 200;
    case Outcome::rate_limited:
    case Outcome::too_large: return 429;
    case Outcome::quota_exhausted: return 402;  // billing: Anthropic's 402, not a 429
    case Outcome::server_error: return 500;
    case Outcome::overloaded: return 529;
    case Outcome::drop_mid_stream: return 200;  // headers went out; the body was cut
    case Outcome::hang: return 0;
  }
  return 0;
}

void add_rate_limit_headers(HeaderList& headers, const RateLimitHeaders& values, TimePoint now) {
  const auto number = [&headers](std::string_view name, std::optional<std::int64_t> value) {
    if (value) headers.emplace_back(name, std::to_string(*value));
  };
  const auto remainder = [&headers](std::string_view name, std::optional<std::int64_t> value) {
    if (value) headers.emplace_back(name, std::to_string(to_nearest_thousand(*value)));
  };
  const auto time = [&headers, now](std::string_view name, std::optional<Duration> reset) {
    if (!reset) return;
    const auto at = std::chrono::ceil<seconds>(now.time_since_epoch() + *reset);
    headers.emplace_back(name, rfc3339(at.count()));
  };
  // In the order Anthropic's responses list them (alphabetical).
  number(kInputLimit, values.limit_input_tokens);
  remainder(kInputRemaining, values.remaining_input_tokens);
  time(kInputReset, values.reset_input_tokens);
  number(kOutputLimit, values.limit_output_tokens);
  remainder(kOutputRemaining, values.remaining_output_tokens);
  time(kOutputReset, values.reset_output_tokens);
  number(kRequestsLimit, values.limit_requests);
  number(kRequestsRemaining, values.remaining_requests);
  time(kRequestsReset, values.reset_requests);
  const Combined tokens = combined(values);
  number(kTokensLimit, tokens.limit);
  remainder(kTokensRemaining, tokens.remaining);
  time(kTokensReset, tokens.reset);
}

std::optional<ApiError> error_of(const Decision& decision, const RenderContext& context) {
  const auto type = error_type_of(decision.outcome);
  if (!type) return std::nullopt;
  ApiError error{status_of(decision.outcome), std::string(*type), ""};
  const Admission& admission = decision.admission;
  switch (decision.outcome) {
    case Outcome::rate_limited:
      error.message = "This request would exceed your organization's rate limit of " +
                      grouped(admission.limit) + " " + limit_words(admission.refused_by) + " " +
                      org_and_model(context) + ". " + kRateLimitAdvice;
      break;
    case Outcome::too_large:
      // Anthropic's text for a request above a limit itself is not public; ours, in its style.
      error.message = "Request too large: this request needs " + grouped(admission.requested) +
                      " " + limit_unit(admission.refused_by) +
                      ", more than your organization's rate limit of " + grouped(admission.limit) +
                      " " + limit_words(admission.refused_by) + " " + org_and_model(context) +
                      ". Please reduce the prompt length or the maximum tokens requested.";
      break;
    case Outcome::quota_exhausted:
      error.message = "Your credit balance is too low to access the Anthropic API. Please go to "
                      "Plans & Billing to upgrade or purchase credits.";
      break;
    case Outcome::server_error: error.message = "Internal server error"; break;
    case Outcome::overloaded: error.message = "Overloaded"; break;
    default: break;
  }
  return error;
}

Response render(const Decision& decision, const RenderContext& context) {
  Response response = response_start(decision, status_of(decision.outcome));
  if (response.delivery == Delivery::none) return response;
  if (auto error = error_of(decision, context)) response.body = error_json(*error, "");
  if (auto wait = retry_after_seconds(decision)) {
    response.headers.emplace_back(kRetryAfter, std::to_string(*wait));
  }
  add_rate_limit_headers(response.headers, decision.admission.headers, context.now);
  return response;
}

Reading from_decision(const Decision& decision, TimePoint now) {
  Reading reading;
  reading.error = category_of(decision);
  reading.status = status_of(decision.outcome);
  if (decision.outcome == Outcome::hang) return reading;  // nothing arrives
  reading.rate_limits = as_sent(decision.admission.headers, now);
  if (auto wait = retry_after_seconds(decision)) reading.retry_after = seconds{*wait};
  if (auto type = error_type_of(decision.outcome)) reading.error_type = *type;
  // A 429's message names its limit; the reading keeps which as its code.
  if (decision.outcome == Outcome::rate_limited || decision.outcome == Outcome::too_large) {
    reading.error_code = limit_code(decision.admission.refused_by);
  }
  return reading;
}

ResponseSizes response_sizes(bool stream) {
  // Measured on the mock server (tests/mockapi/response_size_test.cpp holds them within 10%): a
  // whole message has 838 bytes of head (the anthropic-ratelimit-* headers are many) and 292 of
  // JSON around its text; a stream has 861 of head, 729 of message_start, content_block_start and
  // stop, message_delta and message_stop events, and 115 of content_block_delta event a token, in
  // chunked encoding. The text is counted at 4 bytes a token, as OpenAI's. An error body names the
  // limit, the organisation, the model and the request id: 561 bytes for a 429.
  if (stream) return {.head = 861, .framing = 729, .per_token = 115 + 4, .error_body = 560};
  return {.head = 838, .framing = 292, .per_token = 4, .error_body = 560};
}

}  // namespace llmsim::wire::anthropic
