export * from './kernel.js';
export * from './create-kernel.js';
export * from './tool-tests.js';
