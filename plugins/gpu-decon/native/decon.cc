// Preprocessing shared by both devices (background, crop, apodize, initial estimate) and dispatch.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "decon_problem.h"
#include "fft_grid.h"
#include "huge_buffer.h"
#include "rl_iterate.h"

namespace gpudecon {

namespace {
constexpr double kPi = 3.14159265358979323846;

double last_plane_median(const VolumeView& image) {
  const long plane = image.dims.y * image.dims.x;
  const long base = (image.dims.z - 1) * plane;
  std::vector<float> values(static_cast<size_t>(plane));
  for (long i = 0; i < plane; ++i) values[i] = image.at(base + i);
  auto mid = values.begin() + plane / 2;
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

/** cudaDecon-style edge apodization along one axis: `count` samples at each end meet halfway. */
void apodize_line(float* v, long n, long stride, long count) {
  count = std::min(count, n / 2);
  if (count <= 0) return;
  const float half = (v[(n - 1) * stride] - v[0]) / 2;
  for (long l = 0; l < count; ++l) {
    const float f = half * static_cast<float>(1 - std::sin((l + 0.5) / count * kPi / 2));
    v[l * stride] += f;
    v[(n - 1 - l) * stride] -= f;
  }
}

void apodize(float* y, const Dims& d, long napodize, long nz_blend, int threads) {
  if (napodize > 0) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long z = 0; z < d.z; ++z) {
      float* plane = y + z * d.y * d.x;
      for (long x = 0; x < d.x; ++x) apodize_line(plane + x, d.y, d.x, napodize);
      for (long row = 0; row < d.y; ++row) apodize_line(plane + row * d.x, d.x, 1, napodize);
    }
  }
  if (nz_blend > 0) {
    const long plane = d.y * d.x;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < plane; ++i) apodize_line(y + i, d.z, plane, nz_blend);
  }
  // Apodizing moves values only near the edges; clamp what it may have made negative.
  const auto clamp = [](float* v) { *v = std::max(*v, 0.f); };
  const long a = std::min(napodize, std::max(d.x, d.y) / 2), b = std::min(nz_blend, d.z / 2);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long z = 0; z < d.z; ++z) {
    const bool end_plane = z < b || z >= d.z - b;
    for (long row = 0; row < d.y; ++row) {
      float* r = y + (z * d.y + row) * d.x;
      if (end_plane || row < a || row >= d.y - a) {
        for (long x = 0; x < d.x; ++x) clamp(r + x);
      } else {
        for (long x = 0; x < std::min(a, d.x); ++x) clamp(r + x);
        for (long x = std::max(a, d.x - a); x < d.x; ++x) clamp(r + x);
      }
    }
  }
}

double sum(const float* v, long n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
  for (long i = 0; i < n; ++i) s += v[i];
  return s;
}
}  // namespace

Dims decon_output_dims(const Dims& image, bool wrap) { return wrap ? wrap_grid(image) : image; }

DeconReport deconvolve(const VolumeView& image, const float* psf, const Dims& psf_dims, const DeconOptions& options,
                       float* out, const JobControl& control) {
  DeconReport report;
  const int threads = std::max(1, options.threads);
  const Dims region = decon_output_dims(image.dims, options.wrap);
  report.output = region;
  report.grid = options.wrap ? region : padded_grid(region, psf_dims);
  report.background = options.background < 0 ? last_plane_median(image) : options.background;

  // The observation: the caller's array itself when nothing has to change, else a cleaned copy.
  const bool copy = image.type != SampleType::Float32 || report.background != 0 || options.wrap;
  HugePtr<float> cleaned;
  const float* y = static_cast<const float*>(image.data);
  if (copy) {
    cleaned = huge_array<float>(static_cast<size_t>(region.count()));
    const float bg = static_cast<float>(report.background);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long zy = 0; zy < region.z * region.y; ++zy) {
      const long z = zy / region.y, row = zy % region.y;
      const long in = (z * image.dims.y + row) * image.dims.x;
      float* dst = cleaned.get() + zy * region.x;
      if (image.type == SampleType::Float32) {
        const float* src = static_cast<const float*>(image.data) + in;
        for (long x = 0; x < region.x; ++x) dst[x] = std::max(src[x] - bg, 0.f);
      } else {
        const uint16_t* src = static_cast<const uint16_t*>(image.data) + in;
        for (long x = 0; x < region.x; ++x) dst[x] = std::max(static_cast<float>(src[x]) - bg, 0.f);
      }
    }
    if (options.wrap) apodize(cleaned.get(), region, options.napodize, options.nz_blend, threads);
    y = cleaned.get();
  }
  for (long i = 0; i < region.count(); i += 4099) {
    if (!std::isfinite(y[i])) throw InvalidArgument("the image holds a NaN or infinite value at voxel " + std::to_string(i));
  }
  control.check();

  const PreparedPsf prepared = prepare_psf(psf, psf_dims, options.psf);
  report.psf_background = prepared.background;
  report.flux_in = sum(y, region.count());
  const double mean = report.flux_in / static_cast<double>(region.count());

  // Initial estimate: the observation (wrap, as cudaDecon) or its mean (padded: skimage's
  // constant start, whose value RL forgets after one iteration).
  const long count = region.count();
  const float start = static_cast<float>(mean);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < count; ++i) out[i] = options.wrap ? y[i] : start;
  RLProblem problem;
  problem.y = y;
  problem.x = out;
  problem.region = region;
  problem.grid = report.grid;
  problem.psf = &prepared;
  problem.eps = static_cast<float>(std::max(1e-12, mean * 1e-7));
  if (mean > 0 && options.iterations > 0) {
    if (options.cuda) {
      report.device = "cuda";
      rl_iterate_cuda(problem, options, report, control);
    } else {
      rl_iterate_cpu(problem, options, report, control);
    }
  }
  report.flux_out = sum(out, region.count());
  return report;
}

}  // namespace gpudecon
