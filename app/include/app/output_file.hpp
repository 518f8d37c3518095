// Writing a command's output file: the one rule every llmsim command follows for --json, --csv,
// --html, --jsonl, --timeline-csv and the like. "-" means standard output; a file that cannot be
// written is named on stderr with what it was meant to hold, and the command exits 2.
//
//   if (!write_output(flags.json_path, to_json(report), "report")) return 2;
//   // on failure, stderr: "out/x.json: cannot write the report"
#pragma once

#include <string>
#include <string_view>

namespace llmsim {

// Writes `text` to `path` ("-": standard output); returns false after saying on stderr
// "PATH: cannot write the WHAT" when it cannot.
bool write_output(const std::string& path, std::string_view text, std::string_view what);

}  // namespace llmsim
