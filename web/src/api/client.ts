/**
 * The one place the UI talks HTTP. Every failure becomes an ApiError carrying the
 * server's RFC 9457 problem, so screens can always show the problem's `detail`.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  get detail(): string {
    return this.problem.detail;
  }
}

/** The message to show a user for anything thrown by a request or a form. */
export function errorDetail(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue>;
  /** Sent as the Lockstep-Account header: the account the call acts for. */
  accountId?: number | null;
  signal?: AbortSignal;
}

export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function problemFrom(response: Response): Promise<Problem> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object') {
    const b = body as Partial<Problem> & { message?: string; error?: string };
    const detail = b.detail ?? b.message ?? b.error;
    if (typeof detail === 'string' && detail) {
      return {
        type: b.type ?? 'about:blank',
        title: b.title ?? response.statusText,
        status: typeof b.status === 'number' ? b.status : response.status,
        detail,
        ...(Array.isArray(b.errors) ? { errors: b.errors } : {}),
      };
    }
  }
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: `The server answered ${response.status} ${response.statusText || ''} without an explanation.`.replace('  ', ' '),
  };
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.accountId) headers['Lockstep-Account'] = String(options.accountId);
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach the Lockstep server. Check your connection and try again.',
    });
  }
  if (!response.ok) throw new ApiError(await problemFrom(response));
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Calls that are not tied to an account (session, invitations, operator console). */
export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
};

/** The same verbs, acting for one account (Lockstep-Account header). */
export function accountApi(accountId: number) {
  return {
    get: <T>(path: string, query?: Record<string, QueryValue>) => request<T>('GET', path, { query, accountId }),
    post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {}, accountId }),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body, accountId }),
    del: <T = void>(path: string) => request<T>('DELETE', path, { accountId }),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;
