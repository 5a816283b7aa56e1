/** @bioimageit/docker-runner (work in progress). */
export {};
