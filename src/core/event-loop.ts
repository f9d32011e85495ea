/**
 * Lets waiting I/O run (a socket to read, a timer) before the caller goes on. Long work
 * on the one thread (a big batch, an export, PGlite's in-process queries, whose promises
 * resolve as microtasks and never let the event loop turn) calls it every so often, so
 * that a click arriving meanwhile is answered within milliseconds, not after the work.
 */
export function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Like turnEventLoop, and lets the short timers set meanwhile run first: the click
 * recorder waits 1 ms for company before its group commit, so work that holds the
 * embedded engine (PGlite) between its chunks waits 2 ms, and a click that arrived during
 * a chunk is committed before the next one starts, instead of after it.
 */
export function letShortTimersRun(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2));
}
