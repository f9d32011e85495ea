/**
 * What a handler's step or checkpoint throws when the item is no longer this worker's to
 * run. A handler lets both propagate (or rethrows them): the worker knows what to do.
 */

/**
 * The worker's lease on the item is gone: it expired and the item was taken back (the
 * worker was stuck, or a step outlasted the lease), or the item was given to another
 * worker. Nothing of the step that threw it was committed; this handler must stop, as
 * another worker may already be running the item from its last committed progress.
 */
export class LeaseLostError extends Error {
  constructor(readonly itemId: bigint, readonly leaseOwner: string) {
    super(
      `Work item ${itemId} is no longer leased to ${leaseOwner} (the lease expired, and the item was taken back or given to another worker); ` +
        'this run stops without committing its step. Keep each step well within the kind\'s leaseMs.',
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * The worker is shutting down: the item goes back to the queue with its progress and
 * without counting the attempt, and the next worker resumes it. Thrown by a step that
 * would start while stopping, and after a step or checkpoint committed during a stop.
 */
export class WorkerStoppingError extends Error {
  constructor(readonly itemId: bigint) {
    super(`The worker is shutting down: work item ${itemId} goes back to the queue with its progress, to be resumed by the next worker.`);
    this.name = 'WorkerStoppingError';
  }
}
