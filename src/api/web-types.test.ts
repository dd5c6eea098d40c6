import { describe, expect, it } from 'vitest';
import {
  CASE_STATUSES,
  CASE_TRANSITIONS,
  DISPOSITIONS,
  RECOVERY_ENTRY_KINDS,
  RECOVERY_ROUTES,
} from '../cases/case.js';
import * as web from '../web/api/types.js';

// The dashboard's response types are held to the API's schemas at compile time by web-types.check.ts; the values
// it copies from the cases context (what a case may become next, the lists its forms offer) are checked here.
describe('the dashboard’s copies of the cases context’s constants', () => {
  it('hold the same statuses and transitions, recovery kinds and routes, and dispositions, in the same order', () => {
    expect(web.CASE_STATUSES).toEqual(CASE_STATUSES);
    expect(web.CASE_TRANSITIONS).toEqual(CASE_TRANSITIONS);
    expect(web.RECOVERY_ENTRY_KINDS).toEqual(RECOVERY_ENTRY_KINDS);
    expect(web.RECOVERY_ROUTES).toEqual(RECOVERY_ROUTES);
    expect(web.DISPOSITIONS).toEqual(DISPOSITIONS);
  });
});
