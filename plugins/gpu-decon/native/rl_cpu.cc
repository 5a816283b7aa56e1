#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "huge_buffer.h"
#include "rl_iterate.h"

namespace gpudecon {

namespace {
/** GPUDECON_PRUNE=0 uses FFTW's 3-D plans instead of the 1-D passes (for comparison). */
bool prune_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("GPUDECON_PRUNE");
    return v == nullptr || v[0] != '0';
  }();
  return enabled;
}

/** GPUDECON_FUSED=0 goes back to whole-volume transforms and element-wise passes (for comparison). */
bool fused_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("GPUDECON_FUSED");
    return v == nullptr || v[0] != '0';
  }();
  return enabled;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/** Walks the real grid row by row; `inside` rows overlap the image region. */
struct Layout {
  Dims region, grid;
  long row;
  long rows() const { return grid.z * grid.y; }
  bool inside(long r) const { return r / grid.y < region.z && r % grid.y < region.y; }
  long region_offset(long r) const { return ((r / grid.y) * region.y + r % grid.y) * region.x; }
};

/**
 * Runs `inside(row, offset)` on every grid row overlapping the region (`offset`: where that row
 * starts in region-sized arrays) and zeroes the rest of the grid, so the next transform sees zeros
 * outside the image.
 */
template <typename Inside>
void for_region_rows(const Layout& l, float* work, int threads, Inside inside) {
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long r = 0; r < l.rows(); ++r) {
    float* w = work + r * l.row;
    if (!l.inside(r)) {
      // The whole padded row: pruned transforms read it as complex values.
      std::memset(w, 0, sizeof(float) * l.row);
      continue;
    }
    inside(w, l.region_offset(r));
    std::memset(w + l.region.x, 0, sizeof(float) * (l.row - l.region.x));
  }
}

/** work <- src inside the region, 0 elsewhere. */
void load(const Layout& l, float* work, const float* src, int threads) {
  for_region_rows(l, work, threads, [&](float* w, long o) { std::memcpy(w, src + o, sizeof(float) * l.region.x); });
}

void multiply(fftwf_complex* spectrum, const fftwf_complex* otf, long count, bool conjugate, int threads) {
  const float sign = conjugate ? -1.f : 1.f;
  float* s = reinterpret_cast<float*>(spectrum);
  const float* o = reinterpret_cast<const float*>(otf);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < count; ++i) {
    const float a = s[2 * i], b = s[2 * i + 1];
    const float c = o[2 * i], d = sign * o[2 * i + 1];
    s[2 * i] = a * c - b * d;
    s[2 * i + 1] = a * d + b * c;
  }
}

/** work <- y / max(work, eps) inside the region (clamped when limit > 0), 0 elsewhere. */
void ratio(const Layout& l, float* work, const float* y, float eps, float limit, int threads) {
  for_region_rows(l, work, threads, [&](float* w, long o) {
    const float* yr = y + o;
    for (long i = 0; i < l.region.x; ++i) {
      float q = yr[i] / std::max(w[i], eps);
      if (limit > 0) q = std::min(q, limit);
      w[i] = q;
    }
  });
}

/** Plain RL: x <- max(x * corr, 0) and work <- the new x (next iteration's input). */
void update_plain(const Layout& l, float* work, float* x, int threads) {
  for_region_rows(l, work, threads, [&](float* w, long o) {
    float* xr = x + o;
    for (long i = 0; i < l.region.x; ++i) {
      const float v = std::max(xr[i] * w[i], 0.f);
      xr[i] = v;
      w[i] = v;
    }
  });
}

/** Accelerated RL: x (holding the prediction Y) <- max(Y * corr, 0); g <- x - Y; returns <g_new, g_old> and <g_old, g_old>. */
std::pair<double, double> update_accelerated(const Layout& l, const float* work, float* x, float* g, int threads) {
  double cross = 0, old_norm = 0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(+ : cross, old_norm)
  for (long r = 0; r < l.rows(); ++r) {
    if (!l.inside(r)) continue;
    const float* w = work + r * l.row;
    const long o = l.region_offset(r);
    float* xr = x + o;
    float* gr = g + o;
    double c = 0, n = 0;
    for (long i = 0; i < l.region.x; ++i) {
      const float predicted = xr[i];
      const float v = std::max(predicted * w[i], 0.f);
      const float change = v - predicted;
      c += static_cast<double>(change) * gr[i];
      n += static_cast<double>(gr[i]) * gr[i];
      xr[i] = v;
      gr[i] = change;
    }
    cross += c;
    old_norm += n;
  }
  return {cross, old_norm};
}

/** Y = max(x + lambda (x - x_prev), 0); x_prev <- x; x <- Y; work <- Y (0 outside the region). */
void predict(const Layout& l, float* work, float* x, float* previous, float lambda, int threads) {
  for_region_rows(l, work, threads, [&](float* w, long o) {
    float* xr = x + o;
    float* pr = previous + o;
    for (long i = 0; i < l.region.x; ++i) {
      const float now = xr[i];
      const float y = std::max(now + lambda * (now - pr[i]), 0.f);
      pr[i] = now;
      xr[i] = y;
      w[i] = y;
    }
  });
}
}  // namespace

AccelerationState acceleration_state(const float* x, long count) {
  AccelerationState state{huge_array<float>(count), huge_array<float>(count)};
  std::memcpy(state.previous.get(), x, sizeof(float) * count);
  std::memset(state.change.get(), 0, sizeof(float) * count);
  return state;
}

void rl_iterate_cpu(const RLProblem& p, const DeconOptions& options, DeconReport& report, const JobControl& control) {
  if (fused_enabled()) {
    rl_iterate_fused(p, options, report, control);
    return;
  }
  const int threads = std::max(1, options.threads);
  const Layout l{p.region, p.grid, padded_row(p.grid.x)};
  // Transforms run as three 1-D passes (x rows, y columns, z columns); on padded grids they skip
  // all-zero rows and planes. Measured here against FFTW's in-place 3-D plans: 128×512×512 padded
  // 3.4–3.7 s against 4.9–6.8 s per 10 iterations, wrap 2.5 s against 3.0–4.6 s. The OTF, whose PSF
  // wraps around the origin, uses a full 3-D plan made once with FFTW_ESTIMATE.
  const bool prune = prune_enabled();
  PrunedPlans pruned;
  RealPlans plans;
  if (prune) {
    pruned = get_pruned_plans(p.grid, p.region, threads, options.measure, options.wisdom_dir);
    plans = get_real_plans(p.grid, threads, false, "");
    report.plan_source = plan_source_name(pruned.source);
    report.plan_ms = pruned.plan_ms + plans.plan_ms;
  } else {
    plans = get_real_plans(p.grid, threads, options.measure, options.wisdom_dir);
    report.plan_source = plan_source_name(plans.source);
    report.plan_ms = plans.plan_ms;
  }
  const auto forward = [&](float* w) {
    if (prune) pruned.forward(w);
    else fftwf_execute_dft_r2c(plans.forward, w, reinterpret_cast<fftwf_complex*>(w));
  };
  const auto backward = [&](float* w) {
    if (prune) pruned.backward(w);
    else fftwf_execute_dft_c2r(plans.backward, reinterpret_cast<fftwf_complex*>(w), w);
  };
  control.check();

  auto work = huge_array<float>(l.rows() * l.row);
  const long complex_count = p.grid.z * p.grid.y * (p.grid.x / 2 + 1);
  auto otf = huge_array<fftwf_complex>(complex_count);
  auto otf_start = std::chrono::steady_clock::now();
  build_otf(*p.psf, p.grid, plans, work.get(), otf.get(), threads);
  report.otf_ms = ms_since(otf_start);

  const long region_count = p.region.count();
  AccelerationState accel;
  if (options.accelerate) accel = acceleration_state(p.x, region_count);
  HugePtr<float>& previous = accel.previous;
  HugePtr<float>& change = accel.change;
  float* w = work.get();
  auto* spectrum = reinterpret_cast<fftwf_complex*>(w);
  const auto start = std::chrono::steady_clock::now();
  if (!options.accelerate) load(l, w, p.x, threads);
  double cross = 0, old_norm = 0;
  for (int k = 0; k < options.iterations; ++k) {
    if (options.accelerate) {
      float lambda = 0;
      if (k >= 2) lambda = static_cast<float>(std::clamp(cross / (old_norm + 1e-30), 0.0, 1.0));
      report.lambdas.push_back(lambda);
      predict(l, w, p.x, previous.get(), lambda, threads);
    }
    forward(w);
    multiply(spectrum, otf.get(), complex_count, false, threads);
    backward(w);
    ratio(l, w, p.y, p.eps, options.ratio_limit, threads);
    forward(w);
    multiply(spectrum, otf.get(), complex_count, true, threads);
    backward(w);
    if (options.accelerate) {
      std::tie(cross, old_norm) = update_accelerated(l, w, p.x, change.get(), threads);
    } else {
      update_plain(l, w, p.x, threads);
    }
    control.report(k + 1, options.iterations);
    control.check();
  }
  report.iterate_ms = ms_since(start);
}

}  // namespace gpudecon
