import type { Row, SqlValue } from './tables.js';

/**
 * The part of a database driver the shared SQL needs, in a file of its own so that the context stores
 * (cases, auth, audit …) can depend on it without depending on sql-store-core, which composes them.
 */

export interface SqlStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

/** The part of a database driver the shared code needs. SQL is written with `?` placeholders. */
export interface SqlExecutor {
  /** Runs one statement and returns its rows (none for a statement that returns no data). */
  all(sql: string, params?: readonly SqlValue[]): Promise<readonly Row[]>;
  /** Runs the statements in one transaction and returns the rows of the last one. */
  transaction(statements: readonly SqlStatement[]): Promise<readonly Row[]>;
}

/**
 * Multi-row INSERT statements for `rows`: full chunks of `rowsPerInsert`, the rest as power-of-two chunks, so
 * that only a handful of distinct statements exist (each prepared once by the driver).
 * @example insertStatements('death_matches', ['source', 'record_id'], rows, { rowsPerInsert: 256 })
 */
export function insertStatements(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
  options: { readonly rowsPerInsert: number; readonly suffix?: string },
): SqlStatement[] {
  const { rowsPerInsert, suffix = '' } = options;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const statements: SqlStatement[] = [];
  let next = 0;
  const emit = (count: number) => {
    const params: SqlValue[] = [];
    for (let r = next; r < next + count; r++) for (const v of rows[r]!) params.push(v);
    statements.push({
      sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(count).fill(tuple).join(', ')}${suffix}`,
      params,
    });
    next += count;
  };
  while (rows.length - next >= rowsPerInsert) emit(rowsPerInsert);
  for (let size = rowsPerInsert / 2; size >= 1; size /= 2) if (rows.length - next >= size) emit(size);
  return statements;
}
