import { DEFAULT_BACKOFF, type Backoff } from './retry-delay.js';
import type { WorkHandler } from './types.js';

/** How a kind's items are run. */
export interface KindOptions {
  /** Attempts before an item is DEAD (default 5). A crash or a lost lease counts as one; a shutdown does not. */
  maxAttempts?: number;
  /**
   * How long a claim, a step or a checkpoint holds the item (default 60 s). A worker
   * killed mid-item loses the item this long after its last step. Keep the time from one
   * step (or checkpoint) to the next well within it: past it the item is taken back and
   * the handler's next step throws LeaseLostError.
   */
  leaseMs?: number;
  /** The wait between failed attempts (default 1 s doubling to 1 hour, see retry-delay.ts). */
  backoff?: Partial<Backoff>;
}

export interface WorkKind<P = unknown, G = unknown> {
  readonly name: string;
  readonly handler: WorkHandler<P, G>;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly backoff: Backoff;
}

/**
 * Any kind, whatever its payload and progress types (what the worker handles). A kind is
 * invariant in both (its handler reads and writes them), so only `any` holds every kind.
 */
// biome-ignore lint/suspicious/noExplicitAny: the existential kind, see above
export type AnyWorkKind = WorkKind<any, any>;

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_LEASE_MS = 60_000;
/** A kind name: lower case, digits, `-`, `.`, `:` (`lock-due-actions`, `flow:expire-contract`). */
const KIND_NAME = /^[a-z0-9][a-z0-9.:-]{0,99}$/;

const kinds = new Map<string, AnyWorkKind>();

function boundedInt(name: string, what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Work kind "${name}": ${what} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

/**
 * Registers the handler of a kind of work, once per process, in the module that owns the
 * work (a kind's module is imported by whatever enqueues it, and by src/cli/work-kinds.ts
 * so that the worker of `lockstep start` runs it). A worker claims only the kinds
 * registered in its process: an instance of an older version leaves a new kind's items
 * to the instances that know it.
 */
export function registerKind<P = unknown, G = unknown>(name: string, handler: WorkHandler<P, G>, options: KindOptions = {}): WorkKind<P, G> {
  if (!KIND_NAME.test(name)) {
    throw new Error(`Work kind name "${name}" is not valid: use lower-case letters, digits, "-", "." and ":" (at most 100), e.g. "lock-due-actions".`);
  }
  if (kinds.has(name)) throw new Error(`Work kind "${name}" is registered twice; a kind has exactly one handler.`);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const kind: WorkKind<P, G> = {
    name,
    handler,
    maxAttempts: boundedInt(name, 'maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 1, 1000),
    leaseMs: boundedInt(name, 'leaseMs', options.leaseMs ?? DEFAULT_LEASE_MS, 50, 86_400_000),
    backoff: {
      baseMs: boundedInt(name, 'backoff.baseMs', backoff.baseMs, 0, 86_400_000),
      maxMs: boundedInt(name, 'backoff.maxMs', backoff.maxMs, 0, 7 * 86_400_000),
    },
  };
  kinds.set(name, kind);
  return kind;
}

export function findKind(name: string): AnyWorkKind | undefined {
  return kinds.get(name);
}

export function findKindOrThrow(name: string): AnyWorkKind {
  const kind = kinds.get(name);
  if (!kind) {
    throw new Error(
      `Unknown work kind "${name}": register it with registerKind() before enqueuing (import the module that defines it); registered: ${[...kinds.keys()].sort().join(', ') || 'none'}.`,
    );
  }
  return kind;
}

export function registeredKinds(): AnyWorkKind[] {
  return [...kinds.values()];
}
