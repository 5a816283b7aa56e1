#include "huge_buffer.h"

#include <sys/mman.h>

#include <cstdlib>
#include <list>
#include <mutex>
#include <new>
#include <unordered_map>

namespace gpudecon {

namespace {
constexpr size_t kHuge = size_t{2} << 20;
/** Buffers below this size are not worth pooling. */
constexpr size_t kPoolMin = size_t{1} << 20;

/** GPUDECON_HUGEPAGES=1 asks for transparent huge pages (off by default: direct compaction can stall a fault for seconds). */
bool want_huge_pages() {
  static const bool want = [] {
    const char* v = std::getenv("GPUDECON_HUGEPAGES");
    return v != nullptr && v[0] == '1';
  }();
  return want;
}

/** Pool cap in bytes: GPUDECON_POOL_MB (default 2048; 0 disables pooling). */
size_t pool_cap() {
  static const size_t cap = [] {
    const char* v = std::getenv("GPUDECON_POOL_MB");
    return (v != nullptr ? static_cast<size_t>(std::strtoull(v, nullptr, 10)) : size_t{2048}) << 20;
  }();
  return cap;
}

struct Pool {
  std::mutex lock;
  std::unordered_map<void*, size_t> sizes;  // every live or pooled allocation
  std::list<std::pair<size_t, void*>> free;  // most recently freed first
  size_t free_bytes = 0;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: finalizers may run during exit
  return *p;
}

size_t rounded_size(size_t bytes) {
  const size_t alignment = bytes >= kHuge ? kHuge : 64;
  return (bytes + alignment - 1) / alignment * alignment;
}
}  // namespace

void* huge_alloc(size_t bytes, bool* from_pool) {
  if (from_pool != nullptr) *from_pool = false;
  if (bytes == 0) bytes = 1;
  const size_t size = rounded_size(bytes);
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> guard(p.lock);
    for (auto it = p.free.begin(); it != p.free.end(); ++it) {
      if (it->first == size) {
        void* found = it->second;
        p.free_bytes -= size;
        p.free.erase(it);
        if (from_pool != nullptr) *from_pool = true;
        return found;
      }
    }
  }
  const size_t alignment = size >= kHuge ? kHuge : 64;
  void* ptr = nullptr;
  if (posix_memalign(&ptr, alignment, size) != 0 || ptr == nullptr) {
    if (release_pooled_buffers() == 0 || posix_memalign(&ptr, alignment, size) != 0 || ptr == nullptr) throw std::bad_alloc();
  }
#ifdef MADV_HUGEPAGE
  if (size >= kHuge && want_huge_pages()) madvise(ptr, size, MADV_HUGEPAGE);
#endif
  std::lock_guard<std::mutex> guard(p.lock);
  p.sizes[ptr] = size;
  return ptr;
}

void huge_free(void* ptr) {
  if (ptr == nullptr) return;
  Pool& p = pool();
  std::unique_lock<std::mutex> guard(p.lock);
  auto found = p.sizes.find(ptr);
  const size_t size = found == p.sizes.end() ? 0 : found->second;
  if (size < kPoolMin || size > pool_cap()) {
    if (found != p.sizes.end()) p.sizes.erase(found);
    guard.unlock();
    std::free(ptr);
    return;
  }
  p.free.emplace_front(size, ptr);
  p.free_bytes += size;
  std::list<void*> evicted;
  while (p.free_bytes > pool_cap()) {
    auto& oldest = p.free.back();
    p.free_bytes -= oldest.first;
    p.sizes.erase(oldest.second);
    evicted.push_back(oldest.second);
    p.free.pop_back();
  }
  guard.unlock();
  for (void* e : evicted) std::free(e);
}

size_t release_pooled_buffers() {
  Pool& p = pool();
  std::list<std::pair<size_t, void*>> drained;
  {
    std::lock_guard<std::mutex> guard(p.lock);
    drained.swap(p.free);
    for (auto& entry : drained) p.sizes.erase(entry.second);
    p.free_bytes = 0;
  }
  size_t released = 0;
  for (auto& entry : drained) {
    released += entry.first;
    std::free(entry.second);
  }
  return released;
}

size_t pooled_bytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  return p.free_bytes;
}

}  // namespace gpudecon
