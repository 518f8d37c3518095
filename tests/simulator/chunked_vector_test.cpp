#include "simulator/chunked_vector.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

namespace llmsim {
namespace {

TEST(ChunkedVector, AppendsValueInitialisedElementsAcrossChunks) {
  ChunkedVector<std::uint64_t, 4> values;
  EXPECT_TRUE(values.empty());
  for (std::uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(values.emplace_back(), 0U);  // value-initialised, in a fresh or a started chunk
    values[i] = i * 7;
  }
  EXPECT_EQ(values.size(), 10U);
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(values[i], i * 7) << i;
}

TEST(ChunkedVector, ElementsNeverMove) {
  ChunkedVector<int, 2> values;
  int* first = &values.emplace_back();
  for (int i = 0; i < 100; ++i) values.emplace_back();
  EXPECT_EQ(first, &values[0]);
  const auto& view = values;
  EXPECT_EQ(&view[0], first);
}

}  // namespace
}  // namespace llmsim
