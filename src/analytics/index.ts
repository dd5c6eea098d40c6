export * from './analyze.js';
export * from './co-use.js';
export * from './entity-graph.js';
export * from './handler-risk.js';
export * from './history-analysis.js';
export * from './ports.js';
export * from './stats.js';
