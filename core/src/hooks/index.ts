export * from './kernel-hooks.js';
export * from './plugin-hooks-facade.js';
