// Memory-bandwidth probe for the benchmark: a STREAM-like triad a = b + s*c over OpenMP threads.
#include "bench_probe.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace gpudecon {

double triad_bandwidth(long floats, int repeats, int threads) {
  std::unique_ptr<float[]> a(new float[floats]), b(new float[floats]), c(new float[floats]);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < floats; ++i) {
    a[i] = 0.f;
    b[i] = 1.f;
    c[i] = 2.f;
  }
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    float* pa = a.get();
    const float* pb = b.get();
    const float* pc = c.get();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < floats; ++i) pa[i] = pb[i] + 3.f * pc[i];
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(3.0 * sizeof(float) * floats / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

double fresh_stream_seconds(const uint16_t* in, long n_in, long out_floats, int threads) {
  const auto start = std::chrono::steady_clock::now();
  void* memory = nullptr;
  // Allocated as huge_alloc allocates a buffer it does not have in its pool.
  if (posix_memalign(&memory, size_t{2} << 20, sizeof(float) * out_floats) != 0) throw std::bad_alloc();
  float* out = static_cast<float*>(memory);
  const long rows = (out_floats + 4095) / 4096;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
  for (long r = 0; r < rows; ++r) {
    long i = r * 4096;
    const long end = std::min(out_floats, i + 4096);
    while (i < end) {  // contiguous runs of the input (it wraps around at most once per row)
      const long from = i % n_in, run = std::min(end - i, n_in - from);
      const uint16_t* src = in + from;
      float* dst = out + i;
      for (long k = 0; k < run; ++k) dst[k] = static_cast<float>(src[k]);
      i += run;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::free(memory);
  return seconds;
}

}  // namespace gpudecon
