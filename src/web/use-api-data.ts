import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api/api-client.js';

export interface ApiData<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Loads data from the API when the page mounts and whenever `deps` change; a later answer replaces an earlier
 * one, a stale one is dropped.
 * @example const { data } = useApiData(() => api.get<Page<Suspect>>('/api/suspects', query), [query]);
 */
export function useApiData<T>(load: () => Promise<T>, deps: readonly unknown[]): ApiData<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is a new closure on every render; deps name what it reads.
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (!current) return;
        setError(reason instanceof ApiError ? reason : new ApiError(0, 'client', String(reason)));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
