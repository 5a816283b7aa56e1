export * from './kernel.js';
export * from './create-kernel.js';
