/**
 * A backlog of recorded clicks for the credit job's benchmarks and tests: `count` clicks
 * spread over the links given, with real time-ordered click ids, written in batches by the click path's
 * own writer (clickWriter), as the redirect would have written them.
 */
import type { Db } from '../src/db/types.js';
import { clickWriter, type Click } from '../src/modules/tracking/click-recorder.js';
import { newClickId } from '../src/modules/tracking/codes.js';

export interface BacklogLink {
  linkId: number;
  programId: number;
  partnerAccountId: number;
}

/**
 * Writes the backlog: its clicks lie between `from` and `to` (both older than the credit
 * job's lag at the run that is to credit them, and newer than the cursor of the run before:
 * behind the cursor a click is never looked at), in time order, many to a millisecond.
 */
export async function writeClickBacklog(db: Db, links: readonly BacklogLink[], count: number, from: Date, to: Date): Promise<void> {
  const write = clickWriter(db);
  const start = from.getTime();
  const spanMs = Math.max(0, to.getTime() - start);
  const batchSize = db.kind === 'pglite' ? 5_000 : 20_000;
  for (let first = 0; first < count; first += batchSize) {
    const n = Math.min(batchSize, count - first);
    const clicks = new Array<Click>(n);
    for (let i = 0; i < n; i++) {
      const index = first + i;
      const link = links[index % links.length]!;
      const at = new Date(start + Math.floor((index * spanMs) / count));
      clicks[i] = {
        clickId: newClickId(at),
        linkId: link.linkId,
        programId: link.programId,
        partnerAccountId: link.partnerAccountId,
        at,
        ipHash: null,
        userAgent: 'lockstep-bench/1.0',
        referrer: null,
      };
    }
    await write(clicks);
  }
}
