#include "psf_otf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace gpudecon {

namespace {
double border_median(const float* psf, const Dims& d) {
  std::vector<float> border;
  for (long z = 0; z < d.z; ++z)
    for (long y = 0; y < d.y; ++y)
      for (long x = 0; x < d.x; ++x) {
        if (z == 0 || z == d.z - 1 || y == 0 || y == d.y - 1 || x == 0 || x == d.x - 1) border.push_back(psf[(z * d.y + y) * d.x + x]);
      }
  if (border.empty()) return 0;
  auto mid = border.begin() + static_cast<long>(border.size() / 2);
  std::nth_element(border.begin(), mid, border.end());
  return *mid;
}

/** Ring width in pixels: narrow enough to follow a small PSF's profile, wide enough to average noise. */
constexpr double kRing = 0.5;

void radial_average(std::vector<float>& v, const Dims& d, long cy, long cx) {
  const long bins = static_cast<long>(std::ceil(std::hypot(static_cast<double>(d.y), static_cast<double>(d.x)) / kRing)) + 2;
  std::vector<double> sum(bins), weight(bins);
  for (long z = 0; z < d.z; ++z) {
    float* plane = v.data() + z * d.y * d.x;
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(weight.begin(), weight.end(), 0.0);
    for (long y = 0; y < d.y; ++y)
      for (long x = 0; x < d.x; ++x) {
        const double r = std::hypot(static_cast<double>(y - cy), static_cast<double>(x - cx)) / kRing;
        const long i = static_cast<long>(r);
        const double f = r - i;
        sum[i] += (1 - f) * plane[y * d.x + x];
        weight[i] += 1 - f;
        sum[i + 1] += f * plane[y * d.x + x];
        weight[i + 1] += f;
      }
    for (long i = 0; i < bins; ++i) sum[i] = weight[i] > 0 ? sum[i] / weight[i] : 0;
    for (long y = 0; y < d.y; ++y)
      for (long x = 0; x < d.x; ++x) {
        const double r = std::hypot(static_cast<double>(y - cy), static_cast<double>(x - cx)) / kRing;
        const long i = static_cast<long>(r);
        const double f = r - i;
        plane[y * d.x + x] = static_cast<float>((1 - f) * sum[i] + f * sum[i + 1]);
      }
  }
}

/** Maps a PSF offset to a grid index, or -1 when it falls outside the (possibly cropped) window. */
long wrap_index(long offset, long n) {
  const long low = -(n / 2), high = n - n / 2 - 1;
  if (offset < low || offset > high) return -1;
  return offset < 0 ? offset + n : offset;
}
}  // namespace

PreparedPsf prepare_psf(const float* psf, const Dims& dims, const PsfOptions& options) {
  PreparedPsf out;
  out.dims = dims;
  out.values.assign(psf, psf + dims.count());
  out.background = options.background < 0 ? border_median(psf, dims) : options.background;
  long peak = 0;
  for (long i = 0; i < dims.count(); ++i) {
    float v = out.values[i];
    if (!std::isfinite(v)) throw InvalidArgument("the PSF holds a NaN or infinite value at voxel " + std::to_string(i));
    v = static_cast<float>(std::max(0.0, v - out.background));
    out.values[i] = v;
    if (v > out.values[peak]) peak = i;
  }
  out.cz = peak / (dims.y * dims.x);
  out.cy = (peak / dims.x) % dims.y;
  out.cx = peak % dims.x;
  if (options.radial) radial_average(out.values, dims, out.cy, out.cx);
  double total = 0;
  for (float v : out.values) total += v;
  if (!(total > 0)) {
    throw InvalidArgument("the PSF has no positive intensity left after subtracting its background (" +
                          std::to_string(out.background) + ")");
  }
  const float scale = static_cast<float>(1.0 / total);
  for (float& v : out.values) v *= scale;
  return out;
}

double place_psf(const PreparedPsf& psf, const Dims& grid, float* work, int threads, long plane_floats) {
  const long row = padded_row(grid.x);
  const long plane = plane_floats > 0 ? plane_floats : grid.y * row;
  const long floats = grid.z * plane;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < floats; ++i) work[i] = 0.f;
  const Dims& d = psf.dims;
  double placed = 0;
  for (long z = 0; z < d.z; ++z) {
    const long gz = wrap_index(z - psf.cz, grid.z);
    if (gz < 0) continue;
    for (long y = 0; y < d.y; ++y) {
      const long gy = wrap_index(y - psf.cy, grid.y);
      if (gy < 0) continue;
      for (long x = 0; x < d.x; ++x) {
        const long gx = wrap_index(x - psf.cx, grid.x);
        if (gx < 0) continue;
        const float v = psf.values[(z * d.y + y) * d.x + x];
        work[gz * plane + gy * row + gx] += v;
        placed += v;
      }
    }
  }
  return placed;
}

void build_otf(const PreparedPsf& psf, const Dims& grid, const RealPlans& plans, float* work, fftwf_complex* otf, int threads) {
  const double placed = place_psf(psf, grid, work, threads);
  auto* spectrum = reinterpret_cast<fftwf_complex*>(work);
  fftwf_execute_dft_r2c(plans.forward, work, spectrum);
  const long complex_count = grid.z * grid.y * (grid.x / 2 + 1);
  // A PSF cropped to the grid keeps unit sum, so deconvolution keeps the total intensity.
  const float inv_n = static_cast<float>(1.0 / (static_cast<double>(grid.z) * grid.y * grid.x * placed));
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < complex_count; ++i) {
    otf[i][0] = spectrum[i][0] * inv_n;
    otf[i][1] = spectrum[i][1] * inv_n;
  }
}

}  // namespace gpudecon
