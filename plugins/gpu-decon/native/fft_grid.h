// FFT grid sizes: smooth (2,3,5,7) sizes chosen for speed, or cropped for cudaDecon-style wrap mode.
#pragma once
#include "job_control.h"

namespace gpudecon {

/** True when n > 0 has no prime factor other than 2, 3, 5 and 7. */
bool is_smooth(long n);

/** The largest smooth size <= n (n >= 1). */
long largest_smooth_at_most(long n);

/**
 * A smooth size >= n expected to transform fastest: the candidates up to 30 % above n are ranked
 * by size times a per-factor penalty measured with Debian's FFTW (radix 2 cheapest, then 3, 5, 7),
 * so 288 wins over 270 and 576 over 540.
 */
long fast_smooth_at_least(long n);

/** Padded grid for linear convolution of a volume of `image` voxels with a PSF of `psf` voxels. */
Dims padded_grid(const Dims& image, const Dims& psf);

/** Wrap-mode grid: each axis cropped down to a smooth size. */
Dims wrap_grid(const Dims& image);

}  // namespace gpudecon
