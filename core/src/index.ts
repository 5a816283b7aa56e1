/**
 * @bioimageit/core — the kernel's public API. Plugins and applications import only from here
 * (and `@bioimageit/core/testing` for contract suites); there are no deep imports.
 */
export * from './errors/index.js';
export type * from './model/index.js';
export * from './extension-points/index.js';
export * from './util/disposable.js';
export * from './registry/index.js';
export * from './hooks/index.js';
export * from './plugin/index.js';
export * from './config/index.js';
export * from './query/index.js';
export * from './formats/index.js';
export * from './render/index.js';
export * from './analysis/index.js';
export * from './import/index.js';
export * from './tagging/index.js';
export * from './tools/index.js';
export * from './runner/index.js';
export * from './provenance/index.js';
export * from './engine/index.js';
export * from './kernel/index.js';
// Only `export *` here: a named re-export makes esbuild's code splitting (the CLI's bundle) put
// every module of core in the chunks of whoever imports anything from core.
export * from './version.js';
export * from './util/process-alive.js';
export * from './util/control-characters.js';
export * from './util/bytes.js';
export * from './util/map-concurrent.js';
export * from './util/task-limiter.js';
export * from './util/atomic-write.js';
