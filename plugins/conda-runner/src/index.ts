/** @bioimageit/conda-runner (work in progress). */
export {};
