export * from './audit-chain.js';
export * from './auditor.js';
export * from './ports.js';
