/** @bioimageit/server (work in progress). */
export {};
