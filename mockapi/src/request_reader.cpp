// Parsing a request into an HttpRequest, keeping only what the Router reads.
#include "mockapi/request_reader.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

namespace llmsim::mockapi {
namespace {

// Sets `header` to `value` unless an earlier field of the same name set it.
void keep_first(std::optional<std::string>& header, boost::beast::string_view value) {
  if (!header) header.emplace(value.data(), value.size());
}

// Returns the refusal a Transfer-Encoding value calls for: none for `chunked` alone, 400 when
// chunked is not the last coding, 501 for any other coding before it (no coding is decoded).
HeadRefusal coding_refusal(boost::beast::string_view value) {
  using boost::beast::iequals;
  const auto trim = [](boost::beast::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
  };
  const std::size_t comma = value.rfind(',');
  const auto last = trim(comma == boost::beast::string_view::npos ? value : value.substr(comma + 1));
  const auto before = comma == boost::beast::string_view::npos ? boost::beast::string_view{}
                                                               : trim(value.substr(0, comma));
  if (!iequals(last, "chunked")) return HeadRefusal::chunked_not_final;
  return before.empty() ? HeadRefusal::none : HeadRefusal::unsupported_coding;
}

}  // namespace

RequestReader::RequestReader(HttpRequest& request) : request_(request) {
  request_.method.clear();
  request_.target.clear();
  request_.authorization.clear();
  request_.fault.reset();
  request_.retry_count.reset();
  request_.stream_id.reset();
  request_.api_key.reset();
  request_.anthropic_version.reset();
  request_.body.clear();
}

void RequestReader::on_request_impl(verb, string_view method_text, string_view target, int version,
                                    error_code&) {
  request_.method.assign(method_text.data(), method_text.size());
  request_.target.assign(target.data(), target.size());
  version_ = static_cast<unsigned>(version);
}

void RequestReader::on_response_impl(int, string_view, int, error_code&) {}  // requests only

void RequestReader::on_field_impl(field name, string_view name_text, string_view value,
                                  error_code&) {
  using boost::beast::iequals;
  if (name == field::authorization) {
    if (!has_authorization_) request_.authorization.assign(value.data(), value.size());
    has_authorization_ = true;
  } else if (name == field::host) {
    has_host_ = true;
  } else if (name == field::transfer_encoding) {
    // Several fields are one list: a coding of an earlier field comes before this one's.
    HeadRefusal refusal = coding_refusal(value);
    if (refusal == HeadRefusal::none && has_transfer_encoding_) {
      refusal = HeadRefusal::unsupported_coding;
    }
    coding_refusal_ = refusal;
    has_transfer_encoding_ = true;
  } else if (name == field::expect) {
    if (!has_expect_) expects_continue_ = iequals(value, "100-continue");
    has_expect_ = true;
  } else if (name == field::unknown) {
    if (iequals(name_text, "x-llmsim-fault")) {
      keep_first(request_.fault, value);
    } else if (iequals(name_text, "x-llmsim-request-id")) {
      keep_first(request_.stream_id, value);
    } else if (iequals(name_text, "x-stainless-retry-count")) {
      keep_first(request_.retry_count, value);
    } else if (iequals(name_text, "x-api-key")) {
      keep_first(request_.api_key, value);
    } else if (iequals(name_text, "anthropic-version")) {
      keep_first(request_.anthropic_version, value);
    }
  }
}

void RequestReader::on_header_impl(error_code&) {}

HeadRefusal RequestReader::head_refusal() const {
  if (version_ >= 11 && !has_host_) return HeadRefusal::missing_host;
  return coding_refusal_;
}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // The parser has already refused a length over its body limit. Reserve no more than a common
  // body: the rest grows as bytes arrive, so a declared length costs nothing until it is sent.
  if (content_length) {
    request_.body.reserve(
        static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, kBodyReserveBytes)));
  }
}

std::size_t RequestReader::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestReader::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestReader::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestReader::on_finish_impl(error_code&) {}

}  // namespace llmsim::mockapi
