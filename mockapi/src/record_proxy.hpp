// Internal: `llmsim serve --record-from URL --fixtures-out F`: every /v1 request is sent on to an
// OpenAI-compatible server (plain http:// only; no TLS), its response relayed to the client (a
// stream chunk by chunk, as the pieces arrive), and written to F as a fixture rule: an exact
// match on the endpoint, model, last user message, turn and tool_result, answered by a
// `recorded` answer with the status, time to the response head (first_byte_ms) and either the
// body (body_ms: head to last byte) or the chunks with their gaps. A later exchange with the same
// match replaces the earlier (an SDK's successful retry replaces its 429). F is rewritten whole
// (a temporary file renamed over it) after every recorded exchange, so it is always a valid
// fixtures file. Only the Authorization, x-llmsim-fault and x-stainless-retry-count headers and
// the body are passed on.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "mockapi/router.hpp"
#include "session.hpp"

namespace llmsim::mockapi {

// Where requests go: "http://HOST[:PORT][/PREFIX]"; PREFIX is put before the request's path.
struct Upstream {
  std::string host;
  std::string port = "80";
  std::string prefix;
};

// Parses an --record-from URL; throws std::invalid_argument naming what is wrong.
Upstream parse_upstream(const std::string& url);

class Recorder {
 public:
  explicit Recorder(std::string path) : path_(std::move(path)) {}
  // Adds (or replaces) the rule for one exchange and rewrites the file; returns false when the
  // file cannot be written (logged on stderr).
  bool record(const std::string& rule_json, const std::string& match_key);

 private:
  std::mutex mutex_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> rules_;  // (match key, rule JSON)
};

// Sends `request` upstream and relays the answer; returns whether the client connection stays
// open.
boost::asio::awaitable<bool> proxy_request(SessionContext& context, Connection& connection,
                                           const HttpRequest& request, unsigned version,
                                           bool keep_alive);

}  // namespace llmsim::mockapi
