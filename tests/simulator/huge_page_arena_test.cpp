#include "simulator/huge_page_arena.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory_resource>
#include <sstream>
#include <string>
#include <vector>


namespace llmsim {
namespace {

bool is_aligned(const void* p, std::size_t alignment) {
  return reinterpret_cast<std::uintptr_t>(p) % alignment == 0;
}

TEST(HugePageArena, GivesAlignedDistinctWritableBlocksOfEverySize) {
  HugePageArena arena;
  struct Block {
    std::byte* at;
    std::size_t size;
  };
  std::vector<Block> blocks;
  const std::size_t sizes[] = {1, 7, 16, 40, 4096, 163840, 3 << 20, 70 << 20};  // the last > a region
  const std::size_t alignments[] = {1, 8, 16, 64, 4096};
  std::size_t asked = 0;
  for (std::size_t size : sizes) {
    for (std::size_t alignment : alignments) {
      auto* at = static_cast<std::byte*>(arena.allocate(size, alignment));
      ASSERT_NE(at, nullptr);
      EXPECT_TRUE(is_aligned(at, alignment)) << size << " at " << alignment;
      // Writable: every byte of the small blocks, the first and last pages of the big ones.
      const int mark = static_cast<int>(blocks.size() & 0xff);
      const std::size_t end = std::min<std::size_t>(size, 4096);
      std::memset(at, mark, end);
      std::memset(at + size - end, mark, end);
      blocks.push_back({at, size});
      asked += size;
    }
  }
  // No two blocks overlap, and each still holds what was written into it.
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].at[0], static_cast<std::byte>(i & 0xff)) << i;
    EXPECT_EQ(blocks[i].at[blocks[i].size - 1], static_cast<std::byte>(i & 0xff)) << i;
    for (std::size_t j = i + 1; j < blocks.size(); ++j) {
      const bool apart = blocks[i].at + blocks[i].size <= blocks[j].at || blocks[j].at + blocks[j].size <= blocks[i].at;
      EXPECT_TRUE(apart) << i << " and " << j;
    }
  }
  EXPECT_GE(arena.reserved_bytes(), asked);
}

// Returns the VmFlags of the mapping of /proc/self/smaps that holds `p` ("" when none does).
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-') {
      inside = from <= at && at < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(HugePageArena, RegionsStartOnHugePagesAndAreAdvisedAsHugePages) {
  if (!HugePageArena::kMapsRegions) GTEST_SKIP() << "under AddressSanitizer every block comes from operator new";
  HugePageArena arena;
  void* first = arena.allocate(64, 64);
  EXPECT_TRUE(is_aligned(first, HugePageArena::kHugePage));  // a new region's first block
  EXPECT_EQ(arena.reserved_bytes() % HugePageArena::kHugePage, 0U);
  // Regions double: after 2 MiB the next is 4 MiB, so 3 MiB more takes one region more.
  EXPECT_NE(arena.allocate(3 << 20, 64), nullptr);
  EXPECT_EQ(arena.reserved_bytes(), 3 * HugePageArena::kHugePage);
#ifdef MADV_HUGEPAGE
  // The kernel marks a range advised with MADV_HUGEPAGE "hg" in its VmFlags (proc(5)).
  const std::string flags = vm_flags_of(first);
  ASSERT_FALSE(flags.empty());
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
#endif
}

TEST(HugePageArena, APoolOnTopRecyclesWhatALineFreesSoItDoesNotGrow) {
  // The waiting line's blocks: a million entries through a line that never holds more than
  // 1,000 take no more memory than 1,000 do.
  HugePageArena arena;
  std::pmr::unsynchronized_pool_resource pool{&arena};
  std::pmr::deque<std::uint64_t> line{&pool};
  for (std::uint64_t i = 0; i < 1000; ++i) line.push_back(i);
  const std::size_t after_first_thousand = arena.reserved_bytes();
  for (std::uint64_t i = 1000; i < 1'000'000; ++i) {
    ASSERT_EQ(line.front(), i - 1000);
    line.pop_front();
    line.push_back(i);
  }
  EXPECT_EQ(line.size(), 1000U);
  EXPECT_EQ(arena.reserved_bytes(), after_first_thousand);
}

}  // namespace
}  // namespace llmsim
