// Stand-in declarations of the cuFFT calls native/cuda/rl_cuda.cu makes, for the build check in
// cuda-build.spec.ts on machines with nvcc but without cuFFT. Written from cuFFT's documented API;
// there is no FFT behind it (see cufft-standin.c).
#pragma once
#include <cuda_runtime.h>

typedef int cufftHandle;
typedef float cufftReal;
typedef float2 cufftComplex;
typedef enum { CUFFT_SUCCESS = 0, CUFFT_INVALID_PLAN = 1, CUFFT_ALLOC_FAILED = 2 } cufftResult;
typedef enum { CUFFT_R2C = 0x2a, CUFFT_C2R = 0x2c, CUFFT_C2C = 0x29 } cufftType;

extern "C" {
cufftResult cufftPlan3d(cufftHandle* plan, int nx, int ny, int nz, cufftType type);
cufftResult cufftExecR2C(cufftHandle plan, cufftReal* idata, cufftComplex* odata);
cufftResult cufftExecC2R(cufftHandle plan, cufftComplex* idata, cufftReal* odata);
cufftResult cufftDestroy(cufftHandle plan);
}
