#include "mockapi/response_head.hpp"

#include <sstream>

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace llmsim::mockapi {
namespace {

namespace http = boost::beast::http;

// The response as the server built it with Beast before: fields set one by one, Server,
// keep_alive, body, prepare_payload; serialised whole.
std::string beast_response(int status, unsigned version, const HeaderList& headers,
                           bool keep_alive, const std::string& body) {
  http::response<http::string_body> response{static_cast<http::status>(status), version};
  for (const auto& [name, value] : headers) {
    response.set(name, value);
  }
  response.set(http::field::server, "llmsim");
  response.keep_alive(keep_alive);
  response.body() = body;
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

TEST(WriteResponseHead, IsWhatBeastWritesForEveryStatusVersionAndKeepAlive) {
  const HeaderList headers = {{"content-type", "application/json"},
                              {"x-request-id", "req_0123456789abcdef0123456789abcdef"},
                              {"openai-organization", "llmsim"},
                              {"openai-version", "2020-10-01"},
                              {"openai-processing-ms", "0"},
                              {"x-ratelimit-limit-requests", "1000000000"},
                              {"x-ratelimit-reset-tokens", "6m0s"},
                              {"retry-after", "1"}};
  const std::vector<std::string> bodies = {"", "{}", std::string(631, 'x')};
  std::string head;
  for (const int status : {200, 400, 401, 404, 405, 413, 429, 500, 503}) {
    for (const unsigned version : {10U, 11U}) {
      for (const bool keep_alive : {true, false}) {
        for (const std::string& body : bodies) {
          write_response_head(head, status, version, headers, keep_alive, body.size());
          EXPECT_EQ(head + body, beast_response(status, version, headers, keep_alive, body))
              << status << " HTTP " << version << " keep-alive " << keep_alive;
        }
      }
    }
  }
}

TEST(WriteResponseHead, ReplacesWhatTheStringHeld) {
  std::string head = "left over from the last response";
  write_response_head(head, 200, 11, {}, true, 2);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nServer: llmsim\r\nContent-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace llmsim::mockapi
