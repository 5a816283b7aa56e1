/** @bioimageit/gpu-decon (work in progress). */
export {};
