// Large buffers backed by transparent huge pages: one page fault per 2 MiB instead of per 4 KiB,
// which on virtual machines is most of the cost of touching a fresh volume-sized buffer.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace gpudecon {

/** Allocates `bytes` aligned to 2 MiB (64 B when small) and asks for huge pages. Throws std::bad_alloc. */
void* huge_alloc(size_t bytes);

void huge_free(void* p);

struct HugeFree {
  void operator()(void* p) const { huge_free(p); }
};

template <typename T>
using HugePtr = std::unique_ptr<T[], HugeFree>;

/** `count` values of T in a huge-page buffer (uninitialised). */
template <typename T>
HugePtr<T> huge_array(size_t count) {
  return HugePtr<T>(static_cast<T*>(huge_alloc(sizeof(T) * count)));
}

}  // namespace gpudecon
