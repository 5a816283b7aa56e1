export * from './bioimageit-error.js';
export * from './area-errors.js';
