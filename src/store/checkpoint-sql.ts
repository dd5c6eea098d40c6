import type { MonitorCheckpoint } from '../monitor/checkpoint.js';
import { joinCheckpoint, splitCheckpoint } from './checkpoint-parts.js';
import type { SqlExecutor } from './sql-executor.js';

/**
 * Monitor checkpoints in SQL (migration 11): the header row in `monitor_checkpoints` (as before, plus the
 * `generation` its parts belong to) and the parts of its large arrays in `monitor_checkpoint_parts`
 * (checkpoint-parts.ts). A save writes the new generation's parts one short statement at a time, then switches
 * the header in one statement, then deletes the previous generation's parts: a crash in between leaves the
 * previous checkpoint whole (orphan parts are deleted by the next save), and no write holds the database for
 * the whole state (on SQLite an alert write waits for one part at most). A row without a generation (written
 * before version 11) is one JSON text and loads as it did.
 * @example await saveCheckpoint(exec, 'nats:S:C', checkpoint); await loadCheckpoint(exec, 'nats:S:C')
 */

/** Characters per part (≈ 1 MB): one short write each. */
export const CHECKPOINT_PART_CHARS = 1_000_000;

export async function loadCheckpoint(
  exec: SqlExecutor,
  name: string,
): Promise<MonitorCheckpoint | undefined> {
  const [row] = await exec.all('SELECT checkpoint, generation FROM monitor_checkpoints WHERE name = ?', [
    name,
  ]);
  if (row === undefined) return undefined;
  const header = String(row.checkpoint);
  if (row.generation === null || row.generation === undefined) return JSON.parse(header) as MonitorCheckpoint;
  const parts = await exec.all(
    'SELECT data FROM monitor_checkpoint_parts WHERE name = ? AND generation = ? ORDER BY part',
    [name, Number(row.generation)],
  );
  return joinCheckpoint(
    header,
    parts.map((p) => String(p.data)),
  );
}

export async function saveCheckpoint(
  exec: SqlExecutor,
  name: string,
  checkpoint: MonitorCheckpoint,
  partChars = CHECKPOINT_PART_CHARS,
): Promise<void> {
  // Serialized before the first await (CheckpointStore contract: the state may be the engine's live one) …
  const { header, parts: texts } = splitCheckpoint(checkpoint, partChars);
  // … then written. Generations only grow: the previous one + 1.
  const [current] = await exec.all('SELECT generation FROM monitor_checkpoints WHERE name = ?', [name]);
  const generation = Number(current?.generation ?? 0) + 1;
  // Orphans of a save that crashed before its switch, which would otherwise collide with this generation.
  await exec.all('DELETE FROM monitor_checkpoint_parts WHERE name = ? AND generation >= ?', [
    name,
    generation,
  ]);
  for (const [part, data] of texts.entries()) {
    await exec.all(
      'INSERT INTO monitor_checkpoint_parts (name, generation, part, data) VALUES (?, ?, ?, ?)',
      [name, generation, part, data],
    );
  }
  await exec.all(
    `INSERT INTO monitor_checkpoints (name, checkpoint, position, saved_at, generation) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, position = excluded.position,
        saved_at = excluded.saved_at, generation = excluded.generation`,
    [name, header, JSON.stringify(checkpoint.position), Date.now(), generation],
  );
  await exec.all('DELETE FROM monitor_checkpoint_parts WHERE name = ? AND generation < ?', [
    name,
    generation,
  ]);
}

/** Migration 11, both dialects. */
export const CHECKPOINT_PARTS_MIGRATION_SQL = (dialect: 'sqlite' | 'postgres') => {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return `
ALTER TABLE monitor_checkpoints ADD COLUMN generation ${int};

-- The slices of a checkpoint's large arrays (src/store/checkpoint-parts.ts), by the header's generation.
CREATE TABLE monitor_checkpoint_parts (
  name TEXT NOT NULL,
  generation ${int} NOT NULL,
  part INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (name, generation, part)
);
`;
};
