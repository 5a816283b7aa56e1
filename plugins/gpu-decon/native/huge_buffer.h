// Large buffers, recycled: a freed volume-sized buffer is kept (up to a cap) and handed to the
// next request of the same size, so repeated calls on one shape (a time series) touch warm pages
// instead of paying first-touch page faults again. Optionally backed by transparent huge pages.
#pragma once
#include <cstddef>
#include <memory>

namespace gpudecon {

/**
 * A buffer of at least `bytes` (64-byte aligned; 2 MiB aligned when large), from the pool when one
 * of the same size is free, else newly allocated. Contents are undefined. Throws std::bad_alloc.
 * `from_pool` (optional) tells which.
 */
void* huge_alloc(size_t bytes, bool* from_pool = nullptr);

/** Returns a buffer from huge_alloc to the pool (or frees it when the pool is full). */
void huge_free(void* p);

/** Frees every pooled buffer; returns the bytes released. */
size_t release_pooled_buffers();

/** Bytes currently held by the pool. */
size_t pooled_bytes();

struct HugeFree {
  void operator()(void* p) const { huge_free(p); }
};

template <typename T>
using HugePtr = std::unique_ptr<T[], HugeFree>;

/** `count` values of T in a pooled buffer (uninitialised). */
template <typename T>
HugePtr<T> huge_array(size_t count) {
  return HugePtr<T>(static_cast<T*>(huge_alloc(sizeof(T) * count)));
}

}  // namespace gpudecon
