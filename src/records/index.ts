export * from './enums.js';
export * from './schemas.js';
