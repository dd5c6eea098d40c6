/** One reason a value was refused: a stable code, where it was, and what a person can do about it. */
export interface Issue {
  readonly code: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Expected failures are values, as zod's `safeParse` returns them. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = <T = never>(
  code: string,
  message: string,
  path: readonly (string | number)[] = [],
): Result<T> => ({
  ok: false,
  issues: [{ code, path, message }],
});

/** Returns the value or throws: for callers that have already validated (a bug if it fails). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new Error(result.issues.map((i) => i.message).join('; '));
}
