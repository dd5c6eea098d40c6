import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../cli/main.js';

/** A writable that keeps what was written, standing in for stdout/stderr in in-process CLI tests. */
export class CapturedStream extends Writable {
  private readonly chunks: string[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk.toString());
    callback();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in process, as `ghostwatch ARGS` would, and captures its output. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  const code = await main(args, { io: { stdout, stderr }, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES = join(REPO_ROOT, 'examples', 'sample-county');

/** Spawns the CLI from the TypeScript sources (through tsx) in a child process, for crash and signal tests. */
export function spawnCli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/run.ts'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function tempDir(prefix = 'ghostwatch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
