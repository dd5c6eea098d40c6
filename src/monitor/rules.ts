import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { fail, type Issue, ok, type Result } from '../core/result.js';
import { ENTITY_TYPES, type EntityType, SEVERITIES, type Severity } from './alert.js';
import { DETECTOR_KIND_NAMES, DETECTOR_KINDS, type DetectorKind } from './detectors/index.js';

const idText = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'must be 1-64 lower-case letters, digits, - or _' });

const detectorEntry = z
  .object({
    id: idText,
    kind: z.enum(DETECTOR_KIND_NAMES as [DetectorKind, ...DetectorKind[]], {
      error: () => `must be one of ${DETECTOR_KIND_NAMES.join(', ')}`,
    }),
    /** Parameters; anything left out takes its documented default (docs/monitor.md). */
    params: z.record(z.string(), z.unknown()).default({}),
    enabled: z.boolean().default(true),
  })
  .strict();

const typologyEntry = z
  .object({
    id: idText,
    title: z.string().min(1),
    entityType: z.enum(ENTITY_TYPES),
    detectors: z
      .array(z.object({ detector: idText, weight: z.number().positive() }).strict())
      .min(1, { error: 'a typology needs at least one detector' }),
    /** An alert opens (or is updated) when the combined score reaches this. */
    threshold: z.number().positive(),
    /** Lowest score of each severity; scores under `medium` are `low`. */
    severity: z
      .object({ medium: z.number().positive(), high: z.number().positive(), critical: z.number().positive() })
      .strict(),
    /** Results of the typology's detectors on one entity combine when they are this close in event time. */
    combineWindowDays: z.number().positive().default(30),
    /** An alert without new evidence for this long is closed; later evidence opens a new alert. */
    closeAfterIdleDays: z.number().positive().default(90),
    enabled: z.boolean().default(true),
  })
  .strict();

/** The rules file: versioned, validated; every alert names the version. */
export const rulesFileSchema = z
  .object({
    version: z.string().min(1, { error: 'must name the rules version, e.g. "2025-06-01"' }),
    description: z.string().optional(),
    engine: z
      .object({
        allowedLatenessMinutes: z.number().min(0).default(5),
        maxEvidencePerAlert: z.int().min(1).default(500),
      })
      .strict()
      .default({ allowedLatenessMinutes: 5, maxEvidencePerAlert: 500 }),
    detectors: z.array(detectorEntry).min(1),
    typologies: z.array(typologyEntry).min(1),
  })
  .strict();

export interface DetectorRule {
  readonly id: string;
  readonly kind: DetectorKind;
  readonly params: unknown;
}

export interface TypologyRule {
  readonly id: string;
  readonly title: string;
  readonly entityType: EntityType;
  readonly detectors: readonly { readonly detector: string; readonly weight: number }[];
  readonly threshold: number;
  readonly severity: Readonly<Record<Exclude<Severity, 'low'>, number>>;
  readonly combineWindowDays: number;
  readonly closeAfterIdleDays: number;
}

/** A validated rule set: enabled detectors (params with defaults filled in) and enabled typologies. */
export interface Rules {
  readonly version: string;
  readonly allowedLatenessMs: number;
  readonly maxEvidencePerAlert: number;
  readonly detectors: readonly DetectorRule[];
  readonly typologies: readonly TypologyRule[];
}

function issuesOf(error: z.ZodError, prefix: readonly (string | number)[] = []): Issue[] {
  return error.issues.map((i) => {
    const path = [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    return { code: `rules.${i.code}`, path, message: `${path.join('.') || '(file)'}: ${i.message}` };
  });
}

/**
 * Validates a rules object (parsed JSON): the schema, each detector's parameters against its kind, and the
 * cross-references (unique ids, typologies naming known detectors that can key their entity type, severity
 * thresholds in order).
 * @example parseRules(JSON.parse(text)) // { ok: true, value: rules } or { ok: false, issues: [...] }
 */
export function parseRules(input: unknown): Result<Rules> {
  const parsed = rulesFileSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
  const file = parsed.data;
  const issues: Issue[] = [];
  const add = (path: (string | number)[], code: string, message: string) =>
    issues.push({ code: `rules.${code}`, path, message: `${path.join('.')}: ${message}` });

  const detectors: DetectorRule[] = [];
  const byId = new Map<string, { kind: DetectorKind; enabled: boolean }>();
  file.detectors.forEach((d, i) => {
    if (byId.has(d.id)) add(['detectors', i, 'id'], 'duplicate_id', `detector id "${d.id}" is used twice`);
    byId.set(d.id, { kind: d.kind, enabled: d.enabled });
    const params = DETECTOR_KINDS[d.kind].params.safeParse(d.params);
    if (!params.success) {
      issues.push(...issuesOf(params.error, ['detectors', i, 'params']));
      return;
    }
    if (d.enabled) detectors.push({ id: d.id, kind: d.kind, params: params.data });
  });

  const typologies: TypologyRule[] = [];
  const typologyIds = new Set<string>();
  file.typologies.forEach((t, i) => {
    if (typologyIds.has(t.id))
      add(['typologies', i, 'id'], 'duplicate_id', `typology id "${t.id}" is used twice`);
    typologyIds.add(t.id);
    const { medium, high, critical } = t.severity;
    if (!(medium <= high && high <= critical)) {
      add(
        ['typologies', i, 'severity'],
        'severity_order',
        `needs medium ≤ high ≤ critical (got ${medium}, ${high}, ${critical})`,
      );
    }
    let keyed = false;
    t.detectors.forEach((ref, j) => {
      const d = byId.get(ref.detector);
      if (d === undefined) {
        add(
          ['typologies', i, 'detectors', j, 'detector'],
          'unknown_detector',
          `no detector with id "${ref.detector}"`,
        );
        return;
      }
      if ((DETECTOR_KINDS[d.kind].entities as readonly string[]).includes(t.entityType)) keyed = true;
    });
    if (!keyed && t.detectors.every((ref) => byId.has(ref.detector))) {
      add(
        ['typologies', i, 'entityType'],
        'entity_unreachable',
        `none of this typology's detectors reports a ${t.entityType}; it could never alert`,
      );
    }
    if (t.enabled) {
      typologies.push({
        id: t.id,
        title: t.title,
        entityType: t.entityType,
        detectors: t.detectors.filter((ref) => byId.get(ref.detector)?.enabled === true),
        threshold: t.threshold,
        severity: t.severity,
        combineWindowDays: t.combineWindowDays,
        closeAfterIdleDays: t.closeAfterIdleDays,
      });
    }
  });
  if (issues.length > 0) return { ok: false, issues };
  return ok({
    version: file.version,
    allowedLatenessMs: file.engine.allowedLatenessMinutes * 60_000,
    maxEvidencePerAlert: file.engine.maxEvidencePerAlert,
    detectors,
    typologies,
  });
}

/** Parses and validates a rules file's text (JSON). */
export function parseRulesText(text: string): Result<Rules> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('rules.invalid_json', `the rules file is not valid JSON: ${(error as Error).message}`);
  }
  return parseRules(json);
}

/** Reads and validates a rules file. */
export async function loadRulesFile(path: string): Promise<Result<Rules>> {
  return parseRulesText(await readFile(path, 'utf8'));
}

/** The severity of a score under a typology's thresholds. */
export function severityOf(typology: TypologyRule, score: number): Severity {
  if (score >= typology.severity.critical) return 'critical';
  if (score >= typology.severity.high) return 'high';
  if (score >= typology.severity.medium) return 'medium';
  return 'low';
}

export { SEVERITIES };
