import type { WireEvent } from '../outbox/wire.js';

export type ReadPage = (cursor: bigint) => Promise<{ events: WireEvent[]; cursor: bigint }>;

/**
 * `lockstep events tail`: prints the outbox's events after a cursor, one JSON document a
 * line; with `follow`, keeps polling for new ones until stopped (Ctrl+C).
 */
export async function tailEvents(
  read: ReadPage,
  options: { after: bigint; follow: boolean; pollMs?: number; write?: (line: string) => void; signal?: AbortSignal },
): Promise<bigint> {
  const write = options.write ?? ((line) => process.stdout.write(line));
  let cursor = options.after;
  for (;;) {
    const page = await read(cursor);
    for (const event of page.events) write(`${JSON.stringify(event)}\n`);
    const moved = page.cursor !== cursor;
    cursor = page.cursor;
    if (options.signal?.aborted) return cursor;
    if (!moved) {
      if (!options.follow) return cursor;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
    }
  }
}
