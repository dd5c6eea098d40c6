import { useState } from 'react';

export interface PagingState<S extends string> {
  readonly offset: number;
  readonly limit: number;
  readonly sort: S;
  readonly order: 'asc' | 'desc';
}

/** A list's place and order (kept on the page; the server cuts and sorts). Changing the order goes back to the start. */
export function usePaging<S extends string>(initial: PagingState<S>) {
  const [state, setState] = useState(initial);
  return {
    state,
    onPage: (offset: number) => setState((s) => ({ ...s, offset })),
    onSort: (sort: string, order: 'asc' | 'desc') =>
      setState((s) => ({ ...s, sort: sort as S, order, offset: 0 })),
    reset: () => setState((s) => ({ ...s, offset: 0 })),
  };
}
