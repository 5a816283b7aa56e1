export type * from './data-item.js';
export type * from './experiment.js';
export type * from './run.js';
export type * from './tool-manifest.js';
export type * from './experiment-check.js';
