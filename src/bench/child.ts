import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a measurement child prints as its last stdout line (JSON). */
export interface ChildMeasurement {
  readonly [key: string]: number | string;
}

/**
 * Runs one measurement in a fresh Node process (so that its peak RSS is its own) and returns the JSON it printed.
 * @example await measureInChild('ingest-worker.js', ['sqlite', file, db])
 */
export async function measureInChild(script: string, args: readonly string[]): Promise<ChildMeasurement> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--max-old-space-size=4096', path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`benchmark child ${script} ${args.join(' ')} exited with ${code}`);
  const last = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as ChildMeasurement;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
