// The status line and header block of a response, written into a string by hand.
//
// Byte for byte what Boost.Beast's serializer writes for an http::response whose fields were set
// one by one from `headers`, then `Server: llmsim`, keep_alive(keep_alive) and, with a body,
// prepare_payload(): "HTTP/1.1 200 OK\r\n", each "name: value\r\n" in order, "Server: llmsim",
// "Connection: close" (HTTP/1.1 not kept alive) or "Connection: keep-alive" (HTTP/1.0 kept
// alive), "Content-Length: N", then the empty line. The server sends it and the body with one
// gather write, without building Beast's field container (an allocation per field) for every
// response. Header names must be distinct, as a plan's are.
//
//   std::string head;
//   write_response_head(head, 200, 11, plan.headers, /*keep_alive=*/true, plan.body.size());
//   // "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n...Content-Length: 631\r\n\r\n"
#pragma once

#include <cstddef>
#include <string>

#include "mockapi/router.hpp"

namespace llmsim::mockapi {

// Replaces `out` with the head of a response with `status`, HTTP `version` (10 or 11),
// `headers`, the keep-alive choice and a body of `content_length` bytes.
void write_response_head(std::string& out, int status, unsigned version, const HeaderList& headers,
                         bool keep_alive, std::size_t content_length);

}  // namespace llmsim::mockapi
