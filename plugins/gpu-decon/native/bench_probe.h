#pragma once

namespace gpudecon {

/** Median bytes per second of a triad (a = b + s·c, 3 streams) over arrays of `floats` values. */
double triad_bandwidth(long floats, int repeats, int threads);

}  // namespace gpudecon
