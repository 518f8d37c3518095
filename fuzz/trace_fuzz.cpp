// Fuzzes the trace reader (parse_trace, what read_trace does after reading the file). A TraceError
// naming at least one problem is a fine answer. Rows that parse must survive a round trip: written
// with trace_csv_line and read back, they are read without error and written as the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "models/trace.hpp"

namespace {

std::string csv_of(const std::vector<llmsim::TraceRow>& rows) {
  std::string text = llmsim::trace_csv_header();
  for (const llmsim::TraceRow& row : rows) text += llmsim::trace_csv_line(row);
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<llmsim::TraceRow> rows;
  try {
    rows = llmsim::parse_trace(text, "fuzz.csv");
  } catch (const llmsim::TraceError& error) {
    LLMSIM_FUZZ_CHECK(!error.problems().empty(), "a TraceError with no problem");
    return 0;
  }
  const std::string written = csv_of(rows);
  std::vector<llmsim::TraceRow> again;
  try {
    again = llmsim::parse_trace(written, "fuzz.csv");
  } catch (const llmsim::TraceError&) {
    LLMSIM_FUZZ_CHECK(false, "rows the reader accepted, once written, are refused");
  }
  LLMSIM_FUZZ_CHECK(again.size() == rows.size(), "the round trip changed the number of rows");
  LLMSIM_FUZZ_CHECK(csv_of(again) == written, "the round trip changed the text");
  return 0;
}
