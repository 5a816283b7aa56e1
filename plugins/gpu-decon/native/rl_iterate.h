// Richardson–Lucy iterations on a prepared problem, one implementation per device.
#pragma once
#include "decon_problem.h"
#include "huge_buffer.h"

namespace gpudecon {

/** A preprocessed problem: observation `y` and estimate `x` (both region-sized, C order), the PSF and the grid. */
struct RLProblem {
  const float* y = nullptr;
  float* x = nullptr;
  Dims region;
  Dims grid;
  const PreparedPsf* psf = nullptr;
  /** Lower bound of the re-blurred estimate in the ratio (guards division by zero). */
  float eps = 1e-12f;
};

/**
 * The buffers of first-order Biggs–Andrews acceleration, both region-sized: the previous estimate
 * (starts as `x`) and the last change (starts at 0). Both are read before their first write, and
 * 0 × uninitialised memory could be NaN, hence the explicit start values.
 */
struct AccelerationState {
  HugePtr<float> previous, change;
};

/** The acceleration buffers for an estimate `x` of `count` values (see AccelerationState). */
AccelerationState acceleration_state(const float* x, long count);

/** CPU iterations with FFTW (in-place real transforms) and OpenMP fused element-wise passes. */
void rl_iterate_cpu(const RLProblem& problem, const DeconOptions& options, DeconReport& report, const JobControl& control);

/**
 * The CPU iterations with the element-wise passes fused into cache-sized transform pieces (four
 * sweeps of the volume per plain iteration); rl_iterate_cpu uses it unless GPUDECON_FUSED=0.
 */
void rl_iterate_fused(const RLProblem& problem, const DeconOptions& options, DeconReport& report, const JobControl& control);

/** True when the CUDA path is compiled in. */
bool cuda_compiled();

/** Number of CUDA devices (0 when not compiled in or no driver); `why` says what failed. */
int cuda_device_count(std::string* why);

/** The same iterations with cuFFT on device 0 (throws std::runtime_error when CUDA is not compiled in). */
void rl_iterate_cuda(const RLProblem& problem, const DeconOptions& options, DeconReport& report, const JobControl& control);

}  // namespace gpudecon
