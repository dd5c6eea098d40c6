import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Issue } from '../core/result.js';

/**
 * The one HTTP error type: a status, a stable code, one clear message and, for a refused request, the issues
 * (path + message). `onError` in app.ts turns it into the JSON error body.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues: readonly Issue[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }
}

const STATUS_BY_CODE: readonly [RegExp, ContentfulStatusCode][] = [
  [/^not_found$/, 404],
  [/^(conflict_of_interest|four_eyes\..*)$/, 403],
  [/^auth\.bad_credentials$/, 401],
  [/^auth\.rate_limited$/, 429],
  [
    /^(case\.(invalid_transition|closed|changed|busy)|approval\..*|recovery\.not_confirmed|users\.exists)$/,
    409,
  ],
];

/**
 * The HTTP error for a refused Result: the first issue's code picks the status (404 not found, 403 conflict of
 * interest or four-eyes, 409 a state that does not allow it, 400 otherwise).
 * @example throw errorFromIssues(result.issues)
 */
export function errorFromIssues(issues: readonly Issue[]): ApiError {
  const first = issues[0] ?? { code: 'invalid', path: [], message: 'the request was refused' };
  const status = STATUS_BY_CODE.find(([pattern]) => pattern.test(first.code))?.[1] ?? 400;
  return new ApiError(status, first.code, first.message, issues);
}
