// A trace: one row per attempt of a run, as `llmsim load --record` and `llmsim run --record`
// write it and `llmsim calibrate` reads it (CSV, one header line, columns below).
//
// Times are seconds from the start of the run in the scenario's own time (a run at
// `--time-scale K` records scenario seconds, not wall seconds). Against a real endpoint a trace
// is a record of the real API; from the simulator it is filled from the provider's decisions.
// Optional values (no first byte, a header the response did not carry) are empty cells.
//
//   std::ofstream out("trace.csv");
//   out << trace_csv_header();
//   out << trace_csv_line(row);
//   std::vector<TraceRow> rows = read_trace("trace.csv");  // throws TraceError
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace llmsim {

struct TraceRow {
  std::uint64_t request_id = 0;
  std::uint32_t attempt = 0;            // retry number: 0 for the first try
  std::string phase;                    // the workload phase's name
  double intended_s = 0;                // when the attempt was meant to go (arrival or retry due)
  double sent_s = 0;                    // when it went (after pool and CPU waits)
  std::optional<double> first_byte_s;   // first byte of the response (first token when streamed)
  double end_s = 0;                     // last byte, or when the client gave up
  int status = 0;                       // HTTP status; 0 when none came (timeout, connection)
  std::string error;                    // "" or an error category (models/metrics.hpp)
  std::string error_type;               // the error body's type: OpenAI's ("requests", "tokens" ...),
                                        // Anthropic's ("rate_limit_error", "overloaded_error" ...)
  std::string error_code;               // OpenAI's code ("rate_limit_exceeded" ...); Anthropic has none
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  // The rate-limit headers of the response (reset-* as seconds): OpenAI's x-ratelimit-*, or
  // Anthropic's anthropic-ratelimit-requests-* and -tokens-* (input and output combined).
  std::optional<std::int64_t> limit_requests;
  std::optional<std::int64_t> remaining_requests;
  std::optional<double> reset_requests_s;
  std::optional<std::int64_t> limit_tokens;
  std::optional<std::int64_t> remaining_tokens;
  std::optional<double> reset_tokens_s;
  std::optional<double> retry_after_s;  // retry-after-ms, else retry-after
  // Anthropic's anthropic-ratelimit-input-tokens-* and -output-tokens-* (empty for OpenAI).
  std::optional<std::int64_t> limit_input_tokens;
  std::optional<std::int64_t> remaining_input_tokens;
  std::optional<double> reset_input_tokens_s;
  std::optional<std::int64_t> limit_output_tokens;
  std::optional<std::int64_t> remaining_output_tokens;
  std::optional<double> reset_output_tokens_s;
  // Where the attempt went: the scenario provider's name and the index of the key in its api_keys
  // (never the key itself). Empty and 0 in traces written without these columns.
  std::string provider;
  std::uint32_t key_index = 0;
  // The API the provider speaks: "openai" or "anthropic" (scenario_config.hpp's api_name);
  // "openai" in traces written without this column.
  std::string api = "openai";
};

// Returns the header line (column names and a newline).
std::string trace_csv_header();

// Returns one row as a CSV line with a newline; text cells are quoted when they need it.
std::string trace_csv_line(const TraceRow& row);

// Every problem in a trace file, each `FILE:LINE: rule, got VALUE`.
class TraceError : public std::runtime_error {
 public:
  explicit TraceError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Parses trace CSV text; `file` names it in errors. Columns are found by name (order free;
// unknown columns are ignored). Throws TraceError listing every problem: a missing column,
// a cell that is not a number, a row with the wrong number of cells.
std::vector<TraceRow> parse_trace(const std::string& text, const std::string& file);

// Reads and parses a trace file; throws TraceError (also when it cannot be read).
std::vector<TraceRow> read_trace(const std::string& path);

}  // namespace llmsim
