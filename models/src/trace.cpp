// Trace CSV: writing rows and reading them back with every problem named by file and line.
#include "models/trace.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

namespace llmsim {

namespace {

const std::vector<std::string> kColumns = {
    "request_id",     "attempt",          "phase",          "intended_s",
    "sent_s",         "first_byte_s",     "end_s",          "status",
    "error",          "error_type",       "error_code",     "prompt_tokens",
    "completion_tokens", "limit_requests", "remaining_requests", "reset_requests_s",
    "limit_tokens",   "remaining_tokens", "reset_tokens_s", "retry_after_s"};

// Written always, read when present: traces written before routing lack the route columns,
// traces written before the Anthropic API the api and input/output token columns.
const std::vector<std::string> kOptionalColumns = {
    "provider",                "key_index",              "api",
    "limit_input_tokens",      "remaining_input_tokens", "reset_input_tokens_s",
    "limit_output_tokens",     "remaining_output_tokens", "reset_output_tokens_s"};

// Formats seconds with nanosecond resolution (the simulator's clock).
std::string seconds_text(double s) {
  // Sized for the value: a large finite time (the reader takes any, 1e300 too) has over 300
  // digits before the point, and a cut text would read back as another number.
  const int size = std::snprintf(nullptr, 0, "%.9f", s);
  std::string text(static_cast<std::size_t>(size) + 1, '\0');
  std::snprintf(text.data(), text.size(), "%.9f", s);
  text.pop_back();
  return text;
}

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

template <class T>
std::string optional_text(const std::optional<T>& value) {
  if (!value) return "";
  if constexpr (std::is_floating_point_v<T>) {
    return seconds_text(*value);
  } else {
    return std::to_string(*value);
  }
}

// Splits one CSV line into cells (RFC 4180 quoting, no line breaks inside cells).
std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool in_quotes = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// Reads the cells of one data line into a row, adding a problem for each bad cell.
class RowReader {
 public:
  RowReader(const std::map<std::string, std::size_t>& index, const std::vector<std::string>& cells,
            std::string place, std::vector<std::string>& problems)
      : index_(index), cells_(cells), place_(std::move(place)), problems_(problems) {}

  const std::string& text(const std::string& column) const { return cells_[index_.at(column)]; }

  bool has(const std::string& column) const { return index_.contains(column); }

  template <class T>
  std::optional<T> optional_number(const std::string& column) {
    const std::string& cell = text(column);
    if (cell.empty()) return std::nullopt;
    T value{};
    const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    bool is_good = error == std::errc{} && end == cell.data() + cell.size();
    if constexpr (std::is_floating_point_v<T>) is_good = is_good && std::isfinite(value);
    if (!is_good) {
      problems_.push_back(place_ + ": column \"" + column + "\": " +
                          (std::is_floating_point_v<T> ? "must be a number" : "must be an integer") +
                          ", got \"" + cell + "\"");
      return std::nullopt;
    }
    return value;
  }

  template <class T>
  T number(const std::string& column) {
    if (text(column).empty()) {
      problems_.push_back(place_ + ": column \"" + column + "\": must not be empty");
      return T{};
    }
    return optional_number<T>(column).value_or(T{});
  }

 private:
  const std::map<std::string, std::size_t>& index_;
  const std::vector<std::string>& cells_;
  std::string place_;
  std::vector<std::string>& problems_;
};

TraceRow read_row(RowReader& in) {
  TraceRow row;
  row.request_id = in.number<std::uint64_t>("request_id");
  row.attempt = in.number<std::uint32_t>("attempt");
  row.phase = in.text("phase");
  row.intended_s = in.number<double>("intended_s");
  row.sent_s = in.number<double>("sent_s");
  row.first_byte_s = in.optional_number<double>("first_byte_s");
  row.end_s = in.number<double>("end_s");
  row.status = in.number<int>("status");
  row.error = in.text("error");
  row.error_type = in.text("error_type");
  row.error_code = in.text("error_code");
  row.prompt_tokens = in.number<std::int64_t>("prompt_tokens");
  row.completion_tokens = in.number<std::int64_t>("completion_tokens");
  row.limit_requests = in.optional_number<std::int64_t>("limit_requests");
  row.remaining_requests = in.optional_number<std::int64_t>("remaining_requests");
  row.reset_requests_s = in.optional_number<double>("reset_requests_s");
  row.limit_tokens = in.optional_number<std::int64_t>("limit_tokens");
  row.remaining_tokens = in.optional_number<std::int64_t>("remaining_tokens");
  row.reset_tokens_s = in.optional_number<double>("reset_tokens_s");
  row.retry_after_s = in.optional_number<double>("retry_after_s");
  if (in.has("provider")) row.provider = in.text("provider");
  if (in.has("key_index")) row.key_index = in.optional_number<std::uint32_t>("key_index").value_or(0);
  if (in.has("api") && !in.text("api").empty()) row.api = in.text("api");
  const auto optional = [&in]<class T>(const std::string& column, std::optional<T>& field) {
    if (in.has(column)) field = in.optional_number<T>(column);
  };
  optional("limit_input_tokens", row.limit_input_tokens);
  optional("remaining_input_tokens", row.remaining_input_tokens);
  optional("reset_input_tokens_s", row.reset_input_tokens_s);
  optional("limit_output_tokens", row.limit_output_tokens);
  optional("remaining_output_tokens", row.remaining_output_tokens);
  optional("reset_output_tokens_s", row.reset_output_tokens_s);
  return row;
}

std::string without_cr(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::string trace_csv_header() {
  std::string line;
  for (const std::string& column : kColumns) line += (line.empty() ? "" : ",") + column;
  for (const std::string& column : kOptionalColumns) line += "," + column;
  return line + "\n";
}

std::string trace_csv_line(const TraceRow& row) {
  const std::vector<std::string> cells = {
      std::to_string(row.request_id), std::to_string(row.attempt), quoted(row.phase),
      seconds_text(row.intended_s), seconds_text(row.sent_s), optional_text(row.first_byte_s),
      seconds_text(row.end_s), std::to_string(row.status), quoted(row.error), quoted(row.error_type),
      quoted(row.error_code), std::to_string(row.prompt_tokens), std::to_string(row.completion_tokens),
      optional_text(row.limit_requests), optional_text(row.remaining_requests),
      optional_text(row.reset_requests_s), optional_text(row.limit_tokens),
      optional_text(row.remaining_tokens), optional_text(row.reset_tokens_s),
      optional_text(row.retry_after_s), quoted(row.provider), std::to_string(row.key_index),
      quoted(row.api), optional_text(row.limit_input_tokens), optional_text(row.remaining_input_tokens),
      optional_text(row.reset_input_tokens_s), optional_text(row.limit_output_tokens),
      optional_text(row.remaining_output_tokens), optional_text(row.reset_output_tokens_s)};
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + cells[i];
  return line + "\n";
}

TraceError::TraceError(std::vector<std::string> problems)
    : std::runtime_error([&problems] {
        std::string text;
        for (const std::string& p : problems) text += (text.empty() ? "" : "\n") + p;
        return text;
      }()),
      problems_(std::move(problems)) {}

std::vector<TraceRow> parse_trace(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw TraceError({file + ":1: empty file, expected a header line"});
  std::map<std::string, std::size_t> index;
  const std::vector<std::string> header = split_cells(without_cr(line));
  for (std::size_t i = 0; i < header.size(); ++i) index.emplace(header[i], i);
  std::vector<std::string> problems;
  for (const std::string& column : kColumns) {
    if (!index.contains(column)) problems.push_back(file + ":1: missing column \"" + column + "\"");
  }
  if (!problems.empty()) throw TraceError(std::move(problems));

  std::vector<TraceRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    line = without_cr(line);
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_cells(line);
    const std::string place = file + ":" + std::to_string(number);
    if (cells.size() != header.size()) {
      problems.push_back(place + ": expected " + std::to_string(header.size()) + " cells, got " +
                         std::to_string(cells.size()));
      continue;
    }
    RowReader reader(index, cells, place, problems);
    rows.push_back(read_row(reader));
  }
  if (!problems.empty()) throw TraceError(std::move(problems));
  return rows;
}

std::vector<TraceRow> read_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  // ifstream leaves errno as open(2) set it: the reason, as scenario files give it.
  if (!in) throw TraceError({path + ": cannot read: " + std::strerror(errno)});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_trace(text.str(), path);
}

}  // namespace llmsim
