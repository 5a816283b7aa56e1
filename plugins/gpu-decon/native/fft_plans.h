// FFTW plans for in-place 3-D real transforms, reused across calls and backed by on-disk wisdom.
#pragma once
#include <fftw3.h>

#include <mutex>
#include <string>

#include "job_control.h"

namespace gpudecon {

/** Where a plan came from: this process's cache, the wisdom file, or a fresh measurement. */
enum class PlanSource { Memory, Wisdom, Measured, Estimated };

const char* plan_source_name(PlanSource source);

/** A pair of in-place plans (r2c forward, c2r backward) for one grid and thread count. */
struct RealPlans {
  fftwf_plan forward = nullptr;
  fftwf_plan backward = nullptr;
  PlanSource source = PlanSource::Memory;
  double plan_ms = 0;
};

/**
 * Returns plans for the grid (owned by the process-wide cache, never freed while the addon is
 * loaded). `measure` uses FFTW_MEASURE with the wisdom file in `wisdom_dir` (read once, written
 * back atomically after a new measurement); otherwise FFTW_ESTIMATE. Execute them with the
 * new-array functions on buffers from fftwf_malloc holding grid.z*grid.y*2*(grid.x/2+1) floats.
 * Thread-safe: planning is serialized by one lock.
 */
RealPlans get_real_plans(const Dims& grid, int threads, bool measure, const std::string& wisdom_dir);

/**
 * A 3-D in-place real transform as three 1-D passes (x rows, y columns, z columns) for a grid whose
 * data sit in `region` (at the origin; region == grid for circular problems): the forward
 * transform skips the x transforms of rows and the y transforms of planes that hold only zeros,
 * and the backward transform computes only the region's rows. Same results as the 3-D plans
 * inside the region; the caller must zero every float of the rows outside the region before
 * `forward`.
 */
struct PrunedPlans {
  fftwf_plan x_forward = nullptr, y_forward = nullptr, z_forward = nullptr;
  fftwf_plan z_backward = nullptr, y_backward = nullptr, x_backward = nullptr;
  PlanSource source = PlanSource::Memory;
  double plan_ms = 0;
  void forward(float* buffer) const;
  void backward(float* buffer) const;
};

/** Pruned plans for `grid` with data in `region` (see PrunedPlans); cached and wisdom-backed like get_real_plans. */
PrunedPlans get_pruned_plans(const Dims& grid, const Dims& region, int threads, bool measure, const std::string& wisdom_dir);

/** Row stride in floats of an in-place r2c buffer whose last axis has n samples. */
inline long padded_row(long n) { return 2 * (n / 2 + 1); }

/** One dimension of an FFTW guru plan: length `n`, input and output strides `is`, `os`. */
inline fftwf_iodim fft_iodim(long n, long is, long os) {
  fftwf_iodim d;
  d.n = static_cast<int>(n);
  d.is = static_cast<int>(is);
  d.os = static_cast<int>(os);
  return d;
}

/**
 * A copy of the plans cached under `key` in `cache`, marked as coming from this process's memory
 * (source Memory, no planning time), in `*out`; false when none is cached. For the plan caches of
 * every planner (real, pruned, fused), all guarded by the planner lock.
 */
template <typename Plans, typename Cache, typename Key>
bool cached_plans(const Cache& cache, const Key& key, Plans* out) {
  auto found = cache.find(key);
  if (found == cache.end()) return false;
  *out = found->second;
  out->source = PlanSource::Memory;
  out->plan_ms = 0;
  return true;
}

/** The wisdom file used for `wisdom_dir` (empty when wisdom_dir is empty). */
std::string wisdom_path(const std::string& wisdom_dir);

/** The lock serializing every FFTW planner call of this process (hold it while planning). */
std::mutex& fft_planner_mutex();

/** With the planner lock held: FFTW threads initialised, `threads` per new plan, the wisdom file of `wisdom_dir` loaded once. */
void fft_prepare_planner(const std::string& wisdom_dir, int threads);

/** With the planner lock held: writes the process's wisdom to the file of `wisdom_dir` (atomically; no-op when empty). */
void fft_store_wisdom(const std::string& wisdom_dir);

/** FFTW's version string (fftwf_version). */
const char* fftw_version_string();

}  // namespace gpudecon
