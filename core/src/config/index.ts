export * from './kernel-config.js';
export * from './load-config.js';
export * from './tool-folders.js';
