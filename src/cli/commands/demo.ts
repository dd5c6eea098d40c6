import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createAuditor } from '../../audit/auditor.js';
import { createAuthService } from '../../auth/auth-service.js';
import type { Role } from '../../auth/roles.js';
import { createCaseService } from '../../cases/case-service.js';
import type { Store } from '../../store/store.js';
import {
  booleanOption,
  type Command,
  type CommandContext,
  type OptionValues,
  stringOption,
} from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { analyzeCommand } from './analyze.js';
import { contractFilesIn, ingestOne } from './ingest.js';
import { matchCommand } from './match.js';
import { monitorCommand } from './monitor.js';
import { serveCommand } from './serve.js';
import { simulateFromFlags } from './simulate.js';
import { formatStatus } from './status.js';

/** The bundled sample county (hand-made, small), beside the package's dist/ and src/ folders. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/sample-county/', import.meta.url));

/** The demo's county: big enough to show the Hengnan ring, small enough for the whole demo to take under a minute. */
const DEMO_SIZE = '3000';
/** How many of the strongest alerts and of the largest findings the demo opens cases for. */
const DEMO_CASES = 3;

/** The people the demo signs up: four-eyes needs two people of different units. */
const DEMO_USERS: readonly { readonly name: string; readonly role: Role; readonly unit: string }[] = [
  { name: 'demo.supervisor', role: 'supervisor', unit: '市社保基金监督处' },
  { name: 'demo.investigator', role: 'investigator', unit: '县纪委监委' },
];

export interface DemoUser {
  readonly name: string;
  readonly role: Role;
  readonly unit: string;
  readonly password: string;
}

/** A sub-command's context: its own options, its summary indented on our stdout, its warnings dropped. */
function subContext(context: CommandContext, values: OptionValues): CommandContext {
  const indent = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      context.io.stdout.write(text.replace(/^(?=.)/gm, '   '));
      done();
    },
  });
  const quiet = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  return { ...context, values, positionals: [], io: { stdout: indent, stderr: quiet } };
}

async function runStep(command: Command, context: CommandContext, values: OptionValues): Promise<void> {
  const code = await command.run(subContext(context, values));
  if (code !== EXIT_OK)
    throw new CliError(`demo: ${command.name} failed (exit ${code}); run it alone to see why`);
}

/**
 * Opens the cases an investigator would start with: the strongest alerts (rings and terminal sweeps first) and
 * the largest overpayments. Re-running joins the open cases instead of opening more.
 */
export async function openDemoCases(store: Store, clock: () => number): Promise<number> {
  const cases = createCaseService({ cases: store.cases, suspects: store.cases, alerts: store.cases, clock });
  const auditor = createAuditor({ log: store.audit, clock });
  const actor = { name: 'demo', unit: 'ghostwatch demo', handlerId: undefined };
  const alerts = await store.cases.listAlerts({ offset: 0, limit: 200, sort: 'score', order: 'desc' });
  const rank = (type: string) => (type === 'ring' ? 0 : type === 'terminal' ? 1 : 2);
  const strongest = [...alerts.items]
    .sort((a, b) => rank(a.entityType) - rank(b.entityType))
    .slice(0, DEMO_CASES);
  const suspects = await store.cases.listSuspects({
    offset: 0,
    limit: DEMO_CASES,
    sort: 'overpaid',
    order: 'desc',
  });
  let opened = 0;
  const record = async (outcome: Awaited<ReturnType<typeof cases.openFromAlert>>, source: string) => {
    if (!outcome.ok) return;
    if (outcome.value.created) opened += 1;
    await auditor.record({
      actor: 'demo',
      action: 'case.open',
      target: `case:${outcome.value.caseId}`,
      outcome: 'ok',
      detail: { from: source, created: outcome.value.created },
    });
  };
  for (const alert of strongest)
    await record(await cases.openFromAlert(actor, alert.alertId), `alert:${alert.alertId}`);
  for (const s of suspects.items)
    await record(await cases.openFromSuspect(actor, s.beneficiaryId), `suspect:${s.beneficiaryId}`);
  return opened;
}

/** Signs up the demo's users with one-time passwords (a fresh name when a re-run finds the name taken). */
export async function addDemoUsers(store: Store, clock: () => number): Promise<DemoUser[]> {
  const auth = createAuthService({ users: store.users, clock });
  const auditor = createAuditor({ log: store.audit, clock });
  const added: DemoUser[] = [];
  for (const wanted of DEMO_USERS) {
    for (let attempt = 1; attempt <= 50; attempt++) {
      const name = attempt === 1 ? wanted.name : `${wanted.name}.${attempt}`;
      const issued = await auth.addUser({ name, role: wanted.role, unit: wanted.unit });
      if (!issued.ok) {
        if (issued.issues[0]?.code === 'users.exists') continue;
        throw new CliError(`demo: cannot add user ${name}: ${issued.issues[0]?.message ?? 'refused'}`);
      }
      await auditor.record({
        actor: 'demo',
        action: 'users.add',
        target: `user:${name}`,
        outcome: 'ok',
        detail: { role: wanted.role, unit: wanted.unit },
      });
      added.push({ name, role: wanted.role, unit: wanted.unit, password: issued.value.password ?? '' });
      break;
    }
  }
  return added;
}

export const demoCommand: Command = {
  name: 'demo',
  synopsis: 'demo [--size N] [--seed S] [--out DIR] [--port P] [--no-serve]',
  summary:
    'simulate a county with the Hengnan ring, run the whole pipeline, open cases, add demo users and serve the dashboard',
  options: {
    size: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    port: { type: 'string' },
    'no-serve': { type: 'boolean' },
  },
  async run(context) {
    if (context.positionals.length > 0)
      throw usageError(`demo takes no arguments; usage: ghostwatch ${this.synopsis}`);
    const port = stringOption(context.values, 'port') ?? '8080';
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw usageError(`--port must be a port number (0-65535), got "${port}"`);
    }
    const out = context.io.stdout;
    const started = context.clock();
    const size = typeof context.values.size === 'string' ? context.values.size : DEMO_SIZE;
    const seed = typeof context.values.seed === 'string' ? context.values.seed : '2021';
    const county =
      typeof context.values.out === 'string'
        ? context.values.out
        : mkdtempSync(join(tmpdir(), 'ghostwatch-demo-'));
    out.write(
      `ghostwatch demo: 1. simulating a county of ${size} pensioners with the Hengnan ring into ${county}\n`,
    );
    const summary = await simulateFromFlags(context, { out: county, size, seed, 'payments-from': '2020-01' });
    out.write(`   ${summary.counts.dead ?? '?'} of them died; the truth is in ${county}/truth\n`);
    out.write(`ghostwatch demo: 2. loading every file into ${context.dbLocation}\n`);
    let store = await context.openStore();
    try {
      for (const file of contractFilesIn(county)) {
        const s = await ingestOne(context, store, file.kind, file.path, {});
        out.write(
          `   ${s.kind.padEnd(16)} ${String(s.loaded).padStart(8)} loaded, ${s.quarantined} quarantined\n`,
        );
      }
    } finally {
      await store.close();
    }
    out.write('ghostwatch demo: 3. death matching, overpayment and suspension decisions (match)\n');
    await runStep(matchCommand, context, {});
    out.write('ghostwatch demo: 4. card monitoring over the card events (monitor --replay)\n');
    await runStep(monitorCommand, context, { replay: join(county, 'card_events.jsonl') });
    out.write('ghostwatch demo: 5. insider analytics: rings, certifications, handler risk (analyze)\n');
    await runStep(analyzeCommand, context, {});
    out.write('ghostwatch demo: 6. opening cases for the strongest alerts and the largest overpayments\n');
    store = await context.openStore();
    let users: DemoUser[];
    try {
      const opened = await openDemoCases(store, context.clock);
      out.write(`   ${opened} cases opened\n\n`);
      out.write(formatStatus(await store.status()));
      users = await addDemoUsers(store, context.clock);
    } finally {
      await store.close();
    }
    out.write(
      '\nDemo users (passwords shown once; four-eyes: one requests, the other, of another unit, approves):\n',
    );
    for (const u of users)
      out.write(
        `   ${u.name.padEnd(22)} ${u.role.padEnd(13)} ${u.unit.padEnd(10)} password: ${u.password}\n`,
      );
    const seconds = ((context.clock() - started) / 1000).toFixed(1);
    out.write(`\nghostwatch demo: the county is loaded and analysed in ${seconds} s.\n`);
    out.write(`Next: ghostwatch evaluate --truth ${county} · ghostwatch status · ghostwatch --help\n`);
    if (booleanOption(context.values, 'no-serve')) return EXIT_OK;
    out.write('ghostwatch demo: 7. serving the dashboard (sign in with a demo user above)\n');
    return serveCommand.run({ ...context, values: { port }, positionals: [] });
  },
};
