#include "deskew.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace gpudecon {

namespace {
constexpr double kPi = 3.14159265358979323846;

double radians(double degrees) { return degrees * kPi / 180.0; }

template <typename T>
void deskew_plane(const T* in, long ny, long nx, long width, double offset, float pad, float* out) {
  // Input column of output column xo is xo + offset; one fractional weight for the whole plane.
  // Offsets within 1e-6 px of a whole pixel are that pixel (so the edge column is not lost to rounding).
  const double snapped = std::abs(offset - std::round(offset)) < 1e-6 ? std::round(offset) : offset;
  const double base = std::floor(snapped);
  const long shift = static_cast<long>(base);
  const float frac = static_cast<float>(snapped - base);
  const float keep = 1.f - frac;
  // Valid xo: 0 <= xo + shift and xo + shift + 1 <= nx - 1 (or == nx - 1 with no fractional part).
  long first = std::min(width, std::max(0L, -shift));
  long last = std::min(width, nx - 1 - shift);  // exclusive
  if (frac == 0.f) last = std::min(width, nx - shift);
  if (last < first) last = first;
  for (long row = 0; row < ny; ++row) {
    const T* src = in + row * nx + shift;
    float* dst = out + row * width;
    for (long xo = 0; xo < first; ++xo) dst[xo] = pad;
    if (frac == 0.f) {
      for (long xo = first; xo < last; ++xo) dst[xo] = static_cast<float>(src[xo]);
    } else {
      for (long xo = first; xo < last; ++xo) dst[xo] = keep * static_cast<float>(src[xo]) + frac * static_cast<float>(src[xo + 1]);
    }
    for (long xo = last; xo < width; ++xo) dst[xo] = pad;
  }
}
}  // namespace

DeskewGeometry deskew_geometry(const Dims& input, const DeskewOptions& o) {
  if (!std::isfinite(o.dz) || o.dz <= 0) throw InvalidArgument("dz must be a positive number, got " + std::to_string(o.dz));
  if (!std::isfinite(o.dx) || o.dx <= 0) throw InvalidArgument("dx must be a positive number, got " + std::to_string(o.dx));
  if (!std::isfinite(o.angle) || o.angle <= -180 || o.angle >= 180) {
    throw InvalidArgument("angle must be in (-180, 180) degrees, got " + std::to_string(o.angle));
  }
  const double theta = radians(o.angle < 0 ? o.angle + 180 : o.angle);
  DeskewGeometry g;
  g.shear = std::cos(theta) * o.dz / o.dx;
  g.dz_out = std::abs(std::sin(theta)) * o.dz;
  if (g.dz_out < 1e-9 * o.dz) throw InvalidArgument("angle " + std::to_string(o.angle) + " puts the sheet in the stage plane: nothing to deskew");
  g.width = o.width > 0 ? o.width : input.x + static_cast<long>(std::floor(input.z * o.dz * std::abs(std::cos(theta)) / o.dx));
  return g;
}

void deskew(const VolumeView& input, const DeskewOptions& o, float* out, const JobControl& control) {
  const DeskewGeometry g = deskew_geometry(input.dims, o);
  const Dims& d = input.dims;
  const long plane_in = d.y * d.x, plane_out = d.y * g.width;
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, o.threads))
  for (long z = 0; z < d.z; ++z) {
    const double offset = (-g.width / 2.0 + o.shift) - g.shear * (z - d.z / 2.0) + d.x / 2.0;
    if (input.type == SampleType::Uint16) {
      deskew_plane(static_cast<const uint16_t*>(input.data) + z * plane_in, d.y, d.x, g.width, offset, o.pad_value, out + z * plane_out);
    } else {
      deskew_plane(static_cast<const float*>(input.data) + z * plane_in, d.y, d.x, g.width, offset, o.pad_value, out + z * plane_out);
    }
  }
  control.check();
}

RotateGeometry rotate_geometry(const Dims& input, double angle, double dz, double dx) {
  const double r = radians(angle);
  const double width = input.x * dx, depth = input.z * dz;
  RotateGeometry g;
  const auto pixels = [dx](double extent) { return std::max(1L, static_cast<long>(std::ceil(extent / dx - 1e-6))); };
  g.nx = pixels(std::abs(width * std::cos(r)) + std::abs(depth * std::sin(r)));
  g.nz = pixels(std::abs(width * std::sin(r)) + std::abs(depth * std::cos(r)));
  return g;
}

void rotate(const float* input, const Dims& d, double angle, double dz, double dx, float* out, int threads, const JobControl& control) {
  const RotateGeometry g = rotate_geometry(d, angle, dz, dx);
  const double r = radians(angle), c = std::cos(r), s = std::sin(r);
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, threads))
  for (long zo = 0; zo < g.nz; ++zo) {
    for (long xo = 0; xo < g.nx; ++xo) {
      // Output physical position relative to the centre, rotated back into the deskewed frame.
      const double px = (xo - g.nx / 2.0 + 0.5) * dx, pz = (zo - g.nz / 2.0 + 0.5) * dx;
      const double xi = (c * px + s * pz) / dx + d.x / 2.0 - 0.5;
      const double zi = (-s * px + c * pz) / dz + d.z / 2.0 - 0.5;
      const long x0 = static_cast<long>(std::floor(xi)), z0 = static_cast<long>(std::floor(zi));
      const bool inside = x0 >= 0 && z0 >= 0 && x0 + 1 < d.x && z0 + 1 < d.z;
      const float fx = static_cast<float>(xi - x0), fz = static_cast<float>(zi - z0);
      for (long y = 0; y < d.y; ++y) {
        float v = 0;
        if (inside) {
          const float* a = input + (z0 * d.y + y) * d.x + x0;
          const float* b = input + ((z0 + 1) * d.y + y) * d.x + x0;
          v = (1 - fz) * ((1 - fx) * a[0] + fx * a[1]) + fz * ((1 - fx) * b[0] + fx * b[1]);
        }
        out[(zo * d.y + y) * g.nx + xo] = v;
      }
    }
  }
  control.check();
}

void max_projections(const float* input, const Dims& d, float* along_z, float* along_y, float* along_x, int threads) {
  std::fill(along_z, along_z + d.y * d.x, -INFINITY);
#pragma omp parallel for schedule(static) num_threads(std::max(1, threads))
  for (long z = 0; z < d.z; ++z) {
    for (long y = 0; y < d.y; ++y) {
      const float* row = input + (z * d.y + y) * d.x;
      float m = -INFINITY;
      for (long x = 0; x < d.x; ++x) m = std::max(m, row[x]);
      along_x[z * d.y + y] = m;
    }
    float* yz = along_y + z * d.x;
    std::copy(input + z * d.y * d.x, input + z * d.y * d.x + d.x, yz);
    for (long y = 1; y < d.y; ++y) {
      const float* row = input + (z * d.y + y) * d.x;
      for (long x = 0; x < d.x; ++x) yz[x] = std::max(yz[x], row[x]);
    }
  }
  for (long z = 0; z < d.z; ++z) {
    const float* plane = input + z * d.y * d.x;
#pragma omp parallel for schedule(static) num_threads(std::max(1, threads))
    for (long i = 0; i < d.y * d.x; ++i) along_z[i] = std::max(along_z[i], plane[i]);
  }
}

}  // namespace gpudecon
