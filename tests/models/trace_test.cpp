// Trace CSV: rows written and read back unchanged; bad files named by file and line.
#include "models/trace.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmsim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TraceRow full_row() {
  TraceRow row;
  row.request_id = 42;
  row.attempt = 2;
  row.phase = "burst, \"big\"";  // needs quoting
  row.intended_s = 1.5;
  row.sent_s = 1.75;
  row.first_byte_s = 2.125;
  row.end_s = 3.000000001;
  row.status = 429;
  row.error = "rate_limit_requests";
  row.error_type = "requests";
  row.error_code = "rate_limit_exceeded";
  row.prompt_tokens = 30;
  row.completion_tokens = 0;
  row.limit_requests = 500;
  row.remaining_requests = 0;
  row.reset_requests_s = 0.12;
  row.provider = "backup";
  row.key_index = 1;
  row.retry_after_s = 1;
  return row;
}

TEST(Trace, RowsRoundTrip) {
  const TraceRow row = full_row();
  TraceRow empty;  // every optional cell empty
  empty.request_id = 7;
  const std::string text = trace_csv_header() + trace_csv_line(row) + trace_csv_line(empty);
  const std::vector<TraceRow> rows = parse_trace(text, "t.csv");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].phase, row.phase);
  EXPECT_EQ(rows[0].request_id, 42U);
  EXPECT_EQ(rows[0].attempt, 2U);
  EXPECT_DOUBLE_EQ(rows[0].end_s, 3.000000001);
  EXPECT_EQ(rows[0].first_byte_s, 2.125);
  EXPECT_EQ(rows[0].status, 429);
  EXPECT_EQ(rows[0].error_code, "rate_limit_exceeded");
  EXPECT_EQ(rows[0].limit_requests, 500);
  EXPECT_EQ(rows[0].remaining_requests, 0);
  EXPECT_EQ(rows[0].reset_requests_s, 0.12);
  EXPECT_FALSE(rows[0].limit_tokens);
  EXPECT_EQ(rows[0].retry_after_s, 1.0);
  EXPECT_FALSE(rows[1].first_byte_s);
  EXPECT_FALSE(rows[1].retry_after_s);
  EXPECT_EQ(rows[0].provider, "backup");
  EXPECT_EQ(rows[0].key_index, 1U);
  // Written again, the rows are the same text.
  EXPECT_EQ(trace_csv_line(rows[0]) + trace_csv_line(rows[1]), trace_csv_line(row) + trace_csv_line(empty));
}

// Found by fuzz/trace_fuzz.cpp: seconds were written into 48 bytes, so a large time the reader
// accepts (1e300) came back cut, as another number.
TEST(Trace, LargeSecondsRoundTrip) {
  TraceRow row;
  row.intended_s = 1e300;
  row.sent_s = -1.7976931348623157e308;
  row.retry_after_s = 1e40;
  const auto rows = parse_trace(trace_csv_header() + trace_csv_line(row), "t.csv");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].intended_s, 1e300);
  EXPECT_EQ(rows[0].sent_s, -1.7976931348623157e308);
  EXPECT_EQ(rows[0].retry_after_s, 1e40);
  EXPECT_EQ(trace_csv_line(rows[0]), trace_csv_line(row));
}

TEST(Trace, ColumnsAreFoundByNameAndCrlfIsAccepted) {
  std::string header = trace_csv_header();
  header.insert(0, "extra,");
  std::string line = trace_csv_line(full_row());
  line.insert(0, "ignored,");
  line.insert(line.size() - 1, "\r");
  const auto rows = parse_trace(header + line, "t.csv");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].request_id, 42U);
  EXPECT_EQ(rows[0].retry_after_s, 1.0);
}

// Traces written before the provider and key_index columns still read, as the first provider's.
TEST(Trace, RouteColumnsAreOptional) {
  // A trace of that time: the columns up to retry_after_s (the api columns came later still).
  std::string header = trace_csv_header();
  header = header.substr(0, header.find(",provider,key_index")) + "\n";
  std::string line = trace_csv_line(full_row());
  line = line.substr(0, line.find(",backup,1,")) + "\n";
  const auto rows = parse_trace(header + line, "t.csv");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].retry_after_s, 1.0);
  EXPECT_EQ(rows[0].provider, "");
  EXPECT_EQ(rows[0].key_index, 0U);
  EXPECT_EQ(rows[0].api, "openai");
}

// An Anthropic row: the api and the input/output-token headers round trip.
TEST(Trace, AnthropicColumnsRoundTrip) {
  TraceRow row = full_row();
  row.api = "anthropic";
  row.limit_input_tokens = 30000;
  row.remaining_input_tokens = 29000;
  row.reset_input_tokens_s = 1.25;
  row.limit_output_tokens = 2000;
  row.remaining_output_tokens = 0;
  row.reset_output_tokens_s = 3.5;
  const auto rows = parse_trace(trace_csv_header() + trace_csv_line(row), "t.csv");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].api, "anthropic");
  EXPECT_EQ(rows[0].limit_input_tokens, 30000);
  EXPECT_EQ(rows[0].remaining_input_tokens, 29000);
  EXPECT_EQ(rows[0].reset_input_tokens_s, 1.25);
  EXPECT_EQ(rows[0].limit_output_tokens, 2000);
  EXPECT_EQ(rows[0].remaining_output_tokens, 0);
  EXPECT_EQ(rows[0].reset_output_tokens_s, 3.5);
  EXPECT_EQ(trace_csv_line(rows[0]), trace_csv_line(row));
}

// Traces written before the api and input/output-token columns read as OpenAI's.
TEST(Trace, ApiColumnsAreOptional) {
  const std::string header = trace_csv_header();
  const std::size_t cut = header.find(",api,");
  ASSERT_NE(cut, std::string::npos);
  const std::string line = trace_csv_line(full_row());
  // The api and the six token columns are the last seven cells.
  std::size_t end = line.size();
  for (int i = 0; i < 7; ++i) end = line.rfind(',', end - 1);
  const auto rows = parse_trace(header.substr(0, cut) + "\n" + line.substr(0, end) + "\n", "t.csv");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].api, "openai");
  EXPECT_EQ(rows[0].provider, "backup");
  EXPECT_FALSE(rows[0].limit_input_tokens);
  EXPECT_FALSE(rows[0].limit_output_tokens);
}

TEST(Trace, MissingColumnsAreNamedOnLineOne) {
  std::string header = trace_csv_header();
  header.replace(header.find(",end_s"), 6, "");
  header.replace(header.find(",status"), 7, "");
  try {
    parse_trace(header, "t.csv");
    FAIL() << "expected TraceError";
  } catch (const TraceError& error) {
    EXPECT_THAT(error.problems(), ElementsAre("t.csv:1: missing column \"end_s\"",
                                              "t.csv:1: missing column \"status\""));
  }
}

TEST(Trace, BadCellsAreNamedByLineAndColumn) {
  std::string bad_number = trace_csv_line(full_row());
  bad_number.replace(bad_number.find("3.000000001"), 11, "three");
  std::string bad_integer = trace_csv_line(full_row());
  bad_integer.replace(0, 2, "4x");
  const std::string text = trace_csv_header() + trace_csv_line(full_row()) + bad_number + "1,2,3\n" + bad_integer;
  try {
    parse_trace(text, "t.csv");
    FAIL() << "expected TraceError";
  } catch (const TraceError& error) {
    EXPECT_THAT(error.problems(),
                ElementsAre("t.csv:3: column \"end_s\": must be a number, got \"three\"",
                            "t.csv:4: expected 29 cells, got 3",
                            "t.csv:5: column \"request_id\": must be an integer, got \"4x\""));
  }
}

TEST(Trace, EmptyRequiredCellAndUnreadableFile) {
  TraceRow row = full_row();
  std::string line = trace_csv_line(row);
  line.replace(line.find("429"), 3, "");
  EXPECT_THROW(
      {
        try {
          parse_trace(trace_csv_header() + line, "t.csv");
        } catch (const TraceError& error) {
          EXPECT_THAT(error.what(), HasSubstr("t.csv:2: column \"status\": must not be empty"));
          throw;
        }
      },
      TraceError);
  EXPECT_THROW(read_trace("/no/such/trace.csv"), TraceError);
  EXPECT_THROW(parse_trace("", "e.csv"), TraceError);
}

}  // namespace
}  // namespace llmsim
