// Temporary, for merging only: the JSON text helpers moved to wire/json_text.hpp (llmsim::wire);
// this forwards the names into llmsim::mockapi for branches written against the old place. The
// lead removes it after the merges.
#pragma once

#include "wire/json_text.hpp"

namespace llmsim::mockapi {
using wire::append_json_int;
using wire::append_json_string;
using wire::append_json_string_lossy;
using wire::valid_utf8;
}  // namespace llmsim::mockapi
