import type { ReplicaEnvironment, ReplicaSetup } from '../monitor/checkpoint-replica.js';
import { openStore } from './open-store.js';

/**
 * The checkpoint replica's environment (src/monitor/checkpoint-replica.ts) over a store: the worker thread opens
 * its own connection to the store at `location` (a SQLite path or a PostgreSQL URL), saves checkpoints there, and
 * loads the reference data from it as the consumer did (`reference: 'none'`: no reference data, for benchmarks).
 * @example createNatsSource({ monitor, servers, checkpointReplica: storeReplicaSetup('./ghostwatch.db') })
 */
export async function storeReplicaEnvironment(
  location: string,
  options: { readonly reference?: 'store' | 'none'; readonly schema?: string } = {},
): Promise<ReplicaEnvironment> {
  const store = await openStore(location, options.schema === undefined ? {} : { schema: options.schema });
  try {
    const reference =
      options.reference === 'none' ? { card: () => undefined } : await store.monitor.loadReferenceData();
    return {
      reference,
      checkpoints: {
        load: (name) => store.monitor.load(name),
        save: (name, c) => store.monitor.save(name, c),
      },
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The setup that makes the replica call `storeReplicaEnvironment(location, options)` in its thread. */
export function storeReplicaSetup(
  location: string,
  options: { readonly reference?: 'store' | 'none'; readonly schema?: string } = {},
): ReplicaSetup {
  return {
    module: new URL('./checkpoint-replica-setup.js', import.meta.url).href,
    export: 'storeReplicaEnvironment',
    args: [location, options],
  };
}
