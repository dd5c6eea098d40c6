export * from './auth-service.js';
export * from './ports.js';
export * from './rate-limiter.js';
export * from './roles.js';
export * from './secrets.js';
