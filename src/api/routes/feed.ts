import { z } from 'zod';
import { sha256Hex } from '../../auth/secrets.js';
import { ingestText } from '../../ingest/ingest-file.js';
import type { QuarantinedRow } from '../../ingest/ports.js';
import { type CardEvent, cardEventInput } from '../../records/schemas.js';
import type { ApiEnv } from '../context.js';
import { ApiError } from '../http-error.js';
import { route } from '../route.js';

/** The most bad lines one response lists (all are quarantined). */
const MAX_ISSUES_SHOWN = 1000;
export const MAX_FEED_BYTES = 16 * 1024 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The banks' card-event feed: batched NDJSON over HTTP, the same validation, quarantine and idempotency as files. */
export function feedRoutes(env: ApiEnv) {
  return [
    route({
      method: 'post',
      path: '/api/card-events',
      summary: 'Send a batch of card events (NDJSON, one card_events.jsonl object a line)',
      tag: 'feed',
      access: ['bank'],
      ndjson: { lineSchema: cardEventInput, maxBytes: MAX_FEED_BYTES },
      response: z.object({
        batch: z.string(),
        rows: z.number().int(),
        loaded: z.number().int(),
        quarantined: z.number().int(),
        newAlerts: z.number().int(),
        issues: z.array(
          z.object({
            line: z.number().int(),
            column: z.string().optional(),
            code: z.string(),
            reason: z.string(),
          }),
        ),
      }),
      audit: 'card-events.ingest',
      async handler({ body, user, hono, audit }) {
        const text = String(body);
        if (text.trim().length === 0) {
          throw new ApiError(400, 'feed.empty', 'the body has no events; send one JSON object a line');
        }
        const given = hono.req.header('idempotency-key');
        if (given !== undefined && !IDEMPOTENCY_KEY.test(given)) {
          throw new ApiError(400, 'feed.bad_key', 'Idempotency-Key has 1 to 128 letters, digits or _ . : -');
        }
        // The same batch sent again (same key, or the same bytes) is the same load: nothing changes.
        const batch = given ?? sha256Hex(text).slice(0, 32);
        const name = `api:${user.name}`;
        audit.target = `batch:${batch}`;
        const quarantined: QuarantinedRow[] = [];
        const events: CardEvent[] = [];
        const wantEvents = env.deps.onCardEvents !== undefined;
        const result = await ingestText({
          sink: env.deps.store,
          kind: 'card-events',
          name,
          key: `${name}:${batch}`,
          text,
          clock: env.deps.clock,
          onBatch(b) {
            for (const q of b.quarantined) if (quarantined.length < MAX_ISSUES_SHOWN) quarantined.push(q);
            if (wantEvents) events.push(...(b.records as readonly CardEvent[]));
          },
        });
        if (!result.ok)
          throw new ApiError(
            400,
            result.issues[0]?.code ?? 'feed.invalid',
            result.issues[0]?.message ?? 'refused',
          );
        const alerts = events.length > 0 && env.deps.onCardEvents ? await env.deps.onCardEvents(events) : [];
        env.deps.webhooks?.enqueue(alerts);
        const { rows, loaded } = result.value;
        audit.detail = { rows, loaded, quarantined: result.value.quarantined, newAlerts: alerts.length };
        return {
          batch,
          rows,
          loaded,
          quarantined: result.value.quarantined,
          newAlerts: alerts.length,
          issues: quarantined.map((q) => ({
            line: q.line,
            ...(q.column === undefined ? {} : { column: q.column }),
            code: q.code,
            reason: q.reason,
          })),
        };
      },
    }),
  ];
}
