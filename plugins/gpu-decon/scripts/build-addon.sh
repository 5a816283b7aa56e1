#!/bin/sh
# Builds the native addon (node-gyp, FFTW single precision + OpenMP, CUDA when nvcc and cuFFT exist).
# Where FFTW is missing, prints the fix and exits 0 so the TypeScript part still builds; the plugin
# then reports itself unavailable at activation. GPUDECON_REQUIRE_ADDON=1 makes a missing FFTW fatal.
# `build-addon.sh --check` only says whether FFTW is there (exit 0) or not (exit 1, with why).
set -eu
cd "$(dirname "$0")/.."
FIX="sudo apt-get install -y libfftw3-dev g++ make python3 && npm run build -w plugins/gpu-decon"
[ -n "${FFTW_PREFIX:-}" ] && FIX="install FFTW 3.3 (single precision, --enable-float --enable-openmp) under $FFTW_PREFIX, or unset FFTW_PREFIX; then npm run build -w plugins/gpu-decon"
# FFTW_PREFIX=/opt/fftw looks only there (include/, lib/); otherwise the system folders.
have_fftw() {
  if [ -n "${FFTW_PREFIX:-}" ]; then
    [ -f "$FFTW_PREFIX/include/fftw3.h" ] && { [ -e "$FFTW_PREFIX/lib/libfftw3f_omp.so" ] || [ -e "$FFTW_PREFIX/lib64/libfftw3f_omp.so" ]; }
    return
  fi
  for dir in /usr/include /usr/local/include; do
    [ -f "$dir/fftw3.h" ] || continue
    for lib in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
      [ -e "$lib/libfftw3f_omp.so" ] && return 0
    done
  done
  return 1
}
# --check: builds nothing; exits 0 when FFTW is found, else says what is missing and exits 1
# (the CUDA build check in test/ asks it before it builds a copy of the addon).
if [ "${1:-}" = "--check" ]; then
  have_fftw && exit 0
  echo "FFTW 3 (fftw3.h and libfftw3f_omp.so, single precision with OpenMP) was not found${FFTW_PREFIX:+ under FFTW_PREFIX=$FFTW_PREFIX}"
  exit 1
fi
if ! have_fftw; then
  echo "gpu-decon: FFTW (single precision, OpenMP) was not found: the native addon is NOT built." >&2
  echo "gpu-decon: the plugin will report itself unavailable. Fix: $FIX" >&2
  [ "${GPUDECON_REQUIRE_ADDON:-0}" = "1" ] && exit 1
  exit 0
fi
NODE_GYP="$(command -v node-gyp || echo ../../node_modules/.bin/node-gyp)"
if [ -f build/Makefile ] && [ build/Makefile -nt binding.gyp ]; then
  "$NODE_GYP" build --nodedir="$(dirname "$(dirname "$(command -v node)")")"
else
  "$NODE_GYP" rebuild --nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
