// What a fuzz harness counts as a bug: a broken invariant stops the run with a message (libFuzzer
// and the corpus replay both report an abort as a crash and keep the input).
//
//   LLMSIM_FUZZ_CHECK(fast->n == dom->n, "the quick scan and the DOM path disagree on n");
#pragma once

#include <cstdio>
#include <cstdlib>

namespace llmsim::fuzz {

// Prints the broken invariant and aborts.
[[noreturn]] inline void fail(const char* condition, const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s (%s)\n", file, line, what, condition);
  std::abort();
}

}  // namespace llmsim::fuzz

#define LLMSIM_FUZZ_CHECK(condition, what)                                  \
  do {                                                                      \
    if (!(condition)) ::llmsim::fuzz::fail(#condition, what, __FILE__, __LINE__); \
  } while (false)
