// A fixed-size array of zeroed plain elements for a table read at random,
// such as a hash table's slots. A large one gets memory of its own with
// transparent huge pages asked for: the process otherwise leaves them to
// the system (cli/allocator.cc), and on 4 KiB pages each probe of a table
// of tens of megabytes also misses the TLB and walks the page tables
// (perf: CommandIndex::probe, on the command index's slots, became one of
// a replay's largest costs once jemalloc stopped asking for huge pages).
// Its pages are zeroed by the kernel as they are first touched.
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

namespace zg {

// Whether a process forked while the table lives (a snapshot's writer)
// inherits it. One that does not, and writes meanwhile, costs no copies on
// write (and keeps its huge pages, which a write to a shared one splits);
// a child that touches a large table it did not inherit crashes.
enum class ForkedChildren { kInherit, kDoNotInherit };

namespace zeroed_memory {
// `bytes` of zeroed memory: mapped, with huge pages asked for, from
// kMappedBytes (one huge page) up; else from the heap, which every child
// inherits. Throws std::bad_alloc.
void* take(size_t bytes, ForkedChildren children);
void give_back(void* memory, size_t bytes);
inline constexpr size_t kMappedBytes = size_t{2} << 20;
}  // namespace zeroed_memory

template <class T>
class ZeroedTable {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  ZeroedTable() = default;
  explicit ZeroedTable(size_t n, ForkedChildren children = ForkedChildren::kInherit)
      : data_(n == 0 ? nullptr : static_cast<T*>(zeroed_memory::take(bytes_for(n), children))),
        size_(n) {}
  ~ZeroedTable() { release(); }
  ZeroedTable(ZeroedTable&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  ZeroedTable& operator=(ZeroedTable&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ZeroedTable(const ZeroedTable&) = delete;
  ZeroedTable& operator=(const ZeroedTable&) = delete;

  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  static size_t bytes_for(size_t n) {
    if (n > std::numeric_limits<size_t>::max() / sizeof(T)) throw std::bad_alloc();
    return n * sizeof(T);
  }
  void release() {
    if (data_ != nullptr) zeroed_memory::give_back(data_, size_ * sizeof(T));
    data_ = nullptr;
    size_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace zg
