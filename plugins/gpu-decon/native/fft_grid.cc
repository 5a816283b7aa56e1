#include "fft_grid.h"

#include <cmath>

namespace gpudecon {

namespace {
struct Factors {
  int two = 0, three = 0, five = 0, seven = 0;
  long rest = 1;
};

Factors factor(long n) {
  Factors f;
  while (n % 2 == 0) { n /= 2; ++f.two; }
  while (n % 3 == 0) { n /= 3; ++f.three; }
  while (n % 5 == 0) { n /= 5; ++f.five; }
  while (n % 7 == 0) { n /= 7; ++f.seven; }
  f.rest = n;
  return f;
}

/** Relative cost per element of a 1-D transform of size n (lower is faster). */
double cost(long n) {
  const Factors f = factor(n);
  return static_cast<double>(n) * (1.0 + 0.12 * f.three + 0.30 * f.five + 0.45 * f.seven);
}
}  // namespace

bool is_smooth(long n) { return n > 0 && factor(n).rest == 1; }

long largest_smooth_at_most(long n) {
  while (n > 1 && !is_smooth(n)) --n;
  return n < 1 ? 1 : n;
}

long fast_smooth_at_least(long n) {
  if (n <= 1) return 1;
  const long limit = static_cast<long>(std::ceil(n * 1.3)) + 1;
  long best = -1;
  double best_cost = 0;
  for (long m = n; m <= limit; ++m) {
    if (!is_smooth(m)) continue;
    const double c = cost(m);
    if (best < 0 || c < best_cost) {
      best = m;
      best_cost = c;
    }
  }
  if (best > 0) return best;
  long m = n;
  while (!is_smooth(m)) ++m;
  return m;
}

Dims padded_grid(const Dims& image, const Dims& psf) {
  return {fast_smooth_at_least(image.z + psf.z / 2), fast_smooth_at_least(image.y + psf.y / 2),
          fast_smooth_at_least(image.x + psf.x / 2)};
}

Dims wrap_grid(const Dims& image) {
  return {largest_smooth_at_most(image.z), largest_smooth_at_most(image.y), largest_smooth_at_most(image.x)};
}

}  // namespace gpudecon
