// CUDA path of the Richardson–Lucy iterations: cuFFT in-place real transforms on the same grid and
// with the same fused element-wise passes as the CPU path (rl_cpu.cc), so results agree to float
// rounding. Compiled only where the CUDA toolkit with cuFFT exists (binding.gyp, detect-cuda.mjs).
// Untested on hardware in this repository's CI: see the package README.
#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../rl_iterate.h"

namespace gpudecon {

namespace {
void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(status));
}

void check_fft(cufftResult status, const char* what) {
  if (status != CUFFT_SUCCESS) throw std::runtime_error(std::string("cuFFT ") + what + " failed with status " + std::to_string(static_cast<int>(status)));
}

/** A device allocation freed when it goes out of scope. */
template <typename T>
struct DeviceArray {
  T* ptr = nullptr;
  explicit DeviceArray(size_t count) { check(cudaMalloc(&ptr, sizeof(T) * std::max<size_t>(count, 1)), "cudaMalloc"); }
  ~DeviceArray() { cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

struct Plans {
  cufftHandle forward = 0, backward = 0;
  ~Plans() {
    if (forward) cufftDestroy(forward);
    if (backward) cufftDestroy(backward);
  }
};

/** Grid geometry shared by the kernels: region (image) inside the padded real grid. */
struct Geometry {
  long rz, ry, rx;  // region
  long gy, gx;      // grid rows per plane, samples per row
  long row;         // padded row length in floats
  long rows;        // gz * gy
};

__device__ inline bool inside(const Geometry& g, long r) { return r / g.gy < g.rz && r % g.gy < g.ry; }
__device__ inline long region_offset(const Geometry& g, long r) { return ((r / g.gy) * g.ry + r % g.gy) * g.rx; }

constexpr int kThreads = 256;

/** One block per grid row: threads stride over the row's samples. */
__global__ void load_kernel(Geometry g, float* work, const float* src) {
  const long r = blockIdx.x;
  float* w = work + r * g.row;
  const bool in = inside(g, r);
  const float* s = in ? src + region_offset(g, r) : nullptr;
  for (long i = threadIdx.x; i < g.gx; i += blockDim.x) w[i] = in && i < g.rx ? s[i] : 0.f;
}

__global__ void multiply_kernel(float2* spectrum, const float2* otf, long count, float sign) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < count; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const float2 a = spectrum[i];
    const float2 o = otf[i];
    const float d = sign * o.y;
    spectrum[i] = make_float2(a.x * o.x - a.y * d, a.x * d + a.y * o.x);
  }
}

__global__ void ratio_kernel(Geometry g, float* work, const float* y, float eps, float limit) {
  const long r = blockIdx.x;
  float* w = work + r * g.row;
  const bool in = inside(g, r);
  const float* yr = in ? y + region_offset(g, r) : nullptr;
  for (long i = threadIdx.x; i < g.gx; i += blockDim.x) {
    float q = 0.f;
    if (in && i < g.rx) {
      q = yr[i] / fmaxf(w[i], eps);
      if (limit > 0) q = fminf(q, limit);
    }
    w[i] = q;
  }
}

__global__ void update_plain_kernel(Geometry g, float* work, float* x) {
  const long r = blockIdx.x;
  float* w = work + r * g.row;
  const bool in = inside(g, r);
  float* xr = in ? x + region_offset(g, r) : nullptr;
  for (long i = threadIdx.x; i < g.gx; i += blockDim.x) {
    if (in && i < g.rx) {
      const float v = fmaxf(xr[i] * w[i], 0.f);
      xr[i] = v;
      w[i] = v;
    } else {
      w[i] = 0.f;
    }
  }
}

/** x (the prediction) <- max(x * corr, 0); g <- new x - prediction; sums <g_new, g_old> and <g_old, g_old>. */
__global__ void update_accelerated_kernel(Geometry g, const float* work, float* x, float* change, double* sums) {
  __shared__ double cross_part[kThreads];
  __shared__ double norm_part[kThreads];
  const long r = blockIdx.x;
  double cross = 0, norm = 0;
  if (inside(g, r)) {
    const float* w = work + r * g.row;
    const long o = region_offset(g, r);
    for (long i = threadIdx.x; i < g.rx; i += blockDim.x) {
      const float predicted = x[o + i];
      const float v = fmaxf(predicted * w[i], 0.f);
      const float delta = v - predicted;
      const float old = change[o + i];
      cross += static_cast<double>(delta) * old;
      norm += static_cast<double>(old) * old;
      x[o + i] = v;
      change[o + i] = delta;
    }
  }
  cross_part[threadIdx.x] = cross;
  norm_part[threadIdx.x] = norm;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      cross_part[threadIdx.x] += cross_part[threadIdx.x + s];
      norm_part[threadIdx.x] += norm_part[threadIdx.x + s];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    atomicAdd(&sums[0], cross_part[0]);
    atomicAdd(&sums[1], norm_part[0]);
  }
}

__global__ void predict_kernel(Geometry g, float* work, float* x, float* previous, float lambda) {
  const long r = blockIdx.x;
  float* w = work + r * g.row;
  const bool in = inside(g, r);
  const long o = in ? region_offset(g, r) : 0;
  for (long i = threadIdx.x; i < g.gx; i += blockDim.x) {
    if (in && i < g.rx) {
      const float now = x[o + i];
      const float y = fmaxf(now + lambda * (now - previous[o + i]), 0.f);
      previous[o + i] = now;
      x[o + i] = y;
      w[i] = y;
    } else {
      w[i] = 0.f;
    }
  }
}

__global__ void scatter_psf_kernel(float* work, const float* psf, const long* index, long count) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < count; i += static_cast<long>(gridDim.x) * blockDim.x) {
    if (index[i] >= 0) work[index[i]] = psf[i];
  }
}

__global__ void scale_otf_kernel(const float2* spectrum, float2* otf, long count, float scale) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < count; i += static_cast<long>(gridDim.x) * blockDim.x) {
    otf[i] = make_float2(spectrum[i].x * scale, spectrum[i].y * scale);
  }
}

long wrap_index(long offset, long n) {
  const long low = -(n / 2), high = n - n / 2 - 1;
  if (offset < low || offset > high) return -1;
  return offset < 0 ? offset + n : offset;
}

int blocks_for(long count) { return static_cast<int>(std::min<long>((count + kThreads - 1) / kThreads, 65535L * 16)); }

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

bool cuda_compiled() { return true; }

int cuda_device_count(std::string* why) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    if (why != nullptr) *why = std::string("no usable CUDA device (") + cudaGetErrorString(status) + ")";
    return 0;
  }
  if (count == 0 && why != nullptr) *why = "no CUDA device is present";
  return count;
}

void rl_iterate_cuda(const RLProblem& p, const DeconOptions& options, DeconReport& report, const JobControl& control) {
  const Geometry g{p.region.z, p.region.y, p.region.x, p.grid.y, p.grid.x, 2 * (p.grid.x / 2 + 1), p.grid.z * p.grid.y};
  const long region_count = p.region.count();
  const long complex_count = p.grid.z * p.grid.y * (p.grid.x / 2 + 1);
  check(cudaSetDevice(0), "cudaSetDevice");

  const auto plan_start = std::chrono::steady_clock::now();
  Plans plans;
  const int nz = static_cast<int>(p.grid.z), ny = static_cast<int>(p.grid.y), nx = static_cast<int>(p.grid.x);
  check_fft(cufftPlan3d(&plans.forward, nz, ny, nx, CUFFT_R2C), "plan R2C");
  check_fft(cufftPlan3d(&plans.backward, nz, ny, nx, CUFFT_C2R), "plan C2R");
  report.plan_source = "cufft";
  report.plan_ms = ms_since(plan_start);

  DeviceArray<float> work(static_cast<size_t>(g.rows * g.row));
  DeviceArray<float2> otf(static_cast<size_t>(complex_count));
  DeviceArray<float> y(static_cast<size_t>(region_count)), x(static_cast<size_t>(region_count));
  auto* spectrum = reinterpret_cast<cufftComplex*>(work.ptr);
  auto* real = reinterpret_cast<cufftReal*>(work.ptr);

  // OTF: scatter the prepared PSF around the origin, R2C, scale by 1/(N * placed mass).
  const auto otf_start = std::chrono::steady_clock::now();
  const PreparedPsf& psf = *p.psf;
  std::vector<long> index(static_cast<size_t>(psf.dims.count()), -1);
  double placed = 0;
  for (long z = 0; z < psf.dims.z; ++z)
    for (long yy = 0; yy < psf.dims.y; ++yy)
      for (long xx = 0; xx < psf.dims.x; ++xx) {
        const long gz = wrap_index(z - psf.cz, p.grid.z), gy = wrap_index(yy - psf.cy, p.grid.y), gx = wrap_index(xx - psf.cx, p.grid.x);
        if (gz < 0 || gy < 0 || gx < 0) continue;
        const long i = (z * psf.dims.y + yy) * psf.dims.x + xx;
        index[i] = (gz * p.grid.y + gy) * g.row + gx;
        placed += psf.values[i];
      }
  {
    DeviceArray<float> d_psf(psf.values.size());
    DeviceArray<long> d_index(index.size());
    check(cudaMemcpy(d_psf.ptr, psf.values.data(), sizeof(float) * psf.values.size(), cudaMemcpyHostToDevice), "copy PSF");
    check(cudaMemcpy(d_index.ptr, index.data(), sizeof(long) * index.size(), cudaMemcpyHostToDevice), "copy PSF index");
    check(cudaMemset(work.ptr, 0, sizeof(float) * g.rows * g.row), "clear work");
    scatter_psf_kernel<<<blocks_for(static_cast<long>(index.size())), kThreads>>>(work.ptr, d_psf.ptr, d_index.ptr, static_cast<long>(index.size()));
    check_fft(cufftExecR2C(plans.forward, real, spectrum), "PSF R2C");
    const float scale = static_cast<float>(1.0 / (static_cast<double>(p.grid.z) * p.grid.y * p.grid.x * placed));
    scale_otf_kernel<<<blocks_for(complex_count), kThreads>>>(reinterpret_cast<float2*>(spectrum), otf.ptr, complex_count, scale);
    check(cudaDeviceSynchronize(), "OTF");
  }
  report.otf_ms = ms_since(otf_start);

  check(cudaMemcpy(y.ptr, p.y, sizeof(float) * region_count, cudaMemcpyHostToDevice), "upload image");
  check(cudaMemcpy(x.ptr, p.x, sizeof(float) * region_count, cudaMemcpyHostToDevice), "upload estimate");
  std::unique_ptr<DeviceArray<float>> previous, change;
  DeviceArray<double> sums(2);
  if (options.accelerate) {
    previous = std::make_unique<DeviceArray<float>>(static_cast<size_t>(region_count));
    change = std::make_unique<DeviceArray<float>>(static_cast<size_t>(region_count));
    check(cudaMemset(change->ptr, 0, sizeof(float) * region_count), "clear change");
    check(cudaMemcpy(previous->ptr, x.ptr, sizeof(float) * region_count, cudaMemcpyDeviceToDevice), "copy estimate");
  }

  const auto start = std::chrono::steady_clock::now();
  const int rows = static_cast<int>(g.rows);
  if (!options.accelerate) load_kernel<<<rows, kThreads>>>(g, work.ptr, x.ptr);
  double host_sums[2] = {0, 0};
  for (int k = 0; k < options.iterations; ++k) {
    if (options.accelerate) {
      float lambda = 0;
      if (k >= 2) lambda = static_cast<float>(std::clamp(host_sums[0] / (host_sums[1] + 1e-30), 0.0, 1.0));
      report.lambdas.push_back(lambda);
      predict_kernel<<<rows, kThreads>>>(g, work.ptr, x.ptr, previous->ptr, lambda);
    }
    check_fft(cufftExecR2C(plans.forward, real, spectrum), "R2C");
    multiply_kernel<<<blocks_for(complex_count), kThreads>>>(reinterpret_cast<float2*>(spectrum), otf.ptr, complex_count, 1.f);
    check_fft(cufftExecC2R(plans.backward, spectrum, real), "C2R");
    ratio_kernel<<<rows, kThreads>>>(g, work.ptr, y.ptr, p.eps, options.ratio_limit);
    check_fft(cufftExecR2C(plans.forward, real, spectrum), "R2C");
    multiply_kernel<<<blocks_for(complex_count), kThreads>>>(reinterpret_cast<float2*>(spectrum), otf.ptr, complex_count, -1.f);
    check_fft(cufftExecC2R(plans.backward, spectrum, real), "C2R");
    if (options.accelerate) {
      check(cudaMemset(sums.ptr, 0, sizeof(double) * 2), "clear sums");
      update_accelerated_kernel<<<rows, kThreads>>>(g, work.ptr, x.ptr, change->ptr, sums.ptr);
      check(cudaMemcpy(host_sums, sums.ptr, sizeof(double) * 2, cudaMemcpyDeviceToHost), "read sums");
    } else {
      update_plain_kernel<<<rows, kThreads>>>(g, work.ptr, x.ptr);
      check(cudaDeviceSynchronize(), "iteration");
    }
    check(cudaGetLastError(), "kernel launch");
    control.report(k + 1, options.iterations);
    control.check();
  }
  report.iterate_ms = ms_since(start);
  check(cudaMemcpy(p.x, x.ptr, sizeof(float) * region_count, cudaMemcpyDeviceToHost), "download result");
}

}  // namespace gpudecon
