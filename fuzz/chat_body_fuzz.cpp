// Fuzzes the chat-body parsers: the quick scan (try_parse_chat_fast) against the DOM path
// (parse_chat_request_dom), the reference it must agree with whenever it answers, and
// parse_chat_request, which combines them. The completions and embeddings parsers read the same
// bytes. A RequestError (OpenAI's 400) is a fine answer; anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.hpp"
#include "mockapi/chat_fast_parser.hpp"
#include "mockapi/request_parser.hpp"

namespace {

using llmsim::mockapi::GenerationParams;
using llmsim::mockapi::RequestError;

// Returns what `parse` makes of the body, or nullopt for OpenAI's 400.
template <class Parse>
auto result_of(Parse parse, std::string_view body) -> std::optional<decltype(parse(body))> {
  try {
    return parse(body);
  } catch (const RequestError& error) {
    LLMSIM_FUZZ_CHECK(error.error().status == 400, "a RequestError that is not a 400");
    return std::nullopt;
  }
}

void expect_same(const GenerationParams& a, const GenerationParams& b) {
  LLMSIM_FUZZ_CHECK(a.model == b.model, "model");
  LLMSIM_FUZZ_CHECK(a.prompt_tokens == b.prompt_tokens, "prompt_tokens");
  LLMSIM_FUZZ_CHECK(a.max_tokens == b.max_tokens, "max_tokens");
  LLMSIM_FUZZ_CHECK(a.n == b.n, "n");
  LLMSIM_FUZZ_CHECK(a.stream == b.stream, "stream");
  LLMSIM_FUZZ_CHECK(a.include_usage == b.include_usage, "include_usage");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace llmsim::mockapi;
  const std::optional<GenerationParams> fast = try_parse_chat_fast(body);
  const auto dom = result_of([](std::string_view b) { return parse_chat_request_dom(b); }, body);
  const auto combined = result_of([](std::string_view b) { return parse_chat_request(b); }, body);
  if (fast) {
    LLMSIM_FUZZ_CHECK(dom.has_value(), "the quick scan accepted a body the DOM path refuses");
    expect_same(*fast, *dom);
  }
  LLMSIM_FUZZ_CHECK(combined.has_value() == dom.has_value(),
                    "parse_chat_request and the DOM path disagree on refusing");
  if (combined) expect_same(*combined, *dom);
  if (dom) {
    LLMSIM_FUZZ_CHECK(dom->n >= 1 && dom->n <= kMaxChoices, "n out of range");
    LLMSIM_FUZZ_CHECK(dom->prompt_tokens >= 0, "negative prompt_tokens");
  }
  (void)result_of([](std::string_view b) { return parse_completion_request(b); }, body);
  (void)result_of([](std::string_view b) { return parse_embedding_request(b); }, body);
  return 0;
}
