#include "mockapi/request_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

// What a reader made of raw bytes, and what Beast's own request parser made of the same bytes.
struct Parsed {
  HttpRequest request;
  unsigned version = 0;
  bool keep_alive = false;
  bool expects_continue = false;
  error_code error;
};

Parsed with_reader(const std::string& bytes, std::uint64_t body_limit = 1 << 20) {
  Parsed out;
  out.request.body = "left over from an earlier request";
  out.request.fault = "503";
  RequestReader reader(out.request);
  reader.body_limit(body_limit);
  reader.eager(true);
  reader.put(boost::asio::buffer(bytes), out.error);
  if (!out.error && !reader.is_done()) reader.put_eof(out.error);
  if (out.error) return out;  // keep_alive() needs a whole header
  out.version = reader.version();
  out.keep_alive = reader.keep_alive();
  out.expects_continue = reader.expects_continue();
  return out;
}

// Fills what the session read from Beast's message before it had its own reader.
Parsed with_beast(const std::string& bytes, std::uint64_t body_limit = 1 << 20) {
  Parsed out;
  http::request_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  parser.eager(true);
  parser.put(boost::asio::buffer(bytes), out.error);
  if (!out.error && !parser.is_done()) parser.put_eof(out.error);
  if (out.error) return out;
  http::request<http::string_body>& message = parser.get();
  const auto header = [&message](auto name) -> std::optional<std::string> {
    auto it = message.find(name);
    if (it == message.end()) return std::nullopt;
    return std::string(it->value());
  };
  out.request.method = std::string(message.method_string());
  out.request.target = std::string(message.target());
  out.request.authorization = header(http::field::authorization).value_or("");
  out.request.fault = header("x-llmsim-fault");
  out.request.stream_id = header("x-llmsim-request-id");
  out.request.retry_count = header("x-stainless-retry-count");
  out.request.body = message.body();
  out.version = message.version();
  out.keep_alive = message.keep_alive();
  out.expects_continue = boost::beast::iequals(message[http::field::expect], "100-continue");
  return out;
}

void expect_same(const Parsed& reader, const Parsed& beast, const std::string& bytes) {
  EXPECT_EQ(reader.error, beast.error) << bytes;
  if (beast.error) return;
  EXPECT_EQ(reader.request.method, beast.request.method) << bytes;
  EXPECT_EQ(reader.request.target, beast.request.target) << bytes;
  EXPECT_EQ(reader.request.authorization, beast.request.authorization) << bytes;
  EXPECT_EQ(reader.request.fault, beast.request.fault) << bytes;
  EXPECT_EQ(reader.request.stream_id, beast.request.stream_id) << bytes;
  EXPECT_EQ(reader.request.retry_count, beast.request.retry_count) << bytes;
  EXPECT_EQ(reader.request.body, beast.request.body) << bytes;
  EXPECT_EQ(reader.version, beast.version) << bytes;
  EXPECT_EQ(reader.keep_alive, beast.keep_alive) << bytes;
  EXPECT_EQ(reader.expects_continue, beast.expects_continue) << bytes;
}

TEST(RequestReader, ReadsWhatBeastsMessageHeld) {
  const std::vector<std::string> requests = {
      // wrk's request, as the benchmark sends it
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 13\r\n"
      "Content-Type: application/json\r\nAuthorization: Bearer x\r\n\r\n{\"model\":\"m\"}",
      // llmsim load's request, every header the router reads, names in any case
      "POST /v1/completions HTTP/1.1\r\nHost: h\r\nauthorization: Bearer sk-1\r\n"
      "X-Stainless-Retry-Count: 2\r\nx-llmsim-request-id: 17\r\nX-LLMSIM-FAULT: 503\r\n"
      "Content-Length: 2\r\n\r\n{}",
      // repeated headers: the first counts
      "POST /v1/embeddings HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n"
      "x-llmsim-fault: 500\r\nx-llmsim-fault: 503\r\nContent-Length: 0\r\n\r\n",
      // no body, a query string, HTTP/1.0 with and without keep-alive, Connection: close
      "GET /v1/models?limit=2 HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /healthz HTTP/1.0\r\n\r\n",
      "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n",
      // Expect: 100-continue, in another case, and another expectation
      "POST /v1/chat/completions HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n{}",
      "POST /v1/chat/completions HTTP/1.1\r\nExpect: something\r\nContent-Length: 2\r\n\r\n{}",
      // a chunked body
      "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"a\":\r\n3\r\n12}\r\n0\r\n\r\n",
      // an unknown method and an empty header value
      "PATCH /v1/models HTTP/1.1\r\nx-llmsim-request-id: \r\n\r\n",
      // not HTTP
      "this is not http\r\n\r\n",
  };
  for (const std::string& bytes : requests) {
    expect_same(with_reader(bytes), with_beast(bytes), bytes);
  }
}

TEST(RequestReader, RefusesABodyOverTheLimitAsBeastDoes) {
  const std::string bytes =
      "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
  const Parsed reader = with_reader(bytes, 10);
  EXPECT_EQ(reader.error, http::error::body_limit);
  EXPECT_EQ(with_beast(bytes, 10).error, http::error::body_limit);
}

TEST(RequestReader, ClearsWhatTheLastRequestLeft) {
  const Parsed parsed = with_reader("GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(parsed.request.body, "");
  EXPECT_FALSE(parsed.request.fault.has_value());
  EXPECT_EQ(parsed.request.method, "GET");
}

TEST(RequestReader, ReservesNoMoreThanACommonBodyBeforeItArrives) {
  // 8 MB declared, one byte sent: the body holds what arrived, not what was announced.
  HttpRequest request;
  RequestReader reader(request);
  reader.body_limit(16 << 20);
  error_code error;
  const std::string head =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: 8388608\r\n\r\n{";
  reader.put(boost::asio::buffer(head), error);
  ASSERT_FALSE(error) << error.message();
  reader.put(boost::asio::buffer(head.data() + head.size() - 1, 1), error);
  EXPECT_EQ(request.body, "{");
  EXPECT_LE(request.body.capacity(), kBodyReserveBytes);
}

HeadRefusal refusal_of(const std::string& head) {
  HttpRequest request;
  RequestReader reader(request);
  error_code error;
  reader.put(boost::asio::buffer(head), error);
  EXPECT_TRUE(!error || error == http::error::need_more) << error.message() << " " << head;
  EXPECT_TRUE(reader.is_header_done()) << head;
  return reader.head_refusal();
}

TEST(RequestReader, NotesHeadsTheServerMustRefuse) {
  EXPECT_EQ(refusal_of("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"), HeadRefusal::none);
  EXPECT_EQ(refusal_of("GET /healthz HTTP/1.0\r\n\r\n"), HeadRefusal::none);
  EXPECT_EQ(refusal_of("GET /healthz HTTP/1.1\r\n\r\n"), HeadRefusal::missing_host);
  EXPECT_EQ(refusal_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"),
            HeadRefusal::none);
  EXPECT_EQ(refusal_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"),
            HeadRefusal::chunked_not_final);
  EXPECT_EQ(refusal_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
            HeadRefusal::chunked_not_final);
  EXPECT_EQ(refusal_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            HeadRefusal::unsupported_coding);
  EXPECT_EQ(refusal_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"),
            HeadRefusal::unsupported_coding);
}

}  // namespace
}  // namespace llmsim::mockapi
