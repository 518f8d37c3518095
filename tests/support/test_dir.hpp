// A folder of the running test's own, under the build tree: ctest runs the tests of one program
// in parallel, so tests that write files must not share one.
//
//   const std::string dir = llmsim::test_dir("sweep");  // build/.../tests/sweep/Suite.Name/
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace llmsim {

// Returns LLMSIM_BINARY_DIR/tests/AREA/SUITE.NAME/ (slashes of parameterised names replaced),
// created if missing.
inline std::string test_dir(const std::string& area) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const std::string dir = LLMSIM_BINARY_DIR "/tests/" + area + "/" + name + "/";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace llmsim
