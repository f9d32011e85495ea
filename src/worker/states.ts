/**
 * The work item state machine, in one place. Every change of state in src/worker is a
 * compare-and-set on the states named here (`where state = any($from)`, and for a
 * worker's own item `and lease_owner = $token`), so a lost race changes nothing and is
 * reported, never silently overwritten.
 */

export const WORK_ITEM_STATES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'DEAD'] as const;
export type WorkItemState = (typeof WORK_ITEM_STATES)[number];

export type WorkItemTransition =
  /** A worker takes a due item and its lease; attempts + 1. */
  | 'CLAIM'
  /** The handler returned. */
  | 'COMPLETE'
  /** The handler threw with attempts left: retried at run_after (backoff). */
  | 'FAIL'
  /** The handler threw on its last attempt. */
  | 'GIVE_UP'
  /** The lease ran out (the worker was killed, or stuck past its lease): FAILED, or DEAD on the last attempt. */
  | 'EXPIRE_LEASE'
  /** The worker is shutting down: back to QUEUED, the attempt not counted, progress kept. */
  | 'RELEASE'
  /** An operator sends a failed or dead item back to the queue (the console). */
  | 'RETRY';

export const TRANSITIONS: Record<WorkItemTransition, { from: readonly WorkItemState[]; to: readonly WorkItemState[]; by: 'WORKER' | 'OPERATOR' }> = {
  CLAIM: { from: ['QUEUED', 'FAILED'], to: ['RUNNING'], by: 'WORKER' },
  COMPLETE: { from: ['RUNNING'], to: ['DONE'], by: 'WORKER' },
  FAIL: { from: ['RUNNING'], to: ['FAILED'], by: 'WORKER' },
  GIVE_UP: { from: ['RUNNING'], to: ['DEAD'], by: 'WORKER' },
  EXPIRE_LEASE: { from: ['RUNNING'], to: ['FAILED', 'DEAD'], by: 'WORKER' },
  RELEASE: { from: ['RUNNING'], to: ['QUEUED'], by: 'WORKER' },
  RETRY: { from: ['FAILED', 'DEAD'], to: ['QUEUED'], by: 'OPERATOR' },
};

/** The states an item can still run from: waiting for a worker, now or at run_after. */
export const CLAIMABLE_STATES = TRANSITIONS.CLAIM.from;
/** The states the console lists when no state is asked for: what needs a person. */
export const NEEDS_ATTENTION_STATES: readonly WorkItemState[] = ['FAILED', 'DEAD'];
