export * from './kernel-hooks.js';
