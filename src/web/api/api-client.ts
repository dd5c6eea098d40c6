/** An error answer of the API (`{ error: { code, message, issues } }`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The route itself does not exist on this server (as opposed to a missing record). */
  get isMissingRoute(): boolean {
    return this.status === 404 && this.message.startsWith('no route');
  }
}

export type Query = Readonly<Record<string, string | number | undefined>>;

/**
 * The dashboard's only way to the server: JSON over fetch, the session cookie sent by the browser, and the
 * session's CSRF token on every state-changing request. Created once in the app root.
 * @example
 * const api = createApiClient({ baseUrl: '' });
 * const page = await api.get<Page<Suspect>>('/api/suspects', { limit: 20 });
 */
export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  /** Like get, but undefined when the route does not exist on this server (yet). */
  getOptional<T>(path: string, query?: Query): Promise<T | undefined>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  setCsrfToken(token: string | undefined): void;
}

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
}

export function pathWithQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let csrfToken: string | undefined;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    if (!(response.headers.get('content-type') ?? '').includes('json') && text !== '') {
      // The dashboard's own page, served for any path the server does not know: the route does not exist.
      throw new ApiError(404, 'not_found', `no route ${method} ${path}`);
    }
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'http', error?.message ?? response.statusText);
    }
    return json as T;
  }

  return {
    get: (path, query) => request('GET', pathWithQuery(path, query)),
    async getOptional<T>(path: string, query?: Query) {
      try {
        return await request<T>('GET', pathWithQuery(path, query));
      } catch (error) {
        if (error instanceof ApiError && error.isMissingRoute) return undefined;
        throw error;
      }
    },
    post: (path, body) => request('POST', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body),
    setCsrfToken(token) {
      csrfToken = token;
    },
  };
}
