// One deconvolution: options, the preprocessed observation, and what a run reports back.
#pragma once
#include <string>
#include <vector>

#include "fft_plans.h"
#include "job_control.h"
#include "psf_otf.h"

namespace gpudecon {

/** Pixel type of an input volume handed over from JavaScript without a copy. */
enum class SampleType { Float32, Uint16 };

/** A read-only volume in C order (z, y, x). */
struct VolumeView {
  const void* data = nullptr;
  SampleType type = SampleType::Float32;
  Dims dims;
  float at(long i) const {
    return type == SampleType::Float32 ? static_cast<const float*>(data)[i] : static_cast<float>(static_cast<const uint16_t*>(data)[i]);
  }
};

/** Everything a deconvolution call can be asked to do. */
struct DeconOptions {
  int iterations = 10;
  /** false: `padded` (linear convolution, skimage semantics); true: `wrap` (circular on a cropped smooth grid, cudaDecon). */
  bool wrap = false;
  /** First-order Biggs–Andrews acceleration from the third iteration, weight clamped to [0, 1]. */
  bool accelerate = false;
  /** Subtracted from the image (clamped at 0); negative: the median of the last z plane. */
  double background = 0;
  /** Wrap mode: pixels apodized at the x and y edges of every plane, and planes blended at the z ends. */
  long napodize = 0;
  long nz_blend = 0;
  /** Ratio clamped to [-limit, limit] when > 0 (cudaDecon uses 10). */
  float ratio_limit = 0;
  int threads = 1;
  /** FFTW_MEASURE with wisdom (true) or FFTW_ESTIMATE. */
  bool measure = true;
  std::string wisdom_dir;
  PsfOptions psf;
  /** Use the CUDA path (only when compiled in and a device is present). */
  bool cuda = false;
};

/** Facts about a finished deconvolution, returned to JavaScript. */
struct DeconReport {
  Dims output;
  Dims grid;
  std::string plan_source = "none";
  double plan_ms = 0, otf_ms = 0, iterate_ms = 0;
  double flux_in = 0, flux_out = 0;
  double background = 0, psf_background = 0;
  std::vector<double> lambdas;
  std::string device = "cpu";
};

/** Output shape of a deconvolution of `image` voxels: unchanged (padded) or cropped to smooth sizes (wrap). */
Dims decon_output_dims(const Dims& image, bool wrap);

/**
 * Deconvolves `image` with `psf` into `out` (decon_output_dims floats, allocated by the caller).
 * Runs on the calling thread (with `options.threads` worker threads); checks `control` for
 * cancellation after each iteration. Throws InvalidArgument, Cancelled or std::runtime_error.
 */
DeconReport deconvolve(const VolumeView& image, const float* psf, const Dims& psf_dims, const DeconOptions& options,
                       float* out, const JobControl& control);

}  // namespace gpudecon
