import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { peakRssMb } from './child.js';

/**
 * The load generator, in a process of its own on loopback: `api-load-worker.js URL TOKEN FILE BATCH CONCURRENCY`
 * posts FILE's lines in batches of BATCH (NDJSON) to URL/api/card-events, CONCURRENCY requests in flight on
 * keep-alive connections; with FILE `-` it sends BATCH × … GET requests to URL/healthz instead (the no-op
 * baseline). Prints one JSON line: events (loaded, as the answers count them), requests, ms, p50Ms, p99Ms.
 */
const [url = '', token = '', file = '-', batchText = '1000', concurrencyText = '4', requestsText = '2000'] =
  process.argv.slice(2);
const batchSize = Number(batchText);
const concurrency = Number(concurrencyText);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const bodies: string[] = [];
if (file !== '-') {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  for (let i = 0; i < lines.length; i += batchSize) bodies.push(lines.slice(i, i + batchSize).join('\n'));
}
const requests = file === '-' ? Number(requestsText) : bodies.length;

function send(body: string | undefined): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        agent,
        method: body === undefined ? 'GET' : 'POST',
        path: body === undefined ? '/healthz' : '/api/card-events',
        headers:
          body === undefined
            ? {}
            : {
                authorization: `Bearer ${token}`,
                'content-type': 'application/x-ndjson',
                'content-length': Buffer.byteLength(body),
              },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}: ${text.slice(0, 200)}`));
          else {
            if (body !== undefined) loaded += (JSON.parse(text) as { loaded: number }).loaded;
            resolve(performance.now() - started);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let loaded = 0;
const latencies: number[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < requests; i = next++) latencies.push(await send(bodies[i]));
  }),
);
const ms = performance.now() - started;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
agent.destroy();
process.stdout.write(
  `${JSON.stringify({ events: loaded, requests, ms, p50Ms: pct(50), p99Ms: pct(99), peakRssMb: peakRssMb() })}\n`,
);
