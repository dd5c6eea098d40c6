export * from './evaluate.js';
export * from './format-evaluation.js';
export * from './read-truth.js';
