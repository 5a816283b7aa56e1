#pragma once
#include <cstdint>

namespace gpudecon {

/** Median bytes per second of a triad (a = b + s·c, 3 streams) over arrays of `floats` values. */
double triad_bandwidth(long floats, int repeats, int threads);

/**
 * Seconds to stream `in` (n_in samples, already in memory) into `out_floats` floats of newly
 * allocated memory (out[i] = in[i mod n_in]) on `threads` threads: what any first call that
 * returns a new result pays, page faults on fresh pages included. The memory is then freed.
 */
double fresh_stream_seconds(const uint16_t* in, long n_in, long out_floats, int threads);

}  // namespace gpudecon
