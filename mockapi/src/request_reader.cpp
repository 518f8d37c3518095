// Parsing a request into an HttpRequest, keeping only what the Router reads.
#include "mockapi/request_reader.hpp"

#include <boost/beast/core/string.hpp>

namespace llmsim::mockapi {
namespace {

// Sets `header` to `value` unless an earlier field of the same name set it.
void keep_first(std::optional<std::string>& header, boost::beast::string_view value) {
  if (!header) header.emplace(value.data(), value.size());
}

}  // namespace

RequestReader::RequestReader(HttpRequest& request) : request_(request) {
  request_.method.clear();
  request_.target.clear();
  request_.authorization.clear();
  request_.fault.reset();
  request_.retry_count.reset();
  request_.stream_id.reset();
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
    }
  }
}

void RequestReader::on_header_impl(error_code&) {}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // The parser has already refused a length over its body limit.
  if (content_length) request_.body.reserve(static_cast<std::size_t>(*content_length));
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
