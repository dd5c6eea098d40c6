export * from './death-matcher.js';
export * from './ports.js';
