import { z } from 'zod';
import { classifyIdNumber, type IdNumberClass } from '../core/id-number.js';
import { type Fen, parseYuan } from '../core/money.js';
import type { Result } from '../core/result.js';
import {
  type CalendarDate,
  type EpochMs,
  type Period,
  parseDate,
  parsePeriod,
  parseTimestamp,
} from '../core/time.js';

/** Field builders shared by the record schemas: each turns a cell's text into a domain value or a clear issue. */

const text = () =>
  z.string({
    error: (issue) => (issue.input === undefined ? 'is empty; this column is required' : 'must be text'),
  });

/** A required text cell, trimmed, never empty. */
export const requiredText = (max = 200) =>
  text()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, { error: 'is empty; this column is required' })
        .max(max, { error: `is longer than ${max} characters` }),
    );

export const optionalText = (max = 500) =>
  z
    .string()
    .max(max, { error: `is longer than ${max} characters` })
    .transform((s) => s.trim())
    .optional();

function fromResult<T>(parse: (s: string) => Result<T>) {
  return (s: string, ctx: z.RefinementCtx): T => {
    const r = parse(s);
    if (r.ok) return r.value;
    ctx.addIssue({
      code: 'custom',
      message: r.issues[0]?.message ?? 'is invalid',
      params: { code: r.issues[0]?.code },
    });
    return z.NEVER;
  };
}

export const requiredDate = () => text().transform(fromResult<CalendarDate>(parseDate));
export const optionalDate = () => z.string().transform(fromResult<CalendarDate>(parseDate)).optional();
export const requiredPeriod = () => text().transform(fromResult<Period>(parsePeriod));
export const requiredTimestamp = () => text().transform(fromResult<EpochMs>(parseTimestamp));
export const requiredYuan = () => text().transform(fromResult<Fen>(parseYuan));
/** Amounts also arrive as JSON numbers in card events; they are read through their decimal text. */
export const optionalYuan = () =>
  z
    .union([z.string(), z.number().transform((n) => String(n))])
    .transform(fromResult<Fen>(parseYuan))
    .optional();

export const regionCode = () =>
  z
    .string()
    .trim()
    .regex(/^\d{6}$/, { error: 'must be a 6-digit administrative division code, e.g. 430422' })
    .optional();

/** A PAN as written in a file: digits only (spaces folded), 12-19 digits. The Luhn check is left to analytics. */
export const cardText = () =>
  z
    .string()
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{12,19}$/, { error: 'must be a card number of 12 to 19 digits' }));

/**
 * An ID number cell: "not an ID number at all" is an error (quarantine); a wrong check character or birth date
 * is kept and flagged by the record's schema.
 */
export const idNumberText = () =>
  z
    .string()
    .transform((s, ctx): Exclude<IdNumberClass, { kind: 'invalid' }> => {
      const c = classifyIdNumber(s);
      if (c.kind === 'invalid') {
        ctx.addIssue({ code: 'custom', message: c.reason, params: { code: c.code } });
        return z.NEVER;
      }
      return c;
    })
    .optional();

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: () => `must be one of ${values.join(', ')}` });
