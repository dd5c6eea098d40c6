import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AlertView } from '../cases/ports.js';
import { maskCardNumber } from '../core/card-number.js';
import { maskText } from '../core/mask.js';
import { formatShanghaiTimestamp } from '../core/time.js';
import type { Logger } from './logger.js';

/** Where new alerts are posted, and the secret their signatures are made with. */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

export const SIGNATURE_HEADER = 'x-ghostwatch-signature';

/**
 * The signature header of a body: `t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp inside
 * the signed text stops a captured delivery from being replayed later.
 * @example signWebhook('s3cret', 1612193407000, '{"type":"alert.created"}') // 't=1612193407000,v1=5d1c…'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a receiver runs: the signature matches the body and the secret, and is recent (default 5 minutes).
 * @example verifyWebhook(secret, req.headers['x-ghostwatch-signature'], rawBody, Date.now())
 */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: string,
  now: number,
  toleranceMs = 5 * 60_000,
): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(now - timestamp) > toleranceMs) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice(-64), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface DeliveryReport {
  readonly url: string;
  readonly alertId: string;
  readonly attempts: number;
  readonly delivered: boolean;
  readonly status: number | undefined;
}

export interface WebhookNotifier {
  /** Posts each alert to each target (retrying a bounded number of times) and reports the deliveries. */
  notify(alerts: readonly AlertView[]): Promise<readonly DeliveryReport[]>;
  /** Sends in the background; `idle()` waits until every delivery started so far has ended. */
  enqueue(alerts: readonly AlertView[]): void;
  idle(): Promise<void>;
}

/** The alert as a webhook carries it: alerts.jsonl's fields, the card entity masked, the text masked. */
export function webhookAlert(alert: AlertView): Record<string, unknown> {
  return {
    alert_id: alert.alertId,
    rule: alert.rule,
    severity: alert.severity,
    score: alert.score,
    first_ts: formatShanghaiTimestamp(alert.firstTs),
    last_ts: formatShanghaiTimestamp(alert.lastTs),
    entity_type: alert.entityType,
    entity_id: alert.entityType === 'card' ? maskCardNumber(alert.entityId) : maskText(alert.entityId),
    beneficiary_ids: [...alert.beneficiaryIds],
    explanation: maskText(alert.explanation),
    evidence: [...alert.evidence],
  };
}

/**
 * Signed webhooks for new alerts: one POST per alert and target, `content-type: application/json`, the signature
 * in `x-ghostwatch-signature`, a delivery id in `x-ghostwatch-delivery` (receivers drop repeats by it or by
 * alert_id). A 2xx ends a delivery; a network error, 429 or 5xx is retried with doubling waits, at most
 * `maxAttempts` times; any other status is final.
 * @example
 * const webhooks = createWebhookNotifier({ targets: [{ url: 'https://bank.example/hooks', secret }], clock: Date.now, logger });
 * webhooks.enqueue(newAlerts);
 */
export function createWebhookNotifier(options: {
  readonly targets: readonly WebhookTarget[];
  readonly clock: () => number;
  readonly logger: Logger;
  readonly maxAttempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}): WebhookNotifier {
  const send = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 5000;
  const inFlight = new Set<Promise<unknown>>();

  async function deliver(target: WebhookTarget, alert: AlertView): Promise<DeliveryReport> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({
      type: 'alert.created',
      delivery_id: deliveryId,
      alert: webhookAlert(alert),
    });
    let status: number | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const response = await send(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signWebhook(target.secret, options.clock(), body),
            'x-ghostwatch-delivery': deliveryId,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok)
          return { url: target.url, alertId: alert.alertId, attempts: attempt, delivered: true, status };
        if (status !== 429 && status < 500) {
          return { url: target.url, alertId: alert.alertId, attempts: attempt, delivered: false, status };
        }
      } catch {
        status = undefined;
      }
      if (attempt < maxAttempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
    options.logger.warn('webhook delivery failed', { url: target.url, alertId: alert.alertId, status });
    return { url: target.url, alertId: alert.alertId, attempts: maxAttempts, delivered: false, status };
  }

  const notify = async (alerts: readonly AlertView[]): Promise<readonly DeliveryReport[]> =>
    Promise.all(options.targets.flatMap((target) => alerts.map((alert) => deliver(target, alert))));

  return {
    notify,
    enqueue(alerts) {
      if (alerts.length === 0 || options.targets.length === 0) return;
      const running = notify(alerts).finally(() => inFlight.delete(running));
      inFlight.add(running);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
