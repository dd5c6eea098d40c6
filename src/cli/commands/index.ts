import type { Command } from '../context.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { ingestCommand } from './ingest.js';
import { quarantineCommand } from './quarantine.js';
import { simulateCommand } from './simulate.js';
import { statusCommand } from './status.js';
import { unavailableCommand } from './unavailable.js';

/** Every sub-command of CLI.md, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  simulateCommand,
  ingestCommand,
  quarantineCommand,
  unavailableCommand(
    'match',
    'match [--as-of DATE]',
    'death matching, then overpayment and suspension decisions',
    'death matching (issue #4)',
  ),
  unavailableCommand(
    'link',
    'link --left A.csv --right B.csv --config C.json --out PAIRS.csv',
    'general record linkage of two CSV files',
    'death matching (issue #4)',
  ),
  unavailableCommand(
    'monitor',
    'monitor --replay FILE | --nats URL [--subject S]',
    'stream monitoring of card events',
    'card monitoring (issue #5)',
  ),
  unavailableCommand(
    'analyze',
    'analyze [--as-of DATE]',
    'network, certification and handler analytics',
    'insider analytics (issue #6)',
  ),
  unavailableCommand(
    'export',
    'export KIND --out FILE',
    'export suspects | alerts | handlers | cases',
    'the capabilities that produce them (issues #4-#7)',
  ),
  statusCommand,
  unavailableCommand(
    'backtest',
    'backtest --rules FILE [--from DATE] [--to DATE]',
    'what a rule set would have flagged over stored history',
    'card monitoring (issue #5)',
  ),
  unavailableCommand('serve', 'serve [--port P]', 'HTTP API and web dashboard', 'the API (issue #7)'),
  unavailableCommand('users', 'users add NAME --role ROLE', 'create a user', 'authentication (issue #7)'),
  unavailableCommand(
    'audit',
    'audit verify',
    'check the hash chain of the audit log',
    'the audit log (issue #7)',
  ),
  evaluateCommand,
];
