{
  "variables": {
    "with_cuda%": "<!(node ./scripts/detect-cuda.mjs)",
    "cuda_home%": "<!(node ./scripts/detect-cuda.mjs --home)",
    "fftw_prefix%": "<!(node -p \"process.env.FFTW_PREFIX || ''\")"
  },
  "targets": [
    {
      "target_name": "gpu_decon",
      "sources": [
        "native/addon.cc",
        "native/bench_probe.cc",
        "native/decon.cc",
        "native/deskew.cc",
        "native/fft_grid.cc",
        "native/fft_plans.cc",
        "native/fused_plans.cc",
        "native/huge_buffer.cc",
        "native/psf_otf.cc",
        "native/rl_cpu.cc",
        "native/rl_fused.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions", "-ffp-contract=fast"],
      "cflags!": ["-fno-exceptions"],
      "libraries": ["-lfftw3f_omp", "-lfftw3f", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "conditions": [
        ["fftw_prefix!=''", {
          "include_dirs": ["<(fftw_prefix)/include"],
          "libraries": ["-L<(fftw_prefix)/lib", "-L<(fftw_prefix)/lib64", "-Wl,-rpath,<(fftw_prefix)/lib", "-Wl,-rpath,<(fftw_prefix)/lib64"]
        }],
        ["with_cuda==1", {
          "defines": ["GPUDECON_CUDA=1"],
          "include_dirs": ["<(cuda_home)/include"],
          "libraries": ["-L<(cuda_home)/lib64", "-Wl,-rpath,<(cuda_home)/lib64", "-lcufft", "-lcudart"],
          "sources": ["native/cuda/rl_cuda.cu"],
          "rules": [{
            "rule_name": "nvcc",
            "extension": "cu",
            "inputs": ["<(RULE_INPUT_PATH)"],
            "outputs": ["<(INTERMEDIATE_DIR)/<(RULE_INPUT_ROOT).o"],
            "action": ["<(cuda_home)/bin/nvcc", "-std=c++17", "-O3", "-I<(cuda_home)/include", "-Xcompiler", "-fPIC", "-c", "<@(_inputs)", "-o", "<@(_outputs)"],
            "message": "nvcc <(RULE_INPUT_PATH)",
            "process_outputs_as_sources": 1
          }]
        }, {
          "sources": ["native/cuda_stub.cc"]
        }]
      ]
    }
  ]
}
