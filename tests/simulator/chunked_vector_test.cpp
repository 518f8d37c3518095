#include "simulator/chunked_vector.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory_resource>

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

// Counts what a ChunkedVector takes from and gives back to its memory resource.
class CountingResource final : public std::pmr::memory_resource {
 public:
  int live = 0;
  int allocations = 0;
  std::size_t last_bytes = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    ++live;
    ++allocations;
    last_bytes = bytes;
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    --live;
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

struct Counted {
  static inline int alive = 0;
  std::uint64_t value = 0;
  Counted() { ++alive; }
  ~Counted() { --alive; }
};

TEST(ChunkedVector, TakesAChunkAtATimeFromItsMemoryAndGivesEveryOneBack) {
  CountingResource memory;
  {
    ChunkedVector<Counted, 8> values{&memory};
    for (int i = 0; i < 17; ++i) values.emplace_back().value = static_cast<std::uint64_t>(i);
    EXPECT_EQ(memory.allocations, 3);  // 8 + 8 + 1
    EXPECT_EQ(memory.last_bytes, 8 * sizeof(Counted));
    EXPECT_EQ(Counted::alive, 17);     // built one by one as appended, not a chunk at a time
    EXPECT_EQ(values[16].value, 16U);
  }
  EXPECT_EQ(Counted::alive, 0);
  EXPECT_EQ(memory.live, 0);
}

}  // namespace
}  // namespace llmsim
