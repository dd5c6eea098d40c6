import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapturedStream, EXAMPLES, runCli, tempDir } from '../testing/cli-harness.js';
import { unavailableCommand } from './commands/unavailable.js';
import type { CommandContext } from './context.js';
import { printError } from './errors.js';

const ID_PATTERN = /(?<!\d)\d{17}[\dX](?!\d)/;

describe('ghostwatch CLI', () => {
  it('--help lists every command of CLI.md and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of [
      'demo',
      'simulate',
      'ingest',
      'match',
      'link',
      'monitor',
      'analyze',
      'export',
      'status',
      'backtest',
      'serve',
      'users',
      'audit',
      'evaluate',
    ]) {
      expect(run.stdout).toContain(`  ${name}`);
    }
  });

  it('an unknown command or option is a usage error: exit 2, one line', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const badOption = await runCli(['status', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('status');
  });

  it('ingest refuses an unknown kind with exit 2', async () => {
    const run = await runCli(['--db', join(tempDir(), 'g.db'), 'ingest', 'pensions', 'x.csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown kind "pensions"/);
  });

  it('a missing required column stops the file with one line naming the file and the column; nothing is written', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const file = join(dir, 'payments.csv');
    writeFileSync(file, 'payment_id,beneficiary_id,period,paid_at\nP1,B1,2020-01,2020-01-15\n');
    const run = await runCli(['--db', db, 'ingest', 'payments', file]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('amount');
    expect(run.stderr).toContain('payments.csv');
    const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(status.rows.payments).toBe(0);
  });

  it('a missing file is one clear line and exit 1', async () => {
    const run = await runCli([
      '--db',
      join(tempDir(), 'g.db'),
      'ingest',
      'payments',
      '/nonexistent/payments.csv',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('/nonexistent/payments.csv');
  });

  it('ingest --json prints the summary the contract asks for', async () => {
    const db = join(tempDir(), 'g.db');
    const run = await runCli([
      '--db',
      db,
      'ingest',
      'beneficiaries',
      join(EXAMPLES, 'beneficiaries.csv'),
      '--json',
    ]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ kind: 'beneficiaries', rows: 43, loaded: 40, quarantined: 3 });
    expect(summary.file).toContain('beneficiaries.csv');
  });

  it('the sample county loads; a re-run changes nothing; quarantine lists the bad rows masked', async () => {
    const db = join(tempDir(), 'g.db');
    const first = await runCli(['--db', db, 'ingest', 'all', EXAMPLES]);
    expect(first.code).toBe(0);
    const before = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(before.rows).toMatchObject({ handlers: 8, beneficiaries: 40, payments: 720, 'card-events': 58 });
    const again = await runCli(['--db', db, 'ingest', 'all', EXAMPLES]);
    expect(again.code).toBe(0);
    const after = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(after.rows).toEqual(before.rows);
    expect(after.quarantine).toEqual(before.quarantine);

    const quarantine = await runCli(['--db', db, 'quarantine', '--file', 'beneficiaries.csv']);
    expect(quarantine.code).toBe(0);
    expect(quarantine.stdout).toMatch(/beneficiaries\.csv:42 \[id_number\]/);
    expect(quarantine.stdout).toMatch(/beneficiaries\.csv:43 \[birth_date\]/);
    expect(quarantine.stdout).toMatch(/beneficiaries\.csv:44 \[monthly_amount\]/);
    for (const line of quarantine.stdout.split('\n')) expect(line).not.toMatch(ID_PATTERN);
  });

  it('status shows quarantined rows per file in its human form', async () => {
    const db = join(tempDir(), 'g.db');
    await runCli(['--db', db, 'ingest', 'all', EXAMPLES]);
    const run = await runCli(['--db', db, 'status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/beneficiaries\.csv\s+\[beneficiaries\]\s+3/);
    expect(run.stdout).toMatch(/payments\s+720/);
  });

  it('status tells the quarantine of ingest from that of monitor --replay on the same file', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const events = join(dir, 'card_events.jsonl');
    const lines = readFileSync(join(EXAMPLES, 'card_events.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(
      events,
      `${[...lines.slice(0, 20), '{"event_id": broken', ...lines.slice(20, 40)].join('\n')}\n`,
    );
    await runCli(['--db', db, 'ingest', 'card-events', events]);
    expect((await runCli(['--db', db, 'monitor', '--replay', events])).code).toBe(0);
    const run = await runCli(['--db', db, 'status']);
    expect(run.stdout).toMatch(/card_events\.jsonl\s+\[card-events\]\s+1\n/);
    expect(run.stdout).toMatch(/card_events\.jsonl\s+\[card-events, by monitor --replay\]\s+1\n/);
    const json = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(
      json.quarantine
        .filter((q: { file: string }) => q.file.endsWith('card_events.jsonl'))
        .map((q: { loadedBy: string }) => q.loadedBy)
        .sort(),
    ).toEqual(['ingest', 'monitor --replay']);
  });

  it('a command whose capability has not landed says so in one line and exits 1', async () => {
    const command = unavailableCommand('teleport', 'teleport', 'move a pensioner', 'issue #99');
    const stderr = new CapturedStream();
    const failure = await command.run({} as CommandContext).catch((error: unknown) => error);
    const code = printError(failure, stderr, false);
    expect(code).toBe(1);
    expect(stderr.text.trim().split('\n')).toHaveLength(1);
    expect(stderr.text).toContain('teleport is not available yet: it arrives with issue #99');
  });

  it('demo simulates a county, runs the pipeline, prints the status and the demo users (--no-serve)', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const run = await runCli([
      '--db',
      db,
      'demo',
      '--size',
      '300',
      '--out',
      join(dir, 'county'),
      '--no-serve',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(status.rows.beneficiaries).toBeGreaterThan(280);
    expect(status.rows.payments).toBeGreaterThan(300 * 12);
    expect(run.stdout).toMatch(new RegExp(`beneficiaries\\s+${status.rows.beneficiaries}`));
    expect(run.stdout).toMatch(/demo\.supervisor\s+supervisor .* password: \S+/);
    expect(run.stdout).toMatch(/demo\.investigator\s+investigator .* password: \S+/);
    expect(status.jobs.map((j: { job: string }) => j.job).sort()).toEqual(
      expect.arrayContaining(['analyze', 'match', 'monitor']),
    );
  });
});
