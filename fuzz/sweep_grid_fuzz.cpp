// Fuzzes the sweep-grid loader. load_sweep_grid reads a file (it resolves "base" from the grid's
// folder), so each input is written to GRID_DIR/sweeps/grid.json in a temporary folder whose
// `scenarios` links to the source tree's data/scenarios: the grids of data/sweeps (the seed
// corpus) find their base scenarios as they do in the tree. A ScenarioError is a fine answer.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>


#include "fuzz_check.hpp"
#include "models/sweep_grid.hpp"

namespace {

// Returns the grid file's path, making the temporary folder the first time.
const std::string& grid_path() {
  static const std::string path = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "llmsim-fuzz-XXXXXX").string();
    LLMSIM_FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "cannot make a temporary folder");
    const std::filesystem::path root(pattern);
    std::filesystem::create_directory(root / "sweeps");
    std::filesystem::create_directory_symlink(LLMSIM_SOURCE_DIR "/data/scenarios", root / "scenarios");
    // Removed at exit; a crash leaves it in the temporary folder.
    static const std::filesystem::path to_remove = root;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(to_remove, ignored);
    });
    return (root / "sweeps" / "grid.json").string();
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = grid_path();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    LLMSIM_FUZZ_CHECK(out.good(), "cannot write the grid file");
  }
  try {
    const llmsim::SweepGrid grid = llmsim::load_sweep_grid(path);
    LLMSIM_FUZZ_CHECK(!grid.points.empty(), "a grid with no point");
    LLMSIM_FUZZ_CHECK(grid.points.size() <= llmsim::kMaxSweepPoints, "too many points");
    for (std::size_t i = 0; i < grid.points.size(); ++i) {
      const llmsim::SweepPoint& point = grid.points[i];
      LLMSIM_FUZZ_CHECK(point.index == i, "points out of order");
      LLMSIM_FUZZ_CHECK(point.axis_values.size() == grid.axes.size(), "a point without every axis");
      for (const std::string& value : point.axis_values) (void)llmsim::sweep_value_text(value);
    }
  } catch (const llmsim::ScenarioError& error) {
    LLMSIM_FUZZ_CHECK(!error.problems().empty(), "a ScenarioError with no problem");
  }
  return 0;
}
