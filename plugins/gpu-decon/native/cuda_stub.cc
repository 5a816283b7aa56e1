// Built when the CUDA toolkit with cuFFT is absent: the CPU path is then the only device.
#include <stdexcept>
#include <string>

#include "rl_iterate.h"

namespace gpudecon {

bool cuda_compiled() { return false; }

int cuda_device_count(std::string* why) {
  if (why != nullptr) *why = "the addon was built without CUDA (no nvcc with cuFFT when it was built)";
  return 0;
}

void rl_iterate_cuda(const RLProblem&, const DeconOptions&, DeconReport&, const JobControl&) {
  throw std::runtime_error("the addon was built without CUDA");
}

}  // namespace gpudecon
