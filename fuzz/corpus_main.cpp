// A main for the fuzz harnesses without libFuzzer: runs every file of the folders (or files) named
// on the command line through LLVMFuzzerTestOneInput once, in name order. ctest uses it to replay
// fuzz/corpus/<harness>/ with g++ in the release and sanitize builds, with no fuzzing time. A bug
// is a crash (uncaught exception, abort, sanitizer report), as under libFuzzer.
//
//   fuzz_scenario_replay fuzz/corpus/scenario
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Returns the files named by `argument`: the regular files of a folder (sorted), or the file.
std::vector<std::filesystem::path> inputs(const std::filesystem::path& argument) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(argument)) {
    files.push_back(argument);
    return files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(argument)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const std::filesystem::path& file : inputs(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 2;
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Named first, so the log of a crash ends with the input that caused it.
      std::fprintf(stderr, "%s\n", file.c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++count;
    }
  }
  std::printf("%zu inputs ran without a crash\n", count);
  return count == 0 ? 1 : 0;
}
