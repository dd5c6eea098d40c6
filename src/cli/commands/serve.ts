import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from '../../api/app.js';
import { createJsonLogger } from '../../api/logger.js';
import { createWebhookNotifier, type WebhookTarget } from '../../api/webhooks.js';
import type { Rules } from '../../monitor/rules.js';
import { type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { rulesFromOption } from './monitor-rules.js';
import { createLiveMonitor } from './serve-monitor.js';

/** The dashboard's build (issue #8) beside the compiled CLI: dist/web. */
const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));

/** Webhook targets from --webhooks FILE or GHOSTWATCH_WEBHOOKS: a JSON array of { url, secret }. */
function webhookTargets(text: string | undefined, where: string): WebhookTarget[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${where} is not JSON: write an array of {"url": …, "secret": …}`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (t) =>
        typeof t === 'object' &&
        t !== null &&
        typeof (t as WebhookTarget).url === 'string' &&
        /^https?:\/\//.test((t as WebhookTarget).url) &&
        typeof (t as WebhookTarget).secret === 'string' &&
        (t as WebhookTarget).secret.length >= 16,
    );
  if (!valid) {
    throw new CliError(
      `${where} must be an array of {"url": "http(s)://…", "secret": "at least 16 characters"}`,
    );
  }
  return parsed as WebhookTarget[];
}

export const serveCommand: Command = {
  name: 'serve',
  synopsis: 'serve [--port P] [--host H] [--webhooks FILE] [--rules FILE]',
  summary: 'HTTP API and web dashboard (until stopped)',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    webhooks: { type: 'string' },
    rules: { type: 'string' },
  },
  async run(context) {
    const portText = stringOption(context.values, 'port') ?? context.env.PORT ?? '8080';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw usageError(`--port must be a port number (0-65535), got "${portText}"`);
    }
    const hostname = stringOption(context.values, 'host') ?? '127.0.0.1';
    const webhooksFile = stringOption(context.values, 'webhooks');
    let targets: WebhookTarget[];
    if (webhooksFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(webhooksFile, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${webhooksFile} (${(error as Error).message}): check the path`);
      }
      targets = webhookTargets(text, webhooksFile);
    } else {
      targets = webhookTargets(context.env.GHOSTWATCH_WEBHOOKS, 'GHOSTWATCH_WEBHOOKS');
    }
    const logger = createJsonLogger((line) => context.io.stderr.write(line), context.clock);
    const store = await context.openStore();
    // One rule set for the bank feed's monitor, the rules page and its back-test.
    let rules: Rules;
    let onCardEvents: Awaited<ReturnType<typeof createLiveMonitor>>;
    try {
      rules = await rulesFromOption(stringOption(context.values, 'rules'));
      onCardEvents = await createLiveMonitor(store, rules);
    } catch (error) {
      await store.close();
      throw error;
    }
    const app = createApp({
      store,
      clock: context.clock,
      logger,
      webRoot: WEB_ROOT,
      rules,
      onCardEvents,
      webhooks:
        targets.length === 0 ? undefined : createWebhookNotifier({ targets, clock: context.clock, logger }),
    });
    const server = serve({ fetch: app.fetch, port, hostname });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new CliError(
            `cannot listen on ${hostname}:${port} (${error.code ?? error.message}): choose another --port`,
          ),
        ),
      );
    }).catch(async (error) => {
      await store.close();
      throw error;
    });
    const address = server.address();
    const shown = typeof address === 'object' && address !== null ? address.port : port;
    context.io.stdout.write(
      `ghostwatch: serving http://${hostname}:${shown} (API: /openapi.json); Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    return EXIT_OK;
  },
};
