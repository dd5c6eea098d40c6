import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../testing/cli-harness.js';

const BIN = join(REPO_ROOT, 'bin', 'ghostwatch.js');

/** Runs bin/ghostwatch.js (the compiled CLI, as `npx ghostwatch` does) and collects what it prints. */
function runBin(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** A preload that says each process's heap limit on stderr (NODE_OPTIONS reaches the re-run too). */
function heapProbe(): string {
  const file = join(tempDir(), 'heap-probe.cjs');
  writeFileSync(
    file,
    "const mb = Math.round(require('v8').getHeapStatistics().heap_size_limit / 2 ** 20);\nprocess.stderr.write('heap-limit-mb ' + mb + '\\n');\n",
  );
  return file;
}

describe('bin/ghostwatch.js', () => {
  it('runs the CLI with a larger heap than Node’s default, and passes its exit code on', async () => {
    const probe = heapProbe();
    const run = runBin(['--help'], { NODE_OPTIONS: `--require=${probe}`, GHOSTWATCH_HEAP_MB: '6000' });
    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(0);
    expect(stdout).toContain('usage: ghostwatch');
    // The first process has Node's default; the CLI itself runs in the second, with the limit asked for.
    expect(stderr.match(/heap-limit-mb \d+/g)).toHaveLength(2);
    expect(stderr).toMatch(/heap-limit-mb 60\d\d/);
    const failed = await runBin(['no-such-command']).done;
    expect(failed.code).not.toBe(0);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs once, with Node’s heap, when the limit is set or GHOSTWATCH_HEAP_MB is 0', async () => {
    const probe = heapProbe();
    for (const env of [
      { NODE_OPTIONS: `--require=${probe} --max-old-space-size=3000` },
      { NODE_OPTIONS: `--require=${probe}`, GHOSTWATCH_HEAP_MB: '0' },
    ]) {
      const { code, stderr } = await runBin(['--help'], env).done;
      expect(code).toBe(0);
      expect(stderr.match(/heap-limit-mb \d+/g)).toHaveLength(1);
    }
  });

  it('passes SIGTERM on to the CLI, which stops serving and exits 0', async () => {
    const db = join(tempDir(), 'serve.db');
    const run = runBin(['--db', db, 'serve', '--port', '0']);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      run.child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/serving http:\/\/127\.0\.0\.1:\d+/.test(out)) resolve();
      });
      run.child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });
});
