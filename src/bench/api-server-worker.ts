import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { silentLogger } from '../api/logger.js';
import { createAuthService } from '../auth/auth-service.js';
import { createLiveMonitor } from '../cli/commands/serve-monitor.js';
import { openStore } from '../store/open-store.js';

/**
 * The API under load, in its own process: `api-server-worker.js DB [monitor]` opens the store, adds a bank user,
 * serves on 127.0.0.1 (a free port; with `monitor`, the card monitor behind the feed as `serve` runs it) and prints
 * one JSON line {port, token}; it runs until killed.
 */
const [db = '', mode = ''] = process.argv.slice(2);
const store = await openStore(db);
const auth = createAuthService({ users: store.users, clock: Date.now });
const issued = await auth.addUser({ name: `bench-bank-${process.pid}`, role: 'bank', token: true });
if (!issued.ok) throw new Error(issued.issues[0]?.message);
const onCardEvents = mode === 'monitor' ? await createLiveMonitor(store) : undefined;
const app = createApp({ store, clock: Date.now, logger: silentLogger, onCardEvents });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port, token: issued.value.token })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => {
    void store.close().then(() => process.exit(0));
  });
});
