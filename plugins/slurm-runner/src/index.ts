/** @bioimageit/slurm-runner (work in progress). */
export {};
