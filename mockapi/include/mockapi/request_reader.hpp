// An HTTP request parser that fills the Router's HttpRequest directly.
//
// A Beast parser (http::basic_parser, so http::async_read drives it and it keeps Beast's limits,
// errors and keep-alive rules) that keeps only what the Router reads: method, target, body and
// the headers Authorization, x-llmsim-fault, x-llmsim-request-id and x-stainless-retry-count (the
// first of each, case-insensitive, as Beast's message.find() would give), plus Expect:
// 100-continue. It builds no header container and copies no message, and a session can reuse one
// HttpRequest for all its requests, whose strings keep their capacity. Like any Beast parser, a
// reader parses one request; make a new one for the next.
//
// The body grows with the bytes that arrive: a declared Content-Length reserves at most
// kBodyReserveBytes, so a client announcing 8 MB and sending one byte costs one byte, not 8 MB.
// Heads Beast accepts but the server must refuse (RFC 9112) are noted, not failed, so that
// the reader reads what Beast reads: head_refusal() says which, once the head is read.
//
//   HttpRequest request;
//   RequestReader reader(request);
//   reader.body_limit(1 << 20);
//   co_await http::async_read(stream, buffer, reader, ...);  // request.method == "POST", ...
#pragma once

#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>

#include "mockapi/router.hpp"

namespace llmsim::mockapi {

// Most bytes reserved for a body before they arrive.
inline constexpr std::size_t kBodyReserveBytes = 64 * 1024;

// Why a head Beast parsed must still be refused (then the connection closes).
enum class HeadRefusal {
  none,
  missing_host,         // HTTP/1.1 without Host: 400
  unsupported_coding,   // Transfer-Encoding with a coding other than chunked before it: 501
  chunked_not_final,    // Transfer-Encoding whose last coding is not chunked: 400 (length unknown)
};

class RequestReader final : public boost::beast::http::basic_parser<true> {
 public:
  // Clears `request` (keeping its strings' capacity) and reads the next request into it.
  explicit RequestReader(HttpRequest& request);

  // Returns the HTTP version of the request line: 10 or 11.
  unsigned version() const { return version_; }

  // Returns whether the request asked for `Expect: 100-continue`.
  bool expects_continue() const { return expects_continue_; }

  // Returns why the head must be refused, or HeadRefusal::none; valid once the head is read.
  HeadRefusal head_refusal() const;

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void on_request_impl(verb method, string_view method_text, string_view target, int version,
                       error_code& error) override;
  void on_response_impl(int status, string_view reason, int version, error_code& error) override;
  void on_field_impl(field name, string_view name_text, string_view value,
                     error_code& error) override;
  void on_header_impl(error_code& error) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& error) override;
  std::size_t on_body_impl(string_view body, error_code& error) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& error) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& error) override;
  void on_finish_impl(error_code& error) override;

  HttpRequest& request_;
  unsigned version_ = 11;
  bool has_authorization_ = false;
  bool has_expect_ = false;
  bool expects_continue_ = false;
  bool has_host_ = false;
  bool has_transfer_encoding_ = false;
  HeadRefusal coding_refusal_ = HeadRefusal::none;  // from the Transfer-Encoding fields
};

}  // namespace llmsim::mockapi
