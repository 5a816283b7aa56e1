export * from './kernel-config.js';
export * from './license-value.js';
export * from './load-config.js';
export * from './parse-orcid.js';
export * from './tool-folders.js';
