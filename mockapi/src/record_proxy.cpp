// Recording proxy: relay /v1 requests to another OpenAI-compatible server and write fixtures.
#include "record_proxy.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "mockapi/fixture_query.hpp"
#include "mockapi/response_head.hpp"

namespace llmsim::mockapi {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kPieceBytes = 64 * 1024;  // most bytes relayed per read of a stream

double millis_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Returns the router's endpoint label of a /v1 path, or "" for one that is not recorded.
std::string endpoint_of(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/v1/chat/completions") return "chat.completions";
  if (path == "/v1/completions") return "completions";
  if (path == "/v1/embeddings") return "embeddings";
  if (path == "/v1/responses") return "responses";
  return "";
}

// Returns the rule's "match" for a request, and its key (the match as text).
Json match_of(const FixtureQuery& query) {
  Json match = {{"endpoint", query.endpoint}, {"model", query.model}};
  if (query.last_user_message) match["last_user_message"] = {{"equals", *query.last_user_message}};
  if (query.endpoint == "chat.completions" || query.endpoint == "responses") {
    match["tool_result"] = query.has_tool_result;
    match["turn"] = query.turn;
  }
  return match;
}

http::request<http::string_body> upstream_request(const Upstream& upstream,
                                                  const HttpRequest& request) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(upstream.prefix + request.target);
  out.version(11);
  out.set(http::field::host, upstream.host + ":" + upstream.port);
  if (!request.authorization.empty()) out.set(http::field::authorization, request.authorization);
  if (request.fault) out.set("x-llmsim-fault", *request.fault);
  if (request.retry_count) out.set("x-stainless-retry-count", *request.retry_count);
  if (!request.body.empty()) out.set(http::field::content_type, "application/json");
  out.body() = request.body;
  out.prepare_payload();
  return out;
}

// Returns the response headers to relay: the upstream's, without hop-by-hop ones.
HeaderList relayed_headers(const http::response_header<>& head,
                           std::vector<std::string>& names) {
  HeaderList out;
  names.clear();
  for (const auto& field : head) names.emplace_back(field.name_string());
  std::size_t i = 0;
  for (const auto& field : head) {
    const std::string& name = names[i++];
    const auto is = [&name](std::string_view other) { return beast::iequals(name, other); };
    if (is("connection") || is("transfer-encoding") || is("content-length") ||
        is("keep-alive") || is("server")) {
      continue;
    }
    out.emplace_back(name, std::string(field.value()));
  }
  return out;
}

ResponsePlan bad_gateway(const std::string& what) {
  ResponsePlan plan;
  plan.status = 502;
  plan.headers = {{"content-type", "application/json"}};
  plan.body = R"({"error":{"message":"llmsim --record-from: )" + what +
              R"(","type":"server_error","param":null,"code":"bad_gateway"}})";
  return plan;
}

}  // namespace

Upstream parse_upstream(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    throw std::invalid_argument("must be an http:// URL (https is not supported), got \"" + url + "\"");
  }
  std::string rest = url.substr(kScheme.size());
  Upstream upstream;
  const std::size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    upstream.prefix = rest.substr(slash);
    rest.resize(slash);
    while (upstream.prefix.ends_with('/')) upstream.prefix.pop_back();
  }
  const std::size_t colon = rest.rfind(':');
  if (colon != std::string::npos) {
    upstream.port = rest.substr(colon + 1);
    rest.resize(colon);
  }
  upstream.host = rest;
  if (upstream.host.empty() || upstream.port.empty()) {
    throw std::invalid_argument("must be http://HOST[:PORT][/PREFIX], got \"" + url + "\"");
  }
  return upstream;
}

bool Recorder::record(const std::string& rule_json, const std::string& match_key) {
  std::lock_guard lock(mutex_);
  bool replaced = false;
  for (auto& [key, rule] : rules_) {
    if (key == match_key) {
      rule = rule_json;
      replaced = true;
    }
  }
  if (!replaced) rules_.emplace_back(match_key, rule_json);
  const std::string temporary = path_ + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << "{\"fixtures\": [\n";
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      out << "  " << rules_[i].second << (i + 1 < rules_.size() ? ",\n" : "\n");
    }
    out << "]}\n";
    if (!out) {
      std::cerr << "llmsim serve: --fixtures-out: cannot write " << temporary << "\n";
      return false;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path_, error);
  if (error) std::cerr << "llmsim serve: --fixtures-out: rename " << path_ << ": " << error.message() << "\n";
  return !error;
}

asio::awaitable<bool> proxy_request(SessionContext& context, Connection& connection,
                                    const HttpRequest& request, unsigned version,
                                    bool keep_alive) {
  const Upstream& upstream = *context.upstream;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(context.options.read_timeout);
  const auto started = Clock::now();
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(upstream.host, upstream.port, kAsTuple);
  beast::error_code error = resolve_error;
  if (!error) std::tie(error, std::ignore) = co_await stream.async_connect(endpoints, kAsTuple);
  http::request<http::string_body> outgoing = upstream_request(upstream, request);
  if (!error) std::tie(error, std::ignore) = co_await http::async_write(stream, outgoing, kAsTuple);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  stream.expires_never();
  if (!error) std::tie(error, std::ignore) = co_await http::async_read_header(stream, buffer, parser, kAsTuple);
  if (error) {
    const ResponsePlan plan = bad_gateway(error.message());
    write_response_head(connection.response_head, plan.status, version, plan.headers, false, plan.body.size());
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(connection.response_head), asio::buffer(plan.body)};
    co_await asio::async_write(connection.stream, buffers, kAsTuple);
    co_return false;
  }
  const auto head_at = Clock::now();
  std::vector<std::string> names;
  const HeaderList headers = relayed_headers(parser.get().base(), names);
  const int status = static_cast<int>(parser.get().result_int());
  const bool is_stream = parser.get()[http::field::content_type].starts_with("text/event-stream");
  Json recorded = {{"status", status}, {"first_byte_ms", millis_between(started, head_at)}};
  std::string body;
  Json chunks = Json::array();
  bool client_ok = true;
  http::response<http::empty_body> response{static_cast<http::status>(status), version};
  http::response_serializer<http::empty_body> serializer(response);
  if (is_stream) {
    for (const auto& [name, value] : headers) response.set(name, value);
    response.keep_alive(keep_alive);
    response.chunked(true);
    auto [head_error, ignored] = co_await http::async_write_header(connection.stream, serializer, kAsTuple);
    client_ok = !head_error;
  }
  auto last = head_at;
  std::vector<char> piece(kPieceBytes);
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [read_error, ignored] = co_await http::async_read_some(stream, buffer, parser, kAsTuple);
    if (read_error == http::error::need_buffer) read_error = {};
    if (read_error) break;
    const std::size_t got = piece.size() - parser.get().body().size;
    if (got == 0) continue;
    const std::string data(piece.data(), got);
    if (!is_stream) {
      body += data;
      continue;
    }
    const auto now = Clock::now();
    chunks.push_back({{"gap_ms", millis_between(last, now)}, {"data", data}});
    last = now;
    if (client_ok) {
      auto [write_error, written] = co_await asio::async_write(connection.stream, http::make_chunk(asio::buffer(data)), kAsTuple);
      client_ok = !write_error;
    }
  }
  // The fixture is written before the client sees the end of its answer, so a test that reads
  // --fixtures-out right after a call finds that call in it.
  if (is_stream) {
    recorded["chunks"] = std::move(chunks);
  } else {
    recorded["body_ms"] = millis_between(head_at, Clock::now());
    const Json parsed = Json::parse(body, nullptr, false);
    recorded["body"] = parsed.is_discarded() ? Json(body) : parsed;
  }
  const std::string endpoint = endpoint_of(request.target);
  if (!endpoint.empty() && parser.is_done() && context.recorder != nullptr) {
    const Json match = match_of(fixture_query(endpoint, request.body));
    const Json rule = {{"match", match}, {"answer", {{"recorded", std::move(recorded)}}}};
    context.recorder->record(rule.dump(-1, ' ', false, Json::error_handler_t::replace), match.dump());
  }
  if (is_stream) {
    if (client_ok) {
      auto [last_error, ignored] = co_await asio::async_write(connection.stream, http::make_chunk_last(), kAsTuple);
      client_ok = !last_error;
    }
  } else {
    write_response_head(connection.response_head, status, version, headers, keep_alive, body.size());
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(connection.response_head), asio::buffer(body)};
    auto [write_error, written] = co_await asio::async_write(connection.stream, buffers, kAsTuple);
    client_ok = !write_error;
  }
  co_return client_ok && keep_alive;
}

}  // namespace llmsim::mockapi
