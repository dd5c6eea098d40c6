export * from './card-number.js';
export * from './id-number.js';
export * from './mask.js';
export * from './money.js';
export * from './result.js';
export * from './time.js';
