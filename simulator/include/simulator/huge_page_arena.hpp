// Memory for the client model's big arrays (its users, its requests, the waiting line): regions
// mapped from the kernel at 2 MiB boundaries and advised as transparent huge pages
// (madvise MADV_HUGEPAGE), handed out in order and given back all at once when the arena goes.
//
// Why: a burst of N users touches about 60 N bytes once, and each 4 KiB page touched the first
// time is a page fault. On the virtual machines this project runs on a fault costs about 23 us
// (8 MB touched took 47 ms in 4 KiB pages and 0.6 ms in huge pages; bench/README.md), so at
// 100,000 users the faults took half of the run. A huge page is one fault for 2 MiB. Where the
// kernel gives no huge page (THP off, or none free), the regions are plain memory and only
// the faults stay.
//
// Monotonic: deallocate() gives nothing back before the arena goes, so what is freed and
// allocated again (the waiting line's blocks) goes through a pool on top of it:
//
//   HugePageArena arena;
//   std::pmr::unsynchronized_pool_resource pool{&arena};   // recycles freed blocks
//   std::pmr::deque<Entry> line{&pool};
//
// Under AddressSanitizer the arena takes each allocation from operator new and frees them all with
// the arena, so the sanitizer still sees every block's bounds.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define LLMSIM_ARENA_USES_NEW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LLMSIM_ARENA_USES_NEW 1
#endif
#endif

#include <cstddef>
#include <memory_resource>
#include <vector>

namespace llmsim {

class HugePageArena final : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;  // x86-64's and arm64's 2 MiB
  // Regions start at one huge page and double up to this; a bigger allocation gets its own.
  static constexpr std::size_t kMaxRegion = std::size_t{64} << 20;
#ifdef LLMSIM_ARENA_USES_NEW
  static constexpr bool kMapsRegions = false;  // AddressSanitizer: each block from operator new
#else
  static constexpr bool kMapsRegions = true;
#endif

  HugePageArena() = default;
  ~HugePageArena() override;
  HugePageArena(const HugePageArena&) = delete;
  HugePageArena& operator=(const HugePageArena&) = delete;

  // Returns the bytes the arena has mapped (or taken from operator new) so far.
  std::size_t reserved_bytes() const { return reserved_; }

 private:
  struct Region {
    void* base;
    std::size_t size;
    std::size_t alignment;  // under AddressSanitizer, what operator new was given
  };

  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  // Nothing is given back before the arena goes: the regions are unmapped together.
  void do_deallocate(void*, std::size_t, std::size_t) override {}
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  // Maps a region of at least `bytes` (a multiple of kHugePage, aligned to it) and makes it the
  // one allocations come from.
  void map_region(std::size_t bytes);

  std::vector<Region> regions_;
  std::byte* next_ = nullptr;  // the current region's first free byte
  std::byte* end_ = nullptr;
  std::size_t next_region_ = kHugePage;
  std::size_t reserved_ = 0;
};

}  // namespace llmsim
