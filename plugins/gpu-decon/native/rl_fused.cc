// Richardson–Lucy on the CPU with the element-wise work fused into the transform passes: each
// iteration sweeps the volume four times (plain) or five times (accelerated) instead of sixteen.
//   plane sweep (per z plane, in cache): y⁻¹, x⁻¹ rows, element-wise step, x rows, y columns;
//   column sweep (per block of half-spectrum columns, in cache): z, × OTF (or its conjugate), z⁻¹.
#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "fused_plans.h"
#include "huge_buffer.h"
#include "rl_iterate.h"

namespace gpudecon {

namespace {
struct Sweeps {
  const FusedPlans& plans;
  Dims region, grid;
  float* work;
  int threads;
  long row() const { return padded_row(grid.x); }

  /** The y transforms of one plane, whole or in blocks of columns that stay in L1/L2. */
  void y_transform(fftwf_complex* cp, bool forward) const {
    if (plans.y_block == 0) {
      fftwf_execute_dft(forward ? plans.cols_forward : plans.cols_backward, cp, cp);
      return;
    }
    const long c = grid.x / 2 + 1;
    long j = 0;
    for (; j + plans.y_block <= c; j += plans.y_block) fftwf_execute_dft(forward ? plans.y_block_forward : plans.y_block_backward, cp + j, cp + j);
    if (j < c) fftwf_execute_dft(forward ? plans.y_tail_forward : plans.y_tail_backward, cp + j, cp + j);
  }
  /** Floats from one z plane to the next (padded, see fused_plane_stride). */
  long plane_floats() const { return 2 * fused_plane_stride(grid); }

  /**
   * For every z plane of the grid: `inverse` undoes the y and x transforms of the region's rows;
   * `step(w_row, offset)` then rewrites each region row (offset: where it starts in region-sized
   * arrays); with `forward`, the plane (region rows, zero elsewhere) is transformed again.
   * Planes outside the region become zeros.
   */
  template <typename Step>
  void planes(bool inverse, bool forward, Step step) const {
    const long row_floats = row(), plane = plane_floats();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long z = 0; z < grid.z; ++z) {
      float* p = work + z * plane;
      auto* cp = reinterpret_cast<fftwf_complex*>(p);
      if (z >= region.z) {
        if (forward) std::memset(p, 0, sizeof(float) * plane);
        continue;
      }
      if (inverse) {
        y_transform(cp, false);
        fftwf_execute_dft_c2r(plans.rows_backward, cp, p);
      }
      for (long y = 0; y < region.y; ++y) {
        float* w = p + y * row_floats;
        step(w, (z * region.y + y) * region.x);
        if (forward) std::memset(w + region.x, 0, sizeof(float) * (row_floats - region.x));
      }
      if (!forward) continue;
      if (region.y < grid.y) std::memset(p + region.y * row_floats, 0, sizeof(float) * (grid.y - region.y) * row_floats);
      fftwf_execute_dft_r2c(plans.rows_forward, p, cp);
      y_transform(cp, true);
    }
  }

  /**
   * The OTF: the PSF placed at the origin of the zeroed buffer, transformed plane by plane (only
   * the planes it touches), then along z block by block straight into `otf`, scaled by 1/(N·sum).
   * `otf` is stored block by block (block b's grid.z × n values contiguous, from j0·grid.z), so
   * the column sweeps read it as one stream instead of grid.z short pieces a plane apart.
   */
  void otf(const PreparedPsf& psf, fftwf_complex* otf) const {
    const double placed = place_psf(psf, grid, work, threads, plane_floats());
    const long row_floats = row(), plane = plane_floats();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long z = 0; z < grid.z; ++z) {
      float* p = work + z * plane;
      auto* cp = reinterpret_cast<fftwf_complex*>(p);
      bool any = false;
      for (long y = 0; y < grid.y && !any; ++y) {
        const float* r = p + y * row_floats;
        for (long x = 0; x < grid.x; ++x) {
          if (r[x] != 0.f) {
            any = true;
            break;
          }
        }
      }
      if (!any) continue;  // zeros transform to zeros
      fftwf_execute_dft_r2c(plans.all_rows_forward, p, cp);
      y_transform(cp, true);
    }
    const long columns = grid.y * (grid.x / 2 + 1), cplane = fused_plane_stride(grid), block = plans.block;
    const long blocks = (columns + block - 1) / block;
    const float scale = static_cast<float>(1.0 / (static_cast<double>(grid.z) * grid.y * grid.x * placed));
    auto* spectrum = reinterpret_cast<fftwf_complex*>(work);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long b = 0; b < blocks; ++b) {
      const long j0 = b * block;
      const long n = std::min(block, columns - j0);
      fftwf_complex* s = spectrum + j0;
      fftwf_execute_dft(n != block ? plans.z_tail_forward : plans.z_forward, s, s);
      for (long z = 0; z < grid.z; ++z) {
        for (long i = 0; i < n; ++i) {
          otf[j0 * grid.z + z * n + i][0] = s[z * cplane + i][0] * scale;
          otf[j0 * grid.z + z * n + i][1] = s[z * cplane + i][1] * scale;
        }
      }
    }
  }

  /** z transform, product with the OTF (conjugated for the adjoint), inverse z transform, block by block. */
  void columns(const fftwf_complex* otf, bool conjugate) const {
    const long columns = grid.y * (grid.x / 2 + 1), plane = fused_plane_stride(grid), block = plans.block;
    const long blocks = (columns + block - 1) / block;
    const float sign = conjugate ? -1.f : 1.f;
    auto* spectrum = reinterpret_cast<fftwf_complex*>(work);
    // Dynamic chunks: on a shared host a descheduled thread does not hold the other one up.
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (long b = 0; b < blocks; ++b) {
      const long j0 = b * block;
      const long n = std::min(block, columns - j0);
      const bool tail = n != block;
      fftwf_complex* s = spectrum + j0;
      fftwf_execute_dft(tail ? plans.z_tail_forward : plans.z_forward, s, s);
      for (long z = 0; z < grid.z; ++z) {
        float* v = reinterpret_cast<float*>(s + z * plane);
        const float* o = reinterpret_cast<const float*>(otf + j0 * grid.z + z * n);
        for (long i = 0; i < n; ++i) {
          const float a = v[2 * i], bb = v[2 * i + 1];
          const float c = o[2 * i], d = sign * o[2 * i + 1];
          v[2 * i] = a * c - bb * d;
          v[2 * i + 1] = a * d + bb * c;
        }
      }
      fftwf_execute_dft(tail ? plans.z_tail_backward : plans.z_backward, s, s);
    }
  }
};
}  // namespace

void rl_iterate_fused(const RLProblem& p, const DeconOptions& options, DeconReport& report, const JobControl& control) {
  const int threads = std::max(1, options.threads);
  auto work = huge_array<float>(p.grid.z * 2 * fused_plane_stride(p.grid));
  const FusedPlans plans = get_fused_plans(p.grid, p.region, work.get(), options.measure, options.wisdom_dir);
  report.plan_source = plan_source_name(plans.source);
  report.plan_ms = plans.plan_ms;
  control.check();

  auto otf = huge_array<fftwf_complex>(p.grid.z * p.grid.y * (p.grid.x / 2 + 1));
  const auto otf_start = std::chrono::steady_clock::now();
  const Sweeps sweeps{plans, p.region, p.grid, work.get(), threads};
  sweeps.otf(*p.psf, otf.get());
  report.otf_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - otf_start).count();

  const long nx = p.region.x, region_count = p.region.count();
  AccelerationState accel;
  if (options.accelerate) accel = acceleration_state(p.x, region_count);
  HugePtr<float>& previous = accel.previous;
  HugePtr<float>& change = accel.change;
  float* x = p.x;
  const float* y = p.y;
  const float eps = p.eps, limit = options.ratio_limit;
  const auto start = std::chrono::steady_clock::now();
  const auto load = [&](float* w, long o) { std::memcpy(w, x + o, sizeof(float) * nx); };
  if (!options.accelerate) sweeps.planes(false, true, load);
  double cross = 0, old_norm = 0;
  for (int k = 0; k < options.iterations; ++k) {
    const bool last = k + 1 == options.iterations;
    if (options.accelerate) {
      float lambda = 0;
      if (k >= 2) lambda = static_cast<float>(std::clamp(cross / (old_norm + 1e-30), 0.0, 1.0));
      report.lambdas.push_back(lambda);
      float* prev = previous.get();
      // Y = max(x + λ(x − x_prev), 0); x_prev <- x; x <- Y; the plane <- Y.
      sweeps.planes(false, true, [&](float* w, long o) {
        for (long i = 0; i < nx; ++i) {
          const float now = x[o + i];
          const float v = std::max(now + lambda * (now - prev[o + i]), 0.f);
          prev[o + i] = now;
          x[o + i] = v;
          w[i] = v;
        }
      });
    }
    sweeps.columns(otf.get(), false);
    sweeps.planes(true, true, [&](float* w, long o) {
      for (long i = 0; i < nx; ++i) {
        float q = y[o + i] / std::max(w[i], eps);
        if (limit > 0) q = std::min(q, limit);
        w[i] = q;
      }
    });
    sweeps.columns(otf.get(), true);
    if (options.accelerate) {
      // x (holding Y) <- max(Y * corr, 0); g <- x − Y; ⟨g_new, g_old⟩ and ⟨g_old, g_old⟩ per plane.
      std::vector<double> c(p.region.z, 0.0), n(p.region.z, 0.0);
      float* g = change.get();
      sweeps.planes(true, false, [&](float* w, long o) {
        const long z = o / (p.region.y * nx);
        double cs = 0, ns = 0;
        for (long i = 0; i < nx; ++i) {
          const float predicted = x[o + i];
          const float v = std::max(predicted * w[i], 0.f);
          const float d = v - predicted;
          cs += static_cast<double>(d) * g[o + i];
          ns += static_cast<double>(g[o + i]) * g[o + i];
          x[o + i] = v;
          g[o + i] = d;
        }
        c[z] += cs;
        n[z] += ns;
      });
      cross = 0;
      old_norm = 0;
      for (long z = 0; z < p.region.z; ++z) {
        cross += c[z];
        old_norm += n[z];
      }
    } else {
      // x <- max(x * corr, 0), and (but after the last iteration) the plane <- the new x, transformed.
      sweeps.planes(true, !last, [&](float* w, long o) {
        for (long i = 0; i < nx; ++i) {
          const float v = std::max(x[o + i] * w[i], 0.f);
          x[o + i] = v;
          w[i] = v;
        }
      });
    }
    control.report(k + 1, options.iterations);
    control.check();
  }
  report.iterate_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace gpudecon
