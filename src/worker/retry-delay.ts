/**
 * How long a failed item waits before its next attempt: exponential backoff, doubling
 * from `baseMs` after the first failed attempt up to `maxMs`, plus up to 10% of random
 * jitter so that items which failed together (a database restart) do not all come back
 * in the same instant. Never more than `maxMs`.
 */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, maxMs: 3_600_000 };

export const JITTER = 0.1;

/** The delay after failed attempt number `attempt` (1 for the first). `random` is in [0, 1). */
export function retryDelayMs(attempt: number, backoff: Backoff, random: number = Math.random()): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const plain = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.min(backoff.maxMs, Math.round(plain * (1 + JITTER * random)));
}
