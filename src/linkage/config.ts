import { z } from 'zod';
import { fail, ok, type Result } from '../core/result.js';
import type { BlockingRule } from './blocking.js';
import type { AnyComparison, Comparison } from './comparison.js';
import { chineseNameComparison, createNameNormaliser } from './comparisons/chinese-name.js';
import { damerauLevenshteinComparison } from './comparisons/damerau-levenshtein.js';
import { dateComparison } from './comparisons/date.js';
import { exactComparison } from './comparisons/exact.js';
import { idNumberComparison } from './comparisons/id-number.js';
import { jaroWinklerComparison } from './comparisons/jaro-winkler.js';
import { levenshteinComparison } from './comparisons/levenshtein.js';
import { regionCodeComparison } from './comparisons/region-code.js';
import type { LinkSettings } from './link-records.js';
import { ONE_TO_ONE_MODES } from './one-to-one.js';
import { soundex } from './soundex.js';

/** A CSV row as the general engine sees it: column → trimmed cell, empty cells absent. */
export type Row = Readonly<Record<string, string | undefined>>;

const column = z.string().min(1);
const common = { name: z.string().min(1).optional(), column };
const tf = { termFrequency: z.boolean().optional() };

const comparisonConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('exact'), ...common, ...tf }),
  z.strictObject({
    type: z.literal('jaro-winkler'),
    ...common,
    ...tf,
    thresholds: z.array(z.number().min(0).max(1)).min(1).max(5),
  }),
  z.strictObject({
    type: z.literal('levenshtein'),
    ...common,
    ...tf,
    thresholds: z.array(z.number().int().min(1)).min(1).max(5),
  }),
  z.strictObject({
    type: z.literal('damerau-levenshtein'),
    ...common,
    ...tf,
    thresholds: z.array(z.number().int().min(1)).min(1).max(5),
  }),
  z.strictObject({
    type: z.literal('date'),
    ...common,
    digitTypo: z.boolean().optional(),
    withinDays: z.number().int().positive().optional(),
  }),
  z.strictObject({ type: z.literal('region-code'), ...common }),
  z.strictObject({ type: z.literal('id-number'), ...common }),
  z.strictObject({
    type: z.literal('chinese-name'),
    ...common,
    ...tf,
    pinyinThreshold: z.number().min(0).max(1).optional(),
  }),
]);
export type ComparisonConfig = z.infer<typeof comparisonConfig>;

export const KEY_TRANSFORMS = ['exact', 'lower', 'soundex', 'digits', 'year'] as const;

const keyObject = z.strictObject({
  column,
  /** exact (default), lower case, Soundex code, digits only, or the year of a date. */
  transform: z.enum(KEY_TRANSFORMS).optional(),
  /** Keep the first N characters (after the transform). */
  prefix: z.number().int().positive().optional(),
});
type BlockingKeyConfig = z.output<typeof keyObject>;
const blockingKeyConfig = z.union([column.transform((c): BlockingKeyConfig => ({ column: c })), keyObject]);

const blockingRuleConfig = z.strictObject({
  name: z.string().min(1).optional(),
  keys: z.array(blockingKeyConfig).min(1),
  maxBlockSize: z.number().int().positive().optional(),
});
export type BlockingRuleConfig = z.infer<typeof blockingRuleConfig>;

/**
 * The `ghostwatch link` config (documented in docs/linkage.md); examples/febrl-config.json is one.
 * Column names are those of the left file; `rightColumns` renames right-file columns where they differ.
 */
export const linkConfigSchema = z.strictObject({
  leftId: column,
  rightId: column.optional(),
  rightColumns: z.record(z.string(), z.string()).optional(),
  comparisons: z.array(comparisonConfig).min(1),
  blocking: z.array(blockingRuleConfig).min(1),
  /** Match probability at or above which a pair is written. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  oneToOne: z.enum(ONE_TO_ONE_MODES).default('both'),
  prior: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('em') }),
      z.strictObject({ kind: z.literal('fixed'), probability: z.number().gt(0).lt(1) }),
      z.strictObject({
        kind: z.literal('deterministic'),
        rules: z.array(blockingRuleConfig).min(1),
        recall: z.number().gt(0).max(1),
      }),
    ])
    .default({ kind: 'em' }),
  training: z
    .strictObject({
      uSamplePairs: z.number().int().positive().optional(),
      seed: z.number().int().optional(),
      maxIterations: z.number().int().positive().optional(),
      tolerance: z.number().positive().optional(),
      fixU: z.boolean().optional(),
    })
    .default({}),
});
export type LinkConfig = z.output<typeof linkConfigSchema>;

/**
 * Validates a parsed JSON config.
 * @example const config = parseLinkConfig(JSON.parse(text)); if (!config.ok) report(config.issues);
 */
export function parseLinkConfig(json: unknown): Result<LinkConfig> {
  const parsed = linkConfigSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        code: `config.${issue.code}`,
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: `${issue.path.join('.') || 'config'}: ${issue.message}`,
      })),
    };
  }
  const names = new Set<string>();
  for (const [i, c] of parsed.data.comparisons.entries()) {
    const name = c.name ?? c.column;
    if (names.has(name)) {
      return fail('config.duplicate_comparison', `comparison ${name} appears twice; give one a "name"`, [
        'comparisons',
        i,
      ]);
    }
    names.add(name);
  }
  return ok(parsed.data);
}

/** Builds the comparison a config entry describes. */
export function comparisonFromConfig(config: ComparisonConfig): AnyComparison<Row> {
  const name = config.name ?? config.column;
  const value = (row: Row) => row[config.column];
  const termFrequency = 'termFrequency' in config && config.termFrequency === true;
  const erase = <P>(c: Comparison<Row, P>) => c as AnyComparison<Row>;
  switch (config.type) {
    case 'exact':
      return erase(exactComparison({ name, value, termFrequency }));
    case 'jaro-winkler':
      return erase(jaroWinklerComparison({ name, value, thresholds: config.thresholds, termFrequency }));
    case 'levenshtein':
      return erase(levenshteinComparison({ name, value, thresholds: config.thresholds, termFrequency }));
    case 'damerau-levenshtein':
      return erase(
        damerauLevenshteinComparison({ name, value, thresholds: config.thresholds, termFrequency }),
      );
    case 'date':
      return erase(
        dateComparison({
          name,
          value,
          ...(config.digitTypo === undefined ? {} : { digitTypo: config.digitTypo }),
          ...(config.withinDays === undefined ? {} : { withinDays: config.withinDays }),
        }),
      );
    case 'region-code':
      return erase(regionCodeComparison({ name, value }));
    case 'id-number':
      return erase(idNumberComparison({ name, value }));
    case 'chinese-name': {
      const normalise = createNameNormaliser();
      return erase(
        chineseNameComparison({
          name,
          value: (row: Row) => normalise(row[config.column]),
          termFrequency: config.termFrequency ?? true,
          ...(config.pinyinThreshold === undefined ? {} : { pinyinThreshold: config.pinyinThreshold }),
        }),
      );
    }
    default: {
      const never: never = config;
      return never;
    }
  }
}

/** Builds a blocking rule whose key joins the transformed columns; any empty part leaves the record out. */
export function blockingRuleFromConfig(config: BlockingRuleConfig): BlockingRule<Row> {
  const keys = config.keys.map((k) => {
    const transform = applyTransform(k.transform ?? 'exact');
    const prefix = k.prefix;
    return (row: Row): string | undefined => {
      const raw = row[k.column];
      if (raw === undefined) return undefined;
      const v = transform(raw);
      if (v === undefined || v === '') return undefined;
      return prefix === undefined ? v : v.slice(0, prefix);
    };
  });
  const name =
    config.name ??
    config.keys
      .map((k) => (k.transform && k.transform !== 'exact' ? `${k.transform}(${k.column})` : k.column))
      .join(' + ');
  return {
    name,
    key: (row) => {
      let key = '';
      for (let i = 0; i < keys.length; i++) {
        const part = keys[i]!(row);
        if (part === undefined) return undefined;
        key = i === 0 ? part : `${key}\u0001${part}`;
      }
      return key;
    },
    ...(config.maxBlockSize === undefined ? {} : { maxBlockSize: config.maxBlockSize }),
  };
}

function applyTransform(transform: (typeof KEY_TRANSFORMS)[number]): (value: string) => string | undefined {
  switch (transform) {
    case 'exact':
      return (v) => v;
    case 'lower':
      return (v) => v.toLowerCase();
    case 'soundex':
      return (v) => soundex(v);
    case 'digits':
      return (v) => v.replace(/\D/g, '');
    case 'year':
      return (v) => /^(\d{4})/.exec(v)?.[1];
    default: {
      const never: never = transform;
      return never;
    }
  }
}

/** The engine settings a validated config describes, over CSV rows. */
export function settingsFromConfig(config: LinkConfig): LinkSettings<Row> {
  const leftColumn = config.leftId;
  const rightColumn = config.rightId ?? config.leftId;
  return {
    comparisons: config.comparisons.map(comparisonFromConfig),
    blockingRules: config.blocking.map(blockingRuleFromConfig),
    leftId: (row) => row[leftColumn] ?? '',
    rightId: (row) => row[rightColumn] ?? '',
    threshold: config.threshold,
    oneToOne: config.oneToOne,
    training: {
      u: {
        ...(config.training.uSamplePairs === undefined ? {} : { pairs: config.training.uSamplePairs }),
        ...(config.training.seed === undefined ? {} : { seed: config.training.seed }),
      },
      em: {
        ...(config.training.maxIterations === undefined
          ? {}
          : { maxIterations: config.training.maxIterations }),
        ...(config.training.tolerance === undefined ? {} : { tolerance: config.training.tolerance }),
        ...(config.training.fixU === undefined ? {} : { fixU: config.training.fixU }),
      },
      prior: config.prior.kind === 'fixed' ? config.prior : { kind: 'em' },
    },
    ...(config.prior.kind === 'deterministic'
      ? {
          deterministicRules: {
            rules: config.prior.rules.map(blockingRuleFromConfig),
            recall: config.prior.recall,
          },
        }
      : {}),
  };
}
