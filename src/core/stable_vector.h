// A sequence that grows at its end, kept in chunks of 2^kShift elements
// that never move: an element's address holds for the container's life,
// and growing copies nothing.
//
// For the zone's tables that grow with every command (declarations, the
// command index): a std::vector doubles, copying every element into fresh
// memory and holding both copies for a moment, and this VM's host takes
// seconds to supply fresh memory (docs/architecture.md, "Memory").
//
// A table that has filled its first chunk will fill more: from the second
// on, a chunk's pages are supplied in one call before its elements are
// made (core/populate.h), not one fault at a time as they are written.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <vector>

#include "core/populate.h"

namespace zg {

template <class T, size_t kShift>
class StableVector {
 public:
  static constexpr size_t kChunkElements = size_t{1} << kShift;

  // A random-access iterator: a position in the sequence.
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    const_iterator(const StableVector* v, size_t at) : v_(v), at_(at) {}
    reference operator*() const { return (*v_)[at_]; }
    pointer operator->() const { return &(*v_)[at_]; }
    reference operator[](difference_type n) const { return *(*this + n); }
    const_iterator& operator++() { return ++at_, *this; }
    const_iterator operator++(int) { return const_iterator(v_, at_++); }
    const_iterator& operator--() { return --at_, *this; }
    const_iterator operator--(int) { return const_iterator(v_, at_--); }
    const_iterator& operator+=(difference_type n) {
      at_ = static_cast<size_t>(static_cast<difference_type>(at_) + n);
      return *this;
    }
    const_iterator& operator-=(difference_type n) { return *this += -n; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.at_) - static_cast<difference_type>(b.at_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.at_ == b.at_;
    }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) {
      return a.at_ <=> b.at_;
    }

   private:
    const StableVector* v_ = nullptr;
    size_t at_ = 0;
  };

  // Appends an element and returns it, default-initialized (as its chunk
  // was made: a class's member initializers, nothing for plain data).
  T& emplace_back() {
    if (size_ == chunks_.size() << kShift) add_chunk();
    const size_t at = size_++;
    return (*this)[at];
  }
  void push_back(const T& value) { emplace_back() = value; }

  T& operator[](size_t i) { return chunks_[i >> kShift].get()[i & (kChunkElements - 1)]; }
  const T& operator[](size_t i) const {
    return chunks_[i >> kShift].get()[i & (kChunkElements - 1)];
  }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }
  // Room for `n` elements' chunk pointers (the chunks come as elements do).
  void reserve(size_t n) { chunks_.reserve((n + kChunkElements - 1) >> kShift); }

 private:
  // Destroys a chunk's elements and gives back its memory.
  struct ChunkDeleter {
    void operator()(T* elements) const {
      std::destroy_n(elements, kChunkElements);
      ::operator delete (static_cast<void*>(elements), std::align_val_t{alignof(T)});
    }
  };
  using Chunk = std::unique_ptr<T, ChunkDeleter>;

  void add_chunk() {
    chunks_.reserve(chunks_.size() + 1);  // so that nothing below leaks when it throws
    void* memory = ::operator new (sizeof(T) * kChunkElements, std::align_val_t{alignof(T)});
    if (!chunks_.empty()) populate_for_writing(memory, sizeof(T) * kChunkElements);
    T* elements = static_cast<T*>(memory);
    try {
      // Default-initialized, as std::make_unique_for_overwrite<T[]> makes them.
      std::uninitialized_default_construct_n(elements, kChunkElements);
    } catch (...) {
      ::operator delete (memory, std::align_val_t{alignof(T)});
      throw;
    }
    chunks_.emplace_back(elements);
  }

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace zg
