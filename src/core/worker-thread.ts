import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * How a worker thread can start from here: its compiled `.js` (dist/), its TypeScript source through tsx's loader
 * (the tests run from the sources), or not at all.
 * @example workerKind(new URL('./scoring-worker.js', import.meta.url)) // 'compiled' once built
 */
export function workerKind(compiled: URL): 'compiled' | 'source' | undefined {
  if (existsSync(fileURLToPath(compiled))) return 'compiled';
  if (!existsSync(fileURLToPath(sourceOf(compiled)))) return undefined;
  try {
    createRequire(compiled).resolve('tsx/esm/api');
    return 'source';
  } catch {
    return undefined;
  }
}

/**
 * Starts the worker whose compiled file is `compiled` (`new URL('./x-worker.js', import.meta.url)`), or, when only
 * the TypeScript sources are there, `x-worker.ts` through tsx's loader registered inside the worker.
 * @example const worker = startWorker(new URL('./read-worker.js', import.meta.url), input);
 */
export function startWorker(compiled: URL, workerData: unknown): Worker {
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData });
  const source = sourceOf(compiled).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

const sourceOf = (compiled: URL): URL => new URL(compiled.href.replace(/\.js$/, '.ts'));
