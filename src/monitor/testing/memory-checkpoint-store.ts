import type { MonitorCheckpoint } from '../checkpoint.js';
import type { CheckpointStore } from '../ports.js';

/** An in-memory CheckpointStore that keeps JSON text, as a database adapter would. */
export interface MemoryCheckpointStore extends CheckpointStore {
  readonly saved: Map<string, string>;
  saves: number;
}

export function createMemoryCheckpointStore(): MemoryCheckpointStore {
  const saved = new Map<string, string>();
  const store: MemoryCheckpointStore = {
    saved,
    saves: 0,
    async load(name) {
      const text = saved.get(name);
      return text === undefined ? undefined : (JSON.parse(text) as MonitorCheckpoint);
    },
    async save(name, checkpoint) {
      saved.set(name, JSON.stringify(checkpoint));
      store.saves++;
    },
  };
  return store;
}
