export * from './plugin-manifest.js';
export * from './capabilities.js';
export * from './capability-probe-spec.js';
export * from './runner-declaration.js';
export * from './plugin-resolver.js';
export * from './plugin-loader.js';
