// A vector that grows by fixed chunks: elements never move, growing never copies, and at most one
// chunk is allocated but unused. The client model keeps its users in one, so a burst of millions
// of users costs their own bytes and no more: a std::vector would copy itself at each doubling
// and hold old and new arrays at once (one and a half times its size at the peak).
//
//   ChunkedVector<User> users;
//   users.emplace_back();   // value-initialised
//   users[0].phase = 1;
#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>
#include <vector>

namespace llmsim {

template <class T, std::size_t kChunk = 4096>
class ChunkedVector {
  static_assert((kChunk & (kChunk - 1)) == 0, "a power of two: indexing is a shift and a mask");

 public:
  explicit ChunkedVector(std::pmr::memory_resource* memory = std::pmr::new_delete_resource())
      : memory_(memory) {}
  ~ChunkedVector() {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* chunk : chunks_) memory_->deallocate(chunk, sizeof(T) * kChunk, alignof(T));
  }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;

  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Appends a value-initialised element and returns it.
  T& emplace_back() {
    if (size_ % kChunk == 0) {
      chunks_.push_back(static_cast<T*>(memory_->allocate(sizeof(T) * kChunk, alignof(T))));
    }
    T* element = ::new (chunks_[size_ / kChunk] + size_ % kChunk) T();
    ++size_;
    return *element;
  }

 private:
  std::pmr::memory_resource* memory_;
  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace llmsim
