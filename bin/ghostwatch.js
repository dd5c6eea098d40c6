#!/usr/bin/env node
// A county of a million pensioners needs more heap than Node's default (about 4 GB): unless the heap limit was
// set (--max-old-space-size, on the command line or in NODE_OPTIONS), ghostwatch runs itself again with up to
// three quarters of the machine's memory. GHOSTWATCH_HEAP_MB sets the limit instead (0 keeps Node's default).
import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const told = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
  a.startsWith('--max-old-space-size'),
);
const wanted = process.env.GHOSTWATCH_HEAP_MB ?? String(Math.floor((totalmem() / 2 ** 20) * 0.75));

if (told || wanted === '0' || process.env.GHOSTWATCH_RESPAWNED === '1') {
  await import('../dist/cli/run.js');
} else {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      `--max-old-space-size=${wanted}`,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, GHOSTWATCH_RESPAWNED: '1' } },
  );
  // Ctrl-C reaches both processes (one process group): the child alone decides (a second SIGINT would cut short
  // the checkpoint `monitor` writes when it stops). SIGTERM and SIGHUP, sent to this process, are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
