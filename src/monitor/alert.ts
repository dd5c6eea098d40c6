import { createHash } from 'node:crypto';
import { z } from 'zod';
import { maskCardNumber } from '../core/card-number.js';
import { formatShanghaiTimestamp, parseTimestamp } from '../core/time.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ENTITY_TYPES = ['card', 'terminal', 'session', 'beneficiary', 'handler', 'ring'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** `open` takes new evidence; `closed` after `closeAfterIdleDays` without any (later evidence opens a new alert). */
export const ALERT_STATUSES = ['open', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An alert as the monitor holds it (camelCase, epoch ms). The card number in `entityId` is kept whole. */
export const alertSchema = z.object({
  alertId: z.string().min(1),
  /** The typology id. */
  rule: z.string().min(1),
  ruleVersion: z.string().min(1),
  severity: z.enum(SEVERITIES),
  score: z.number().min(0),
  firstTs: z.number().int(),
  lastTs: z.number().int(),
  entityType: z.enum(ENTITY_TYPES),
  entityId: z.string().min(1),
  beneficiaryIds: z.array(z.string()),
  explanation: z.string(),
  evidence: z.array(z.string()),
  status: z.enum(ALERT_STATUSES),
});
export type Alert = z.infer<typeof alertSchema>;

/** One line of alerts.jsonl (DATA_FORMATS.md), plus `rule_version`. Timestamps are ISO 8601 in Asia/Shanghai. */
export const alertLineSchema = z.object({
  alert_id: z.string().min(1),
  rule: z.string().min(1),
  rule_version: z.string().min(1),
  severity: z.enum(SEVERITIES),
  score: z.number().min(0),
  first_ts: z.string(),
  last_ts: z.string(),
  entity_type: z.enum(ENTITY_TYPES),
  entity_id: z.string().min(1),
  beneficiary_ids: z.array(z.string()),
  explanation: z.string(),
  evidence: z.array(z.string()),
});
export type AlertLine = z.infer<typeof alertLineSchema>;

/**
 * The export form of an alert. A card entity's number is masked unless `unmasked` (unmasking needs a reason and
 * is audited by the caller).
 * @example JSON.stringify(toAlertLine(alert)) // one line of alerts.jsonl
 */
export function toAlertLine(alert: Alert, options: { unmasked?: boolean } = {}): AlertLine {
  const entityId =
    alert.entityType === 'card' && options.unmasked !== true
      ? maskCardNumber(alert.entityId)
      : alert.entityId;
  return {
    alert_id: alert.alertId,
    rule: alert.rule,
    rule_version: alert.ruleVersion,
    severity: alert.severity,
    score: alert.score,
    first_ts: formatShanghaiTimestamp(alert.firstTs),
    last_ts: formatShanghaiTimestamp(alert.lastTs),
    entity_type: alert.entityType,
    entity_id: entityId,
    beneficiary_ids: [...alert.beneficiaryIds],
    explanation: alert.explanation,
    evidence: [...alert.evidence],
  };
}

/** Reads an export line back (e.g. an alerts.jsonl written by another worker); the line has no status: `open`. */
export function fromAlertLine(line: unknown): z.ZodSafeParseResult<Alert> {
  return alertLineSchema
    .transform((l, ctx): Alert => {
      const first = parseTimestamp(l.first_ts);
      const last = parseTimestamp(l.last_ts);
      if (!first.ok || !last.ok) {
        ctx.addIssue({ code: 'custom', message: 'first_ts and last_ts must be timestamps with an offset' });
        return z.NEVER;
      }
      return {
        alertId: l.alert_id,
        rule: l.rule,
        ruleVersion: l.rule_version,
        severity: l.severity,
        score: l.score,
        firstTs: first.value,
        lastTs: last.value,
        entityType: l.entity_type,
        entityId: l.entity_id,
        beneficiaryIds: l.beneficiary_ids,
        explanation: l.explanation,
        evidence: l.evidence,
        status: 'open',
      };
    })
    .safeParse(line);
}

/**
 * The deterministic id of an alert: a hash of the typology, the entity and the event time the alert opened at.
 * A replay or a restart computes the same id, so the sink's upsert never duplicates an alert.
 * @example alertIdFor('hengnan-atm-sweep', 'terminal', 'ATM-430422-0007', 1612193407000) // 'AL-3f9c…'
 */
export function alertIdFor(
  typologyId: string,
  entityType: EntityType,
  entityId: string,
  windowStart: number,
): string {
  const digest = createHash('sha256')
    .update(`${typologyId}\u0000${entityType}\u0000${entityId}\u0000${windowStart}`)
    .digest('hex');
  return `AL-${digest.slice(0, 24)}`;
}

/** A short stable id derived from text (ring ids: never a card number). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
