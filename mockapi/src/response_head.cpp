// A response head as Beast writes it.
#include "mockapi/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include "wire/json_text.hpp"

namespace llmsim::mockapi {
namespace {

constexpr unsigned kHttp11 = 11;  // HTTP/1.1 as Beast numbers versions (major * 10 + minor)

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

void write_response_head(std::string& out, int status, unsigned version, const HeaderList& headers,
                         bool keep_alive, std::size_t content_length) {
  out.clear();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  wire::append_json_int(out, status);
  out += ' ';
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    append_field(out, name, value);
  }
  append_field(out, "Server", "llmsim");
  if (version >= kHttp11 && !keep_alive) {
    append_field(out, "Connection", "close");
  } else if (version < kHttp11 && keep_alive) {
    append_field(out, "Connection", "keep-alive");
  }
  out += "Content-Length: ";
  wire::append_json_int(out, static_cast<std::int64_t>(content_length));
  out += "\r\n\r\n";
}

}  // namespace llmsim::mockapi
