// Memory-bandwidth probe for the benchmark: a STREAM-like triad a = b + s*c over OpenMP threads.
#include "bench_probe.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <memory>
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

}  // namespace gpudecon
