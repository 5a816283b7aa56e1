#include "fft_plans.h"

#include <fftw3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace gpudecon {

namespace {
using Key = std::tuple<long, long, long, int, bool>;

std::mutex& planner_lock() {
  static std::mutex lock;
  return lock;
}

std::map<Key, RealPlans>& cache() {
  static std::map<Key, RealPlans> plans;
  return plans;
}

void ensure_threads() {
  static bool done = false;
  if (!done) {
    fftwf_init_threads();
    done = true;
  }
}

void make_dirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') mkdir(dir.substr(0, i).c_str(), 0755);
  }
}

void load_wisdom_once(const std::string& path) {
  static std::set<std::string> loaded;
  if (path.empty() || loaded.count(path) != 0) return;
  loaded.insert(path);
  fftwf_import_wisdom_from_filename(path.c_str());
}

void save_wisdom(const std::string& dir, const std::string& path) {
  if (path.empty()) return;
  make_dirs(dir);
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  if (fftwf_export_wisdom_to_filename(tmp.c_str()) != 0) {
    std::rename(tmp.c_str(), path.c_str());
  } else {
    std::remove(tmp.c_str());
  }
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

const char* plan_source_name(PlanSource source) {
  switch (source) {
    case PlanSource::Memory: return "memory";
    case PlanSource::Wisdom: return "wisdom";
    case PlanSource::Measured: return "measured";
    case PlanSource::Estimated: return "estimated";
  }
  return "unknown";
}

std::string wisdom_path(const std::string& wisdom_dir) {
  if (wisdom_dir.empty()) return "";
  return wisdom_dir + "/fftwf-omp-" + std::string(fftwf_version).substr(0, 40) + ".wisdom";
}

const char* fftw_version_string() { return fftwf_version; }

namespace {
/** A buffer the size of `grid`'s in-place r2c volume for the planner to measure on (free with fftwf_free). */
float* planning_scratch(const Dims& grid) {
  const long floats = grid.z * grid.y * padded_row(grid.x);
  float* scratch = static_cast<float*>(fftwf_malloc(sizeof(float) * floats));
  if (scratch == nullptr) throw std::runtime_error("out of memory planning an FFT of " + std::to_string(floats) + " floats");
  return scratch;
}
}  // namespace

RealPlans get_real_plans(const Dims& grid, int threads, bool measure, const std::string& wisdom_dir) {
  std::lock_guard<std::mutex> guard(planner_lock());
  const Key key{grid.z, grid.y, grid.x, threads, measure};
  if (RealPlans known; cached_plans(cache(), key, &known)) return known;
  ensure_threads();
  fftwf_plan_with_nthreads(threads);
  const auto start = std::chrono::steady_clock::now();
  float* scratch = planning_scratch(grid);
  auto* spectrum = reinterpret_cast<fftwf_complex*>(scratch);
  const int nz = static_cast<int>(grid.z), ny = static_cast<int>(grid.y), nx = static_cast<int>(grid.x);
  RealPlans plans;
  const std::string path = wisdom_path(wisdom_dir);
  if (measure) {
    load_wisdom_once(path);
    const unsigned wisdom_only = FFTW_MEASURE | FFTW_WISDOM_ONLY;
    plans.forward = fftwf_plan_dft_r2c_3d(nz, ny, nx, scratch, spectrum, wisdom_only);
    plans.backward = fftwf_plan_dft_c2r_3d(nz, ny, nx, spectrum, scratch, wisdom_only);
    plans.source = PlanSource::Wisdom;
    if (plans.forward == nullptr || plans.backward == nullptr) {
      if (plans.forward == nullptr) plans.forward = fftwf_plan_dft_r2c_3d(nz, ny, nx, scratch, spectrum, FFTW_MEASURE);
      if (plans.backward == nullptr) plans.backward = fftwf_plan_dft_c2r_3d(nz, ny, nx, spectrum, scratch, FFTW_MEASURE);
      plans.source = PlanSource::Measured;
      save_wisdom(wisdom_dir, path);
    }
  } else {
    plans.forward = fftwf_plan_dft_r2c_3d(nz, ny, nx, scratch, spectrum, FFTW_ESTIMATE);
    plans.backward = fftwf_plan_dft_c2r_3d(nz, ny, nx, spectrum, scratch, FFTW_ESTIMATE);
    plans.source = PlanSource::Estimated;
  }
  fftwf_free(scratch);
  if (plans.forward == nullptr || plans.backward == nullptr) {
    throw std::runtime_error("FFTW could not plan a " + std::to_string(nz) + "x" + std::to_string(ny) + "x" +
                             std::to_string(nx) + " transform");
  }
  plans.plan_ms = ms_since(start);
  cache()[key] = plans;
  return plans;
}

namespace {
using PrunedKey = std::tuple<long, long, long, long, long, int, bool>;

std::map<PrunedKey, PrunedPlans>& pruned_cache() {
  static std::map<PrunedKey, PrunedPlans> plans;
  return plans;
}

/** The six 1-D passes; returns false when one cannot be made under `flags` (e.g. WISDOM_ONLY). */
bool make_pruned(PrunedPlans& p, const Dims& g, const Dims& r, float* real, unsigned flags) {
  auto* cplx = reinterpret_cast<fftwf_complex*>(real);
  const long row = padded_row(g.x), c = g.x / 2 + 1, plane = g.y * c;
  fftwf_iodim x_len = fft_iodim(g.x, 1, 1);
  fftwf_iodim x_rows[2] = {fft_iodim(r.z, g.y * row, plane), fft_iodim(r.y, row, c)};
  fftwf_iodim x_rows_back[2] = {fft_iodim(r.z, plane, g.y * row), fft_iodim(r.y, c, row)};
  fftwf_iodim y_len = fft_iodim(g.y, c, c);
  fftwf_iodim y_cols[2] = {fft_iodim(r.z, plane, plane), fft_iodim(c, 1, 1)};
  fftwf_iodim z_len = fft_iodim(g.z, plane, plane);
  fftwf_iodim z_cols[1] = {fft_iodim(plane, 1, 1)};
  if (p.x_forward == nullptr) p.x_forward = fftwf_plan_guru_dft_r2c(1, &x_len, 2, x_rows, real, cplx, flags);
  if (p.y_forward == nullptr) p.y_forward = fftwf_plan_guru_dft(1, &y_len, 2, y_cols, cplx, cplx, FFTW_FORWARD, flags);
  if (p.z_forward == nullptr) p.z_forward = fftwf_plan_guru_dft(1, &z_len, 1, z_cols, cplx, cplx, FFTW_FORWARD, flags);
  if (p.z_backward == nullptr) p.z_backward = fftwf_plan_guru_dft(1, &z_len, 1, z_cols, cplx, cplx, FFTW_BACKWARD, flags);
  if (p.y_backward == nullptr) p.y_backward = fftwf_plan_guru_dft(1, &y_len, 2, y_cols, cplx, cplx, FFTW_BACKWARD, flags);
  if (p.x_backward == nullptr) p.x_backward = fftwf_plan_guru_dft_c2r(1, &x_len, 2, x_rows_back, cplx, real, flags);
  return p.x_forward && p.y_forward && p.z_forward && p.z_backward && p.y_backward && p.x_backward;
}
}  // namespace

void PrunedPlans::forward(float* buffer) const {
  auto* cplx = reinterpret_cast<fftwf_complex*>(buffer);
  fftwf_execute_dft_r2c(x_forward, buffer, cplx);
  fftwf_execute_dft(y_forward, cplx, cplx);
  fftwf_execute_dft(z_forward, cplx, cplx);
}

void PrunedPlans::backward(float* buffer) const {
  auto* cplx = reinterpret_cast<fftwf_complex*>(buffer);
  fftwf_execute_dft(z_backward, cplx, cplx);
  fftwf_execute_dft(y_backward, cplx, cplx);
  fftwf_execute_dft_c2r(x_backward, cplx, buffer);
}

PrunedPlans get_pruned_plans(const Dims& grid, const Dims& region, int threads, bool measure, const std::string& wisdom_dir) {
  std::lock_guard<std::mutex> guard(planner_lock());
  const PrunedKey key{grid.z, grid.y, grid.x, region.z, region.y, threads, measure};
  if (PrunedPlans known; cached_plans(pruned_cache(), key, &known)) return known;
  ensure_threads();
  fftwf_plan_with_nthreads(threads);
  const auto start = std::chrono::steady_clock::now();
  float* scratch = planning_scratch(grid);
  PrunedPlans plans;
  bool ok = false;
  if (measure) {
    const std::string path = wisdom_path(wisdom_dir);
    load_wisdom_once(path);
    plans.source = PlanSource::Wisdom;
    if (!make_pruned(plans, grid, region, scratch, FFTW_MEASURE | FFTW_WISDOM_ONLY)) {
      ok = make_pruned(plans, grid, region, scratch, FFTW_MEASURE);
      plans.source = PlanSource::Measured;
      save_wisdom(wisdom_dir, path);
    } else {
      ok = true;
    }
  } else {
    ok = make_pruned(plans, grid, region, scratch, FFTW_ESTIMATE);
    plans.source = PlanSource::Estimated;
  }
  fftwf_free(scratch);
  if (!ok) throw std::runtime_error("FFTW could not plan the pruned transforms of a " + std::to_string(grid.z) + "x" + std::to_string(grid.y) + "x" + std::to_string(grid.x) + " grid");
  plans.plan_ms = ms_since(start);
  pruned_cache()[key] = plans;
  return plans;
}

std::mutex& fft_planner_mutex() { return planner_lock(); }

void fft_prepare_planner(const std::string& wisdom_dir, int threads) {
  ensure_threads();
  fftwf_plan_with_nthreads(threads);
  load_wisdom_once(wisdom_path(wisdom_dir));
}

void fft_store_wisdom(const std::string& wisdom_dir) { save_wisdom(wisdom_dir, wisdom_path(wisdom_dir)); }

}  // namespace gpudecon
