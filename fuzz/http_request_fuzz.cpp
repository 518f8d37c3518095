// Fuzzes mockapi's RequestReader over raw bytes, as a session reads a connection: requests one
// after another (pipelined) until the bytes end or one is refused. Each request is also read by
// Beast's own request_parser<string_body>, the reference the reader must agree with (same error,
// same bytes consumed, same fields). A chat body that arrives is also parsed, as the router does
// (a RequestError, OpenAI's 400, is a fine answer).
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mockapi/request_parser.hpp"
#include "mockapi/request_reader.hpp"

namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;
using llmsim::mockapi::HttpRequest;
using llmsim::mockapi::RequestReader;

// Small enough that inputs can cross it; the server's default is 8 MiB.
constexpr std::uint64_t kBodyLimit = 4096;
// Requests read from one input at most (a session reads until the connection closes).
constexpr int kMaxRequests = 16;

// Puts `bytes` into a parser until it is done, it fails, or the bytes end (then the end of the
// stream); returns the bytes it consumed.
template <class Parser>
std::size_t feed(Parser& parser, std::string_view bytes, error_code& error) {
  std::size_t used = 0;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), error);
    used += n;
    if (error == http::error::need_more || (!error && n == 0)) {
      error = {};
      parser.put_eof(error);
      break;
    }
    if (error) break;
  }
  return used;
}

std::optional<std::string> header(const http::request<http::string_body>& message,
                                  std::string_view name) {
  auto it = message.find(boost::beast::string_view(name.data(), name.size()));
  if (it == message.end()) return std::nullopt;
  return std::string(it->value());
}

// Checks the reader's request against Beast's message of the same bytes.
void expect_same(const RequestReader& reader, const HttpRequest& request,
                 const http::request_parser<http::string_body>& beast) {
  const http::request<http::string_body>& message = beast.get();
  LLMSIM_FUZZ_CHECK(request.method == message.method_string(), "method");
  LLMSIM_FUZZ_CHECK(request.target == message.target(), "target");
  LLMSIM_FUZZ_CHECK(request.authorization == header(message, "Authorization").value_or(""),
                    "authorization");
  LLMSIM_FUZZ_CHECK(request.fault == header(message, "x-llmsim-fault"), "x-llmsim-fault");
  LLMSIM_FUZZ_CHECK(request.stream_id == header(message, "x-llmsim-request-id"),
                    "x-llmsim-request-id");
  LLMSIM_FUZZ_CHECK(request.retry_count == header(message, "x-stainless-retry-count"),
                    "x-stainless-retry-count");
  LLMSIM_FUZZ_CHECK(request.body == message.body(), "body");
  LLMSIM_FUZZ_CHECK(reader.version() == message.version(), "version");
  // The parser's keep_alive() (every Connection field), which the session uses; the message's reads
  // only the first Connection field.
  LLMSIM_FUZZ_CHECK(reader.keep_alive() == beast.keep_alive(), "keep-alive");
  LLMSIM_FUZZ_CHECK(reader.expects_continue() ==
                        boost::beast::iequals(message[http::field::expect], "100-continue"),
                    "expect: 100-continue");
}

void parse_body(const HttpRequest& request) {
  if (request.method != "POST" || request.target != "/v1/chat/completions") return;
  try {
    (void)llmsim::mockapi::parse_chat_request(request.body);
  } catch (const llmsim::mockapi::RequestError&) {
    // OpenAI's 400: a fine answer to a bad body.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  HttpRequest request;  // reused, as a session does
  std::size_t offset = 0;
  for (int i = 0; i < kMaxRequests && offset < bytes.size(); ++i) {
    const std::string_view rest = bytes.substr(offset);
    RequestReader reader(request);
    reader.body_limit(kBodyLimit);
    reader.eager(true);
    http::request_parser<http::string_body> beast;
    beast.body_limit(kBodyLimit);
    beast.eager(true);
    error_code reader_error;
    error_code beast_error;
    const std::size_t used = feed(reader, rest, reader_error);
    const std::size_t beast_used = feed(beast, rest, beast_error);
    LLMSIM_FUZZ_CHECK(reader_error == beast_error, "the reader and Beast's parser disagree on the error");
    LLMSIM_FUZZ_CHECK(used == beast_used, "the reader and Beast's parser consumed different bytes");
    if (reader_error) break;  // the session answers 400 or 413 and closes
    LLMSIM_FUZZ_CHECK(reader.is_done(), "no error, yet the request is not complete");
    LLMSIM_FUZZ_CHECK(request.body.size() <= kBodyLimit, "a body over the limit");
    expect_same(reader, request, beast);
    parse_body(request);
    if (!reader.keep_alive() || used == 0) break;
    offset += used;
  }
  return 0;
}
