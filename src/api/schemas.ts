import { z } from 'zod';

/**
 * The API's shared zod schemas. Every string has a maximum length and every identifier a pattern, so that an
 * oversized value or one made of SQL metacharacters is refused with 400 before anything runs.
 */

/** Identifiers agencies give (beneficiary, handler, alert ids): letters, digits, `_ . : -`. */
export const identifier = (max = 64) =>
  z
    .string()
    .max(max)
    .regex(/^[\p{L}\p{N}_.:-]+$/u, { error: 'may hold only letters, digits and _ . : -' });

export const caseId = z
  .string()
  .max(40)
  .regex(/^CASE-\d{8}-[0-9A-F]{8}$/, { error: 'is not a case id (CASE-YYYYMMDD-XXXXXXXX)' });
export const approvalId = z
  .string()
  .max(40)
  .regex(/^APPROVAL-\d{8}-[0-9A-F]{8}$/, { error: 'is not an approval id' });
export const userName = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, { error: 'may hold only letters, digits and . _ @ -' });
export const unitName = z
  .string()
  .max(64)
  .regex(/^[\p{L}\p{N} ._-]+$/u, { error: 'may hold only letters, digits, spaces and . _ -' });

/** Free text people write (notes, reasons): any characters, bounded. */
export const freeText = (max = 2000) => z.string().trim().min(1).max(max);

/** Integer fen (1 yuan = 100 fen), never a float. */
export const fen = z.number().int().min(0).max(1e13);

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(
      z.object({ code: z.string(), path: z.array(z.union([z.string(), z.number()])), message: z.string() }),
    ),
  }),
});

/** `?offset=&limit=&sort=&order=`: lists are cut and sorted on the server. */
export function pageQuery<const S extends readonly [string, ...string[]]>(sorts: S, defaultSort: S[number]) {
  return z.object({
    offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    sort: z.enum(sorts).default(defaultSort as never),
    order: z.enum(['asc', 'desc']).default('desc'),
  });
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
  });

export const okBody = z.object({ ok: z.literal(true) });
