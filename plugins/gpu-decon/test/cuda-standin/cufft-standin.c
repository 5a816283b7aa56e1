/* A stand-in libcufft for the build check: links like cuFFT, and every plan fails (CUFFT_INVALID_PLAN). */
typedef int cufftHandle;
int cufftPlan3d(cufftHandle* plan, int nx, int ny, int nz, int type) {
  (void)plan, (void)nx, (void)ny, (void)nz, (void)type;
  return 1;
}
int cufftExecR2C(cufftHandle plan, void* in, void* out) {
  (void)plan, (void)in, (void)out;
  return 1;
}
int cufftExecC2R(cufftHandle plan, void* in, void* out) {
  (void)plan, (void)in, (void)out;
  return 1;
}
int cufftDestroy(cufftHandle plan) {
  (void)plan;
  return 0;
}
