// Temporary, for merging only: the error catalogue moved to wire/openai_errors.hpp (llmsim::wire).
// This forwards its names into llmsim::mockapi for branches written against the old place; the
// lead removes it after the merges. New code includes wire/openai_errors.hpp.
#pragma once

#include "wire/openai_errors.hpp"

namespace llmsim::mockapi {
using wire::ApiError;
using wire::body_not_object;
using wire::body_too_large;
using wire::array_above_max_length;
using wire::empty_array;
using wire::error_json;
using wire::header_too_large;
using wire::integer_above_maximum;
using wire::integer_below_minimum;
using wire::invalid_admin_token;
using wire::invalid_api_key;
using wire::invalid_embedding_input;
using wire::invalid_json;
using wire::invalid_type;
using wire::invalid_url;
using wire::invalid_value;
using wire::malformed_http;
using wire::mask_key;
using wire::missing_api_key;
using wire::missing_host;
using wire::missing_model;
using wire::missing_parameter;
using wire::model_not_found;
using wire::overloaded;
using wire::quota_exhausted;
using wire::top_logprobs_without_logprobs;
using wire::rate_limited;
using wire::request_timeout;
using wire::request_too_large;
using wire::server_error;
using wire::too_many_keys;
using wire::unknown_fault;
using wire::unsupported_parameter;
using wire::previous_response_not_found;
using wire::unsupported_transfer_coding;
}  // namespace llmsim::mockapi
