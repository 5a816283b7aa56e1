export * from './file-walker.js';
export * from './import-service.js';
