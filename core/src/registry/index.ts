export * from './contribution-registry.js';
export * from './registries.js';
