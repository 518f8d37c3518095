// Regions advised as transparent huge pages. See huge_page_arena.hpp.
#include "simulator/huge_page_arena.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>

namespace llmsim {

HugePageArena::~HugePageArena() {
  for (const Region& region : regions_) {
#ifdef LLMSIM_ARENA_USES_NEW
    ::operator delete(region.base, region.size, std::align_val_t{region.alignment});
#else
    ::munmap(region.base, region.size);
#endif
  }
}

void* HugePageArena::do_allocate(std::size_t bytes, std::size_t alignment) {
#ifdef LLMSIM_ARENA_USES_NEW
  // Each allocation on its own, so that the sanitizer knows its bounds.
  const std::size_t size = std::max<std::size_t>(bytes, 1);
  void* block = ::operator new(size, std::align_val_t{alignment});
  regions_.push_back({block, size, alignment});
  reserved_ += size;
  return block;
#else
  auto aligned = [&]() -> std::byte* {
    if (next_ == nullptr) return nullptr;
    const auto at = reinterpret_cast<std::uintptr_t>(next_);
    const std::uintptr_t start = (at + alignment - 1) & ~(static_cast<std::uintptr_t>(alignment) - 1);
    if (start + bytes > reinterpret_cast<std::uintptr_t>(end_)) return nullptr;
    return next_ + (start - at);
  };
  std::byte* block = aligned();
  if (block == nullptr) {
    const std::size_t needed = (bytes + alignment + kHugePage - 1) / kHugePage * kHugePage;
    map_region(std::max(next_region_, needed));
    next_region_ = std::min(next_region_ * 2, kMaxRegion);
    block = aligned();
  }
  next_ = block + bytes;
  return block;
#endif
}

void HugePageArena::map_region(std::size_t bytes) {
  // Map a huge page more than needed, then cut the ends so that the region starts and ends on
  // huge-page boundaries: only whole aligned 2 MiB ranges can be huge pages.
  const std::size_t mapped = bytes + kHugePage;
  void* raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto at = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t start = (at + kHugePage - 1) & ~(static_cast<std::uintptr_t>(kHugePage) - 1);
  const std::size_t head = start - at;
  if (head > 0) ::munmap(raw, head);
  const std::size_t tail = mapped - head - bytes;
  if (tail > 0) ::munmap(reinterpret_cast<void*>(start + bytes), tail);
  auto* base = reinterpret_cast<std::byte*>(start);
#ifdef MADV_HUGEPAGE
  // Advice only: where the kernel has THP off, the region stays in 4 KiB pages.
  ::madvise(base, bytes, MADV_HUGEPAGE);
#endif
  regions_.push_back({base, bytes, kHugePage});
  reserved_ += bytes;
  next_ = base;
  end_ = base + bytes;
}

}  // namespace llmsim
