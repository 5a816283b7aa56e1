// Cancellation and progress shared by every long-running native operation.
#pragma once
#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

namespace gpudecon {

/** Thrown by an operation that noticed its cancel flag; the binding turns it into code CANCELLED. */
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

/** Thrown for bad arguments found on the worker thread (code INVALID). */
struct InvalidArgument : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** What an operation may ask of its caller while it runs on a worker thread. */
struct JobControl {
  const std::atomic<bool>* cancelled = nullptr;
  /** Called with (done, total) steps; must be cheap and thread-safe. */
  std::function<void(int, int)> progress;

  void check() const {
    if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) throw Cancelled();
  }
  void report(int done, int total) const {
    if (progress) progress(done, total);
  }
};

/** Z, Y, X sizes of a volume, slowest first. */
struct Dims {
  long z = 0, y = 0, x = 0;
  long count() const { return z * y * x; }
};

}  // namespace gpudecon
