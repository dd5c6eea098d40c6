import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { orderedWorkerRun } from './worker-thread.js';

/** A worker that posts `messages` at once, then stays up (or exits, with `exit`). */
const worker = (messages: readonly unknown[], exit = false) =>
  new Worker(
    `const { parentPort } = require('node:worker_threads');
     for (const m of ${JSON.stringify(messages)}) parentPort.postMessage(m);
     ${exit ? 'process.exit(3);' : 'setInterval(() => {}, 1000);'}`,
    { eval: true },
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('orderedWorkerRun', () => {
  it('runs the steps in the order of the messages, one after another, and ends with the value finished with', async () => {
    const applied: number[] = [];
    const seen: number[] = [];
    let running = 0;
    const result = await orderedWorkerRun<number, string>(worker([1, 2, 3, 4, 0]), 'the test worker', (n) => {
      seen.push(n);
      if (n === 0) return (finish) => finish(`after ${applied.join(',')}`);
      return async () => {
        running++;
        expect(running).toBe(1);
        // The first steps take longest: an unordered run would apply them last.
        await sleep(20 - 4 * n);
        applied.push(n);
        running--;
      };
    });
    expect(result).toBe('after 1,2,3,4');
    expect(seen).toEqual([1, 2, 3, 4, 0]);
  });

  it('handles a message at once when no step is returned', async () => {
    const order: string[] = [];
    await orderedWorkerRun<string, void>(worker(['slow', 'now', 'end']), 'the test worker', (m) => {
      if (m === 'now') {
        order.push('now');
        return undefined;
      }
      return async (finish) => {
        await sleep(10);
        order.push(m);
        if (m === 'end') finish();
      };
    });
    expect(order).toEqual(['now', 'slow', 'end']);
  });

  it('rejects on the first failing step and runs no step after it', async () => {
    const applied: number[] = [];
    const run = orderedWorkerRun<number, void>(worker([1, 2, 3]), 'the test worker', (n) => async () => {
      if (n === 2) throw new Error('disk full');
      applied.push(n);
    });
    await expect(run).rejects.toThrow('disk full');
    await sleep(20);
    expect(applied).toEqual([1]);
  });

  it('rejects, naming the worker, when it exits before the end', async () => {
    const applied: number[] = [];
    const run = orderedWorkerRun<number, void>(worker([1, 2], true), 'the test worker', (n) => () => {
      applied.push(n);
    });
    await expect(run).rejects.toThrow('the test worker stopped unexpectedly (exit code 3)');
    // The messages it posted before exiting were applied first.
    expect(applied).toEqual([1, 2]);
  });
});
