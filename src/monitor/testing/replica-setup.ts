import { openStore } from '../../store/open-store.js';
import type { ReplicaEnvironment, ReplicaSetup } from '../checkpoint-replica.js';
import type { CheckpointStore } from '../ports.js';
import { scenario } from './scenario.js';

/**
 * A checkpoint replica's environment for tests: the scenario's reference data (the same the test gives its
 * consumer) and a SQLite store at `location` for the checkpoints. `failWith`: the setup throws (a store that
 * cannot be opened); `failSaveAfter`: saves after that many throw (a store that goes away).
 */
export async function scenarioReplicaEnvironment(
  location: string,
  options: { readonly failWith?: string; readonly failSaveAfter?: number } = {},
): Promise<ReplicaEnvironment> {
  if (options.failWith !== undefined) throw new Error(options.failWith);
  const store = await openStore(location);
  let saves = 0;
  const checkpoints: CheckpointStore = {
    load: (name) => store.monitor.load(name),
    async save(name, checkpoint) {
      if (options.failSaveAfter !== undefined && ++saves > options.failSaveAfter) {
        throw new Error('the checkpoint store went away');
      }
      await store.monitor.save(name, checkpoint);
    },
  };
  return { reference: scenario().reference, checkpoints, close: () => store.close() };
}

export function scenarioReplicaSetup(
  location: string,
  options: { readonly failWith?: string; readonly failSaveAfter?: number } = {},
): ReplicaSetup {
  return {
    module: new URL('./replica-setup.js', import.meta.url).href,
    export: 'scenarioReplicaEnvironment',
    args: [location, options],
  };
}
