// Writing a command's output file (see app/output_file.hpp).
#include "app/output_file.hpp"

#include <fstream>
#include <iostream>

namespace llmsim {

bool write_output(const std::string& path, std::string_view text, std::string_view what) {
  if (path == "-") {
    std::cout << text << std::flush;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << path << ": cannot write the " << what << "\n";
  return static_cast<bool>(out);
}

}  // namespace llmsim
