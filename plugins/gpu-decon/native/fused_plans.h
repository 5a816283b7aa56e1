// Single-threaded FFTW plans for cache-sized pieces of a 3-D in-place real transform, so that
// Richardson–Lucy can fuse its element-wise passes into the transform passes.
#pragma once
#include <fftw3.h>

#include <string>

#include "fft_plans.h"

namespace gpudecon {

/**
 * A 3-D in-place r2c/c2r transform of `grid` (standard FFTW half-spectrum layout, rows of
 * padded_row(grid.x) floats) cut into pieces that fit in cache and run on OpenMP threads:
 * - plane pieces: the x rows of one z plane (only the `region.y` rows that hold data) and the
 *   y columns of that plane's half-spectrum;
 * - column pieces: the z transforms of `block` adjacent half-spectrum columns (and a `tail` plan
 *   for the last, shorter block).
 * Each plan is single-threaded and executed with the new-array functions on the piece's address.
 */
struct FusedPlans {
  fftwf_plan rows_forward = nullptr, rows_backward = nullptr;
  /** The x rows of a whole plane (all grid.y rows: the OTF, whose PSF wraps around). */
  fftwf_plan all_rows_forward = nullptr;
  fftwf_plan cols_forward = nullptr, cols_backward = nullptr;
  /** The y transforms of `y_block` adjacent columns of a plane (and `y_tail` in the last block); 0: whole planes. */
  fftwf_plan y_block_forward = nullptr, y_block_backward = nullptr, y_tail_forward = nullptr, y_tail_backward = nullptr;
  long y_block = 0, y_tail = 0;
  /** Along z: columns one fused_plane_stride(grid) apart. */
  fftwf_plan z_forward = nullptr, z_backward = nullptr;
  fftwf_plan z_tail_forward = nullptr, z_tail_backward = nullptr;
  /** Complex columns per z piece; `tail` columns in the last one (0: none). */
  long block = 0, tail = 0;
  PlanSource source = PlanSource::Memory;
  double plan_ms = 0;
};

/**
 * Complex values from one z plane of the fused work buffer to the next: grid.y·(grid.x/2+1),
 * padded so that the stride is an odd number of 64-byte lines. Unpadded, a plane of a
 * power-of-two grid is a multiple of 4 KiB, so the z transforms' 128+ values of a column all fall
 * in one L1 cache set (measured: the z pass 35 % slower at 128×512×512).
 */
long fused_plane_stride(const Dims& grid);

/**
 * Plans for `grid` with data in `region` (region == grid in wrap mode), made on `buffer` (the
 * caller's work buffer of grid.z planes of 2·fused_plane_stride(grid) floats; its contents are destroyed
 * when FFTW measures). Cached per shape for the process; FFTW_MEASURE with on-disk wisdom when
 * `measure`, else FFTW_ESTIMATE. GPUDECON_BLOCK overrides the column block (default 32).
 */
FusedPlans get_fused_plans(const Dims& grid, const Dims& region, float* buffer, bool measure, const std::string& wisdom_dir);

}  // namespace gpudecon
