/**
 * Lets waiting I/O run (a socket to read, a timer) before the caller goes on. Long work
 * on the one thread (a big batch, an export, PGlite's in-process queries, whose promises
 * resolve as microtasks and never let the event loop turn) calls it every so often, so
 * that a click arriving meanwhile is answered within milliseconds, not after the work.
 */
export function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
