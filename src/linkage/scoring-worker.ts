import { parentPort, workerData } from 'node:worker_threads';
import type { ScoringJob } from './parallel-scoring.js';
import { scorePersons } from './score-persons.js';

// The worker entry of `scoreInWorkers`: the job arrives as plain data, the result goes back the same way.
parentPort?.postMessage(scorePersons(workerData as ScoringJob));
