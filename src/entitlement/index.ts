export * from './entitlement.js';
