/**
 * Waking the workers of this process at once, instead of at their next poll. An enqueue
 * made outside a transaction wakes them itself; one made in a transaction cannot (the
 * item is invisible to them until the commit), so its caller calls wake() after the
 * commit. Workers of other instances find the item at their next poll.
 */
const listeners = new Set<() => void>();

export function wake(): void {
  for (const listener of listeners) listener();
}

/** For a worker: be called on every wake(). Returns the function that stops it. */
export function onWake(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
