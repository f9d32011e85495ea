/**
 * The one place the UI talks HTTP. Every failure becomes an ApiError carrying the
 * server's RFC 9457 problem, so screens can always show the problem's `detail`.
 */
import type { Problem } from '@contract/common';

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

/** The refusal code of an action operation's problem, if the error is one. */
export function refusalOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.problem.refusal : undefined;
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
        // Why an action operation was refused (cpc_needs_operator, modification_limit…): some refusals lead to a support ticket.
        ...(typeof b.refusal === 'string' ? { refusal: b.refusal } : {}),
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

/** The file name a Content-Disposition header gives, e.g. `attachment; filename="actions-2026-05-01.csv"`. */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // A malformed encoding: fall back to the plain filename.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const name = (plain?.[2] ?? plain?.[1])?.trim();
  // Only the file's own name: never a path.
  return name ? name.replace(/^.*[\\/]/, '') : undefined;
}

/**
 * Downloads a file the API generates (CSV, Excel and PDF exports). A plain link cannot carry the
 * Lockstep-Account header, so the file is fetched with the session cookie and the header,
 * then handed to the browser as a Blob, named as the server's Content-Disposition says.
 * A refusal is thrown as an ApiError with the server's problem detail.
 */
export async function downloadFile(
  path: string,
  options: { query?: Record<string, QueryValue>; accountId?: number | null; fallbackName: string; mediaType?: string },
): Promise<string> {
  // The file's media type, or a problem when the server refuses (a bad filter, no access).
  const headers: Record<string, string> = { Accept: `${options.mediaType ?? 'text/csv'}, application/problem+json` };
  if (options.accountId) headers['Lockstep-Account'] = String(options.accountId);
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), { method: 'GET', headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'Could not reach the Lockstep server. Check your connection and try again.',
    });
  }
  if (!response.ok) throw new ApiError(await problemFrom(response));
  const blob = await response.blob();
  const filename = filenameFromDisposition(response.headers.get('Content-Disposition')) ?? options.fallbackName;
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    // Give the browser a moment to start the download before the Blob goes away.
    window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }
  return filename;
}

/** Calls that are not tied to an account (session, invitations, operator console). */
export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
};

/** The same verbs, acting for one account (Lockstep-Account header). */
export function accountApi(accountId: number) {
  return {
    get: <T>(path: string, query?: Record<string, QueryValue>) => request<T>('GET', path, { query, accountId }),
    post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {}, accountId }),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body, accountId }),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body, accountId }),
    del: <T = void>(path: string) => request<T>('DELETE', path, { accountId }),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;
