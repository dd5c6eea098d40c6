import { parentPort, workerData } from 'node:worker_threads';
import type { ScoringJob } from './parallel-scoring.js';
import { scoreShare } from './score-persons.js';

// The worker entry of `scoreInWorkers`: columns and pairs arrive in shared memory, the rest as plain data.
const { job, from, to } = workerData as { job: ScoringJob; from: number; to: number };
parentPort?.postMessage(scoreShare(job, from, to));
