#include "fused_plans.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <tuple>

namespace gpudecon {

namespace {
using Key = std::tuple<long, long, long, long, long, long, bool, bool>;

std::map<Key, FusedPlans>& cache() {
  static std::map<Key, FusedPlans> plans;
  return plans;
}

long block_columns() {
  static const long block = [] {
    const char* v = std::getenv("GPUDECON_BLOCK");
    const long b = v == nullptr ? 0 : std::atol(v);
    return b > 0 ? b : 32L;
  }();
  return block;
}

/** Makes the plans still missing; false when one cannot be made under `flags` (e.g. WISDOM_ONLY). */
bool make(FusedPlans& p, const Dims& g, const Dims& r, float* real, unsigned flags) {
  auto* cplx = reinterpret_cast<fftwf_complex*>(real);
  const long row = padded_row(g.x), c = g.x / 2 + 1, plane = fused_plane_stride(g);
  fftwf_iodim x_len = fft_iodim(g.x, 1, 1);
  fftwf_iodim rows = fft_iodim(r.y, row, c);
  fftwf_iodim rows_back = fft_iodim(r.y, c, row);
  fftwf_iodim all_rows = fft_iodim(g.y, row, c);
  fftwf_iodim y_len = fft_iodim(g.y, c, c);
  fftwf_iodim y_cols = fft_iodim(c, 1, 1);
  fftwf_iodim z_len = fft_iodim(g.z, plane, plane);
  fftwf_iodim z_cols = fft_iodim(p.block, 1, 1);
  fftwf_iodim z_tail = fft_iodim(p.tail, 1, 1);
  if (!p.rows_forward) p.rows_forward = fftwf_plan_guru_dft_r2c(1, &x_len, 1, &rows, real, cplx, flags);
  if (!p.all_rows_forward) p.all_rows_forward = fftwf_plan_guru_dft_r2c(1, &x_len, 1, &all_rows, real, cplx, flags);
  if (!p.rows_backward) p.rows_backward = fftwf_plan_guru_dft_c2r(1, &x_len, 1, &rows_back, cplx, real, flags);
  if (!p.cols_forward) p.cols_forward = fftwf_plan_guru_dft(1, &y_len, 1, &y_cols, cplx, cplx, FFTW_FORWARD, flags);
  if (!p.cols_backward) p.cols_backward = fftwf_plan_guru_dft(1, &y_len, 1, &y_cols, cplx, cplx, FFTW_BACKWARD, flags);
  if (!p.z_forward) p.z_forward = fftwf_plan_guru_dft(1, &z_len, 1, &z_cols, cplx, cplx, FFTW_FORWARD, flags);
  if (!p.z_backward) p.z_backward = fftwf_plan_guru_dft(1, &z_len, 1, &z_cols, cplx, cplx, FFTW_BACKWARD, flags);
  if (p.y_block > 0) {
    fftwf_iodim yb = fft_iodim(p.y_block, 1, 1);
    fftwf_iodim yt = fft_iodim(p.y_tail, 1, 1);
    if (!p.y_block_forward) p.y_block_forward = fftwf_plan_guru_dft(1, &y_len, 1, &yb, cplx, cplx, FFTW_FORWARD, flags);
    if (!p.y_block_backward) p.y_block_backward = fftwf_plan_guru_dft(1, &y_len, 1, &yb, cplx, cplx, FFTW_BACKWARD, flags);
    if (p.y_tail > 0 && !p.y_tail_forward) p.y_tail_forward = fftwf_plan_guru_dft(1, &y_len, 1, &yt, cplx, cplx, FFTW_FORWARD, flags);
    if (p.y_tail > 0 && !p.y_tail_backward) p.y_tail_backward = fftwf_plan_guru_dft(1, &y_len, 1, &yt, cplx, cplx, FFTW_BACKWARD, flags);
    if (!p.y_block_forward || !p.y_block_backward || (p.y_tail > 0 && (!p.y_tail_forward || !p.y_tail_backward))) return false;
  }
  bool ok = p.rows_forward && p.all_rows_forward && p.rows_backward && p.cols_forward && p.cols_backward && p.z_forward && p.z_backward;
  if (p.tail > 0) {
    if (!p.z_tail_forward) p.z_tail_forward = fftwf_plan_guru_dft(1, &z_len, 1, &z_tail, cplx, cplx, FFTW_FORWARD, flags);
    if (!p.z_tail_backward) p.z_tail_backward = fftwf_plan_guru_dft(1, &z_len, 1, &z_tail, cplx, cplx, FFTW_BACKWARD, flags);
    ok = ok && p.z_tail_forward && p.z_tail_backward;
  }
  return ok;
}
}  // namespace

long fused_plane_stride(const Dims& grid) {
  const long plane = grid.y * (grid.x / 2 + 1);  // complex values of 8 bytes: 8 per line
  const long lines = (plane + 7) / 8;
  return (lines % 2 == 1 ? lines : lines + 1) * 8;
}

FusedPlans get_fused_plans(const Dims& grid, const Dims& region, float* buffer, bool measure, const std::string& wisdom_dir) {
  std::lock_guard<std::mutex> guard(fft_planner_mutex());
  // Plans are executed on every plane and column block: when those addresses are not all aligned
  // like the buffer, FFTW must not assume SIMD alignment.
  const long c = grid.x / 2 + 1, plane_bytes = fused_plane_stride(grid) * 8, block = block_columns();
  const bool aligned = plane_bytes % 64 == 0 && (block * 8) % 64 == 0 && reinterpret_cast<uintptr_t>(buffer) % 64 == 0;
  const Key key{grid.z, grid.y, grid.x, region.y, block, std::getenv("GPUDECON_YBLOCK") ? std::atol(std::getenv("GPUDECON_YBLOCK")) : 0, measure, aligned};
  if (FusedPlans known; cached_plans(cache(), key, &known)) return known;
  const auto start = std::chrono::steady_clock::now();
  fft_prepare_planner(measure ? wisdom_dir : "", 1);
  FusedPlans plans;
  plans.block = std::min(block, grid.y * c);
  plans.tail = (grid.y * c) % plans.block;
  static const long y_block = [] {
    const char* v = std::getenv("GPUDECON_YBLOCK");
    return v == nullptr ? 0L : std::atol(v);
  }();
  plans.y_block = y_block > 0 && y_block < c ? y_block : 0;
  plans.y_tail = plans.y_block > 0 ? c % plans.y_block : 0;
  const unsigned base = aligned ? 0u : static_cast<unsigned>(FFTW_UNALIGNED);
  bool ok = false;
  if (measure) {
    plans.source = PlanSource::Wisdom;
    ok = make(plans, grid, region, buffer, base | FFTW_MEASURE | FFTW_WISDOM_ONLY);
    if (!ok) {
      ok = make(plans, grid, region, buffer, base | FFTW_MEASURE);
      plans.source = PlanSource::Measured;
      fft_store_wisdom(wisdom_dir);
    }
  } else {
    ok = make(plans, grid, region, buffer, base | FFTW_ESTIMATE);
    plans.source = PlanSource::Estimated;
  }
  if (!ok) {
    throw std::runtime_error("FFTW could not plan the fused transforms of a " + std::to_string(grid.z) + "x" +
                             std::to_string(grid.y) + "x" + std::to_string(grid.x) + " grid");
  }
  plans.plan_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  cache()[key] = plans;
  return plans;
}

}  // namespace gpudecon
