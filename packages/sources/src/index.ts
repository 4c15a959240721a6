export * from './score.js';
export * from './files.js';
