export * from './approval.js';
export * from './case.js';
export * from './case-service.js';
export * from './ports.js';
