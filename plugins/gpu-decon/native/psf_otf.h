// PSF preparation (background, centring, normalisation, radial averaging) and OTF on an FFT grid.
#pragma once
#include <fftw3.h>

#include <vector>

#include "fft_plans.h"
#include "job_control.h"

namespace gpudecon {

/** How a measured PSF is cleaned before it becomes an OTF. */
struct PsfOptions {
  /** Value subtracted from every voxel (results clamped at 0); negative: estimate it (median of the border voxels). */
  double background = 0;
  /** Replace each z plane by its average over rings around the peak (cudaDecon's radial averaging, done in real space). */
  bool radial = false;
};

/** A cleaned PSF: unit sum, with the voxel its centre is taken from. */
struct PreparedPsf {
  std::vector<float> values;
  Dims dims;
  long cz = 0, cy = 0, cx = 0;
  double background = 0;
};

/**
 * Cleans `psf` (dims voxels): subtracts the background, finds the brightest voxel (the centre),
 * optionally averages radially, normalises to unit sum. Throws InvalidArgument when nothing
 * positive is left.
 */
PreparedPsf prepare_psf(const float* psf, const Dims& dims, const PsfOptions& options);

/**
 * Zeroes `work` (an in-place r2c buffer of `grid`, z planes `plane_floats` apart; 0: unpadded,
 * grid.y·padded_row(grid.x)) and adds the PSF with its centre at the origin (wrapped around),
 * cropped to the grid; returns the sum of what was placed.
 */
double place_psf(const PreparedPsf& psf, const Dims& grid, float* work, int threads, long plane_floats = 0);

/**
 * Writes the half-spectrum OTF of `psf` on `grid` (grid.z*grid.y*(grid.x/2+1) complex values) to
 * `otf`, with the PSF centre at the origin and the 1/N normalisation of the inverse FFT folded in.
 * A PSF larger than the grid is cropped around its centre (and renormalised). `work` is an FFT
 * buffer of the grid.
 */
void build_otf(const PreparedPsf& psf, const Dims& grid, const RealPlans& plans, float* work, fftwf_complex* otf, int threads);

}  // namespace gpudecon
