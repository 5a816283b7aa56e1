export * from './kernel-config.js';
export * from './load-config.js';
