#include "huge_buffer.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace gpudecon {

namespace {
constexpr size_t kHuge = size_t{2} << 20;

/** GPUDECON_HUGEPAGES=0 turns the madvise off (for comparison, or kernels where it stalls). */
bool want_huge_pages() {
  static const bool want = [] {
    const char* v = std::getenv("GPUDECON_HUGEPAGES");
    return v == nullptr || v[0] != '0';
  }();
  return want;
}
}  // namespace

void* huge_alloc(size_t bytes) {
  if (bytes == 0) bytes = 1;
  const bool large = bytes >= kHuge;
  const size_t alignment = large ? kHuge : 64;
  const size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* p = nullptr;
  if (posix_memalign(&p, alignment, rounded) != 0 || p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (large && want_huge_pages()) madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void huge_free(void* p) { std::free(p); }

}  // namespace gpudecon
