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
