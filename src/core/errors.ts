/**
 * Domain errors carry the HTTP status and an RFC 9457 problem type, so that every
 * edge (HTTP, CLI, file channels) reports the same failure the same way.
 */
export type ProblemCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'payload-too-large'
  | 'rate-limited'
  | 'unprocessable';

const STATUS: Record<ProblemCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'payload-too-large': 413,
  unprocessable: 422,
  'rate-limited': 429,
};

const TITLE: Record<ProblemCode, string> = {
  validation: 'Invalid request',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  conflict: 'Conflict',
  gone: 'Gone',
  'payload-too-large': 'Payload too large',
  unprocessable: 'Unprocessable request',
  'rate-limited': 'Too many requests',
};

export class DomainError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    this.status = STATUS[code];
    this.title = TITLE[code];
  }
}

export const invalid = (detail: string, extra?: Record<string, unknown>) =>
  new DomainError('validation', detail, extra);
export const notFound = (detail: string) => new DomainError('not-found', detail);
export const forbidden = (detail: string) => new DomainError('forbidden', detail);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new DomainError('conflict', detail, extra);
export const unauthorized = (detail: string) => new DomainError('unauthorized', detail);
