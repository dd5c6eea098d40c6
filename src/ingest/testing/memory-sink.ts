import type { RecordKind } from '../../records/enums.js';
import { KIND_SPECS, type RecordOf } from '../../records/schemas.js';
import type {
  FlaggedRow,
  IngestBatch,
  IngestSink,
  LoadId,
  LoadStart,
  LoadSummary,
  QuarantinedRow,
} from '../ports.js';

export interface MemoryLoad {
  readonly id: LoadId;
  readonly start: LoadStart;
  status: 'running' | 'done';
  throughLine: number;
  batches: number;
  summary: LoadSummary | undefined;
}

/** A plain, ordered picture of what the sink holds, for comparing two states with `toEqual`. */
export interface MemorySinkSnapshot {
  readonly records: Readonly<Record<string, readonly (readonly [string, unknown])[]>>;
  readonly quarantine: Readonly<Record<string, readonly QuarantinedRow[]>>;
  readonly flags: Readonly<Record<string, readonly FlaggedRow[]>>;
}

/** An in-memory IngestSink with the store's semantics, for tests. */
export interface MemorySink extends IngestSink {
  /** The stored records of a kind, by natural key. */
  records<K extends RecordKind>(kind: K): ReadonlyMap<string, RecordOf[K]>;
  /** Quarantined rows of the latest load of a file (by file key, the resolved path). */
  quarantined(fileKey: string): readonly QuarantinedRow[];
  flags(fileKey: string): readonly FlaggedRow[];
  readonly loads: readonly MemoryLoad[];
  /** Number of writeBatch calls so far. */
  readonly writes: number;
  snapshot(): MemorySinkSnapshot;
}

/**
 * Creates an in-memory sink that upserts records by `KIND_SPECS[kind].key` (card events: the first delivery wins),
 * and replaces a file's quarantine and flags when the file is loaded again, as the store adapters do.
 * @example
 * const sink = createMemorySink();
 * await ingestFile({ sink, kind: 'payments', path, clock: () => 0 });
 * sink.records('payments').size;
 */
export function createMemorySink(): MemorySink {
  const records = new Map<RecordKind, Map<string, unknown>>();
  const quarantine = new Map<string, QuarantinedRow[]>();
  const flags = new Map<string, FlaggedRow[]>();
  const loads: MemoryLoad[] = [];
  let writes = 0;

  const tableOf = (kind: RecordKind): Map<string, unknown> => {
    let table = records.get(kind);
    if (!table) {
      table = new Map();
      records.set(kind, table);
    }
    return table;
  };

  const running = (loadId: LoadId): MemoryLoad => {
    const load = loads.find((l) => l.id === loadId);
    if (!load) throw new Error(`unknown load ${loadId}`);
    if (load.status !== 'running') throw new Error(`load ${loadId} is already finished`);
    return load;
  };

  const sorted = <T>(map: Map<string, T>): [string, T][] =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return {
    async beginLoad(start) {
      const id = `load-${loads.length + 1}`;
      loads.push({ id, start, status: 'running', throughLine: 0, batches: 0, summary: undefined });
      quarantine.set(start.fileKey, []);
      flags.set(start.fileKey, []);
      return id;
    },
    async writeBatch<K extends RecordKind>(loadId: LoadId, batch: IngestBatch<K>) {
      const load = running(loadId);
      if (batch.kind !== load.start.kind)
        throw new Error(`batch of ${batch.kind} in a ${load.start.kind} load`);
      writes++;
      const key = KIND_SPECS[batch.kind].key as (record: RecordOf[K]) => string;
      const table = tableOf(batch.kind);
      for (const record of batch.records) {
        const k = key(record);
        if (batch.kind === 'card-events' && table.has(k)) continue;
        table.set(k, record);
      }
      quarantine.get(load.start.fileKey)?.push(...batch.quarantined);
      flags.get(load.start.fileKey)?.push(...batch.flags);
      load.throughLine = batch.throughLine;
      load.batches++;
    },
    async finishLoad(loadId, summary) {
      const load = running(loadId);
      load.status = 'done';
      load.summary = summary;
    },
    records<K extends RecordKind>(kind: K) {
      return tableOf(kind) as Map<string, RecordOf[K]>;
    },
    quarantined: (fileKey) => quarantine.get(fileKey) ?? [],
    flags: (fileKey) => flags.get(fileKey) ?? [],
    get loads() {
      return loads;
    },
    get writes() {
      return writes;
    },
    snapshot() {
      return {
        records: Object.fromEntries([...records.entries()].map(([kind, table]) => [kind, sorted(table)])),
        quarantine: Object.fromEntries(sorted(quarantine)),
        flags: Object.fromEntries(sorted(flags)),
      };
    },
  };
}
