import type { RecordKind } from '../records/enums.js';
import { type TableSpec, valueColumns } from './tables.js';

/**
 * What differs between the two databases where the adapters share SQL, declared once as capabilities
 * (Kysely's `Dialect` is the model) instead of `if (isPostgres)` through the code.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Compares two row values treating NULL as a value: SQLite's `IS NOT`, PostgreSQL's `IS DISTINCT FROM`. */
  readonly distinctFrom: 'IS NOT' | 'IS DISTINCT FROM';
  /** The name by which an upsert's `DO UPDATE` refers to the row being inserted. */
  readonly excluded: 'excluded' | 'EXCLUDED';
}

export const SQLITE_DIALECT: SqlDialect = { name: 'sqlite', distinctFrom: 'IS NOT', excluded: 'excluded' };
export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  distinctFrom: 'IS DISTINCT FROM',
  excluded: 'EXCLUDED',
};

/**
 * The `ON CONFLICT …` clause of a kind's upsert: replace the stored row (only when something changed, so that a
 * re-load of the same file rewrites nothing), or keep it (card events).
 * @example onConflictClause(TABLES.handlers, SQLITE_DIALECT)
 * // 'ON CONFLICT (handler_id) DO UPDATE SET name = excluded.name, … WHERE (handlers.name, …) IS NOT (excluded.name, …)'
 */
export function onConflictClause(spec: TableSpec<RecordKind>, dialect: SqlDialect): string {
  const target = `ON CONFLICT (${spec.keyColumns.join(', ')})`;
  if (spec.onConflict === 'ignore') return `${target} DO NOTHING`;
  const values = valueColumns(spec).map((c) => c.name);
  const kept = spec.columns
    .filter((c) => c.keptFromFirstLoad === true)
    .map((c) => `${c.name} = coalesce(${spec.table}.${c.name}, ${dialect.excluded}.${c.name})`);
  const set = [...values.map((c) => `${c} = ${dialect.excluded}.${c}`), ...kept].join(', ');
  const stored = values.map((c) => `${spec.table}.${c}`).join(', ');
  const incoming = values.map((c) => `${dialect.excluded}.${c}`).join(', ');
  return `${target} DO UPDATE SET ${set} WHERE (${stored}) ${dialect.distinctFrom} (${incoming})`;
}
