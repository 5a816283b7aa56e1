export * from './storage-backend.js';
export * from './format-codec.js';
export * from './runner.js';
export * from './tool-source.js';
export * from './command.js';
