import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaseService } from '../cases/case-service.js';
import { DEFAULT_RULES_FILE } from '../monitor/default-rules.js';
import { runCli, spawnCli, tempDir } from '../testing/cli-harness.js';
import { seedCounty } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';

/** `users add`, `audit verify`, `export cases` and `serve`, as scripts call them, on both stores. */

const KINDS = await storeKinds('cases cli');

describe.each(KINDS)('cases CLI on $name', (kind) => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    if (kind.skip) return;
    fixture = await kind.open();
  });
  afterEach(async () => {
    if (!kind.skip) await fixture.cleanup();
  });
  const run = kind.skip ? it.skip : it;
  const cli = (...args: string[]) => runCli(['--db', fixture.location, ...args]);

  run('users add prints a one-time password or token, refuses a taken name and an unknown role', async () => {
    const added = await cli('users', 'add', 'li.wei', '--role', 'investigator', '--unit', 'fund-supervision');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^user li\.wei \(investigator\) added; one-time password \(shown once\):\n[\w-]{24}\n$/,
    );
    const bank = await cli('users', 'add', 'bank-a', '--role', 'bank', '--token', '--json');
    expect(JSON.parse(bank.stdout)).toMatchObject({
      name: 'bank-a',
      role: 'bank',
      token: expect.stringMatching(/^gwt_/),
    });
    expect(await cli('users', 'add', 'li.wei', '--role', 'analyst')).toMatchObject({
      code: 1,
      stderr: 'ghostwatch: a user named li.wei exists already; choose another name\n',
    });
    expect((await cli('users', 'add', 'x', '--role', 'boss')).code).toBe(2);
    expect((await cli('users', 'add', 'x')).code).toBe(2);
    const listed = await cli('users', 'list');
    expect(listed.stdout).toMatch(/li\.wei\s+investigator\s+fund-supervision/);
    const stored = await fixture.store.users.findUserByName('li.wei');
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(added.stdout.split('\n')[1]);
  });

  run(
    'audit verify passes on an intact log and exits 1 naming the first bad entry after an edit',
    async () => {
      await cli('users', 'add', 'a', '--role', 'admin');
      await cli('users', 'add', 'b', '--role', 'auditor');
      await cli('users', 'add', 'c', '--role', 'auditor');
      expect(await cli('audit', 'verify')).toMatchObject({
        code: 0,
        stdout: 'audit log intact: 3 entries, chain verified through entry 3\n',
      });
      const guards =
        kind.name === 'sqlite'
          ? 'DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;'
          : 'ALTER TABLE audit_log DISABLE TRIGGER USER;';
      await fixture.raw(`${guards} UPDATE audit_log SET target = 'user:z' WHERE seq = 2;`);
      const broken = await cli('audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.stderr).toBe(
        'ghostwatch: audit log broken at entry 2: entry 2 was changed after it was written; restore the log from a backup and investigate who changed it\n',
      );
      expect((await cli('audit', 'check')).code).toBe(2);
    },
  );

  run('export cases writes cases.csv as DATA_FORMATS.md says', async () => {
    await seedCounty(fixture.store);
    const cases = createCaseService({
      cases: fixture.store.cases,
      suspects: fixture.store.cases,
      alerts: fixture.store.cases,
      clock: () => Date.parse('2021-02-01T01:00:00Z'),
    });
    const actor = { name: 'li', unit: 'fund-supervision', handlerId: undefined };
    const opened = await cases.openFromSuspect(actor, 'B1');
    const caseId = opened.ok ? opened.value.caseId : '';
    await cases.openManual(actor, {
      subjectType: 'card',
      subjectId: '6217001234567890123',
      title: 'card swept',
      beneficiaryIds: ['B1', 'B2'],
      amountAtRiskFen: 12_345,
      reference: 'bank',
    });
    await cases.assign(actor, caseId, 'li');
    const out = join(tempDir(), 'cases.csv');
    expect(await cli('export', 'cases', '--out', out, '--json')).toMatchObject({
      code: 0,
      stdout: `{"kind":"cases","out":"${out}","rows":2}\n`,
    });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'case_id,opened_at,status,subject,beneficiary_ids,amount_at_risk,amount_recovered,assignee',
    );
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`${caseId},2021-02-01T09:00:00+08:00,open,beneficiary:B1,B1,4800.00,0.00,li`);
    expect(lines.find((l) => l.includes(',card:'))).toMatch(
      /^CASE-20210201-[0-9A-F]{8},2021-02-01T09:00:00\+08:00,open,card:621700\*{9}0123,B1;B2,123\.45,0\.00,$/,
    );
  });
});

/** Starts `serve` on a free port and resolves its address once it listens. */
function startServe(db: string, options: readonly string[] = []) {
  const child = spawnCli(['--db', db, 'serve', '--port', '0', ...options]);
  let stdout = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, url };
}

describe('serve', () => {
  it('the rules page and its back-test use the rule set given with --rules', async () => {
    const dir = tempDir();
    const db = join(dir, 'serve.db');
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ ...DEFAULT_RULES_FILE, version: 'hengnan-2026.1' }));
    const token = JSON.parse(
      (await runCli(['--db', db, 'users', 'add', 'audit-a', '--role', 'auditor', '--token', '--json']))
        .stdout,
    ).token as string;
    const { child, url } = startServe(db, ['--rules', rulesFile]);
    const base = await url;
    const rules = await fetch(`${base}/api/rules`, { headers: { authorization: `Bearer ${token}` } });
    expect(rules.status).toBe(200);
    expect(((await rules.json()) as { version: string }).version).toBe('hengnan-2026.1');
    const backtest = await fetch(`${base}/api/backtest`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await backtest.json()) as { ruleVersion: string }).ruleVersion).toBe('hengnan-2026.1');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('listens on a port, answers /healthz and /openapi.json, and stops on SIGTERM', async () => {
    const { child, url: listening } = startServe(join(tempDir(), 'serve.db'));
    const url = await listening;
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    expect(((await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string }).openapi).toBe(
      '3.1.0',
    );
    expect((await fetch(`${url}/api/cases`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
