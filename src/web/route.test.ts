import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './route.js';

describe('dashboard routes', () => {
  it('parses every page and round-trips through hrefOf', () => {
    const routes: Route[] = [
      { page: 'login' },
      { page: 'overview' },
      { page: 'suspects' },
      { page: 'suspect', id: 'B 00/17' },
      { page: 'alerts' },
      { page: 'alert', id: 'AL-3f9c' },
      { page: 'network' },
      { page: 'network', ringId: 'R-1' },
      { page: 'handlers' },
      { page: 'cases' },
      { page: 'case', id: 'CASE-20210201-0000000A' },
      { page: 'rules' },
      { page: 'data-quality' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it('sends anything unknown to the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'overview' });
  });
});
