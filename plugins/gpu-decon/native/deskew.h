// Stage-scan deskew (a shear along x per plane), rotation to the coverslip frame, and projections.
#pragma once
#include "decon_problem.h"
#include "job_control.h"

namespace gpudecon {

/** Deskew parameters, as cudaDecon names them. */
struct DeskewOptions {
  /** Sheet angle θ in degrees (negative: θ + 180, which flips the shear). */
  double angle = 31.5;
  /** Stage step between planes and lateral pixel size, same unit. */
  double dz = 0.5, dx = 0.1;
  /** Output width in pixels; 0: nx + floor(nz·dz·|cos θ| / dx). */
  long width = 0;
  /** Extra shift of the output window in pixels. */
  double shift = 0;
  /** Value of output pixels that no input pixel covers. */
  float pad_value = 0;
  int threads = 1;
};

/** Derived sizes: output width, shear in pixels per plane, z step of the deskewed stack. */
struct DeskewGeometry {
  long width = 0;
  double shear = 0;
  double dz_out = 0;
};

/** Throws InvalidArgument for non-finite or non-positive steps, or an angle that makes no shear plane. */
DeskewGeometry deskew_geometry(const Dims& input, const DeskewOptions& options);

/**
 * Shears every plane by shear·(z − nz/2) pixels along x with linear interpolation into `out`
 * (nz × ny × width floats). One fractional weight per plane, so each row is a two-tap filter.
 */
void deskew(const VolumeView& input, const DeskewOptions& options, float* out, const JobControl& control);

/** Rotation of a deskewed stack about y into the coverslip frame, with isotropic output voxels (dx). */
struct RotateGeometry {
  long nz = 0, nx = 0;
};

/** Output sizes of {@link rotate} for a deskewed stack of `input` voxels with steps dz_out and dx. */
RotateGeometry rotate_geometry(const Dims& input, double angle, double dz, double dx);

/** Bilinear rotation in the x–z plane by `angle` degrees; 0 outside the input. */
void rotate(const float* input, const Dims& dims, double angle, double dz, double dx, float* out, int threads,
            const JobControl& control);

/** Maximum projections along z (ny×nx), y (nz×nx) and x (nz×ny), written to the three outputs. */
void max_projections(const float* input, const Dims& dims, float* along_z, float* along_y, float* along_x, int threads);

}  // namespace gpudecon
