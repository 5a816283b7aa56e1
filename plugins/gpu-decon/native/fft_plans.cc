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

RealPlans get_real_plans(const Dims& grid, int threads, bool measure, const std::string& wisdom_dir) {
  std::lock_guard<std::mutex> guard(planner_lock());
  const Key key{grid.z, grid.y, grid.x, threads, measure};
  auto found = cache().find(key);
  if (found != cache().end()) {
    RealPlans plans = found->second;
    plans.source = PlanSource::Memory;
    plans.plan_ms = 0;
    return plans;
  }
  ensure_threads();
  fftwf_plan_with_nthreads(threads);
  const auto start = std::chrono::steady_clock::now();
  const long floats = grid.z * grid.y * padded_row(grid.x);
  float* scratch = static_cast<float*>(fftwf_malloc(sizeof(float) * floats));
  if (scratch == nullptr) throw std::runtime_error("out of memory planning an FFT of " + std::to_string(floats) + " floats");
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

}  // namespace gpudecon
