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

/** What to do with one message of an ordered worker: nothing more, or a step to run after the previous ones. */
export type OrderedStep<T> = undefined | ((finish: (value: T) => void) => Promise<void> | void);

/**
 * Applies a worker's messages in the order they came, each step after the previous one has finished (a message
 * the worker posts while the main thread is still writing the last batch waits its turn). `onMessage` handles a
 * message at once (returns undefined: progress, say) or returns its step; a step calls `finish(value)` to end the
 * run. The first failure ends it too: a step that throws, the worker's error, or the worker exiting before the
 * end (`what` names it in that message); the worker is then terminated and the promise rejects.
 * @example orderedWorkerRun(worker, 'the ingest worker', (m) => m.type === 'batch' ? () => target.write(m.batch) : undefined)
 */
export function orderedWorkerRun<M, T>(
  worker: Worker,
  what: string,
  onMessage: (message: M) => OrderedStep<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let chain: Promise<void> = Promise.resolve();
    const stop = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    const finish = (value: T) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(value);
    };
    const then = (step: () => Promise<void> | void) => {
      chain = chain.then(() => (settled ? undefined : step()));
      chain.catch(stop);
    };
    worker.on('message', (message: M) => {
      let step: OrderedStep<T>;
      try {
        step = onMessage(message);
      } catch (error) {
        then(() => stop(error));
        return;
      }
      if (step !== undefined) then(() => step(finish));
    });
    worker.on('error', stop);
    worker.on('exit', (code) => {
      if (!settled) then(() => stop(new Error(`${what} stopped unexpectedly (exit code ${code})`)));
    });
  });
}
