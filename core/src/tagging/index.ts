export * from './tag-rules.js';
export * from './tag-service.js';
export * from './tag-validation.js';
