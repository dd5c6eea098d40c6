import type { Command } from '../context.js';
import { analyzeCommand } from './analyze.js';
import { auditCommand } from './audit.js';
import { backtestCommand } from './backtest.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { ingestCommand } from './ingest.js';
import { linkCommand } from './link.js';
import { matchCommand } from './match.js';
import { monitorCommand } from './monitor.js';
import { quarantineCommand } from './quarantine.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { statusCommand } from './status.js';
import { usersCommand } from './users.js';

/** Every sub-command of CLI.md, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  simulateCommand,
  ingestCommand,
  quarantineCommand,
  matchCommand,
  linkCommand,
  monitorCommand,
  analyzeCommand,
  exportCommand,
  statusCommand,
  backtestCommand,
  serveCommand,
  usersCommand,
  auditCommand,
  evaluateCommand,
];
