export * from './memory-alert-sink.js';
export * from './memory-checkpoint-store.js';
export * from './memory-reference-data.js';
