/**
 * A backlog of recorded clicks for the credit job's benchmarks and tests: `count` clicks
 * spread over the links given, all older than the credit job's lag (so one run credits
 * them all), with real time-ordered click ids, written in batches by the click path's
 * own writer (clickWriter), as the redirect would have written them.
 */
import type { Db } from '../src/db/types.js';
import { clickWriter, type Click } from '../src/modules/tracking/click-recorder.js';
import { newClickId } from '../src/modules/tracking/codes.js';
import { CREDIT_LAG_MS } from '../src/modules/tracking/credit-clicks.js';

export interface BacklogLink {
  linkId: number;
  programId: number;
  partnerAccountId: number;
}

/** Writes the backlog; its clicks end `CREDIT_LAG_MS` + 30 s before `now` and are 20 µs apart. */
export async function writeClickBacklog(db: Db, links: readonly BacklogLink[], count: number, now: Date, spacingUs = 20): Promise<void> {
  const write = clickWriter(db);
  const end = now.getTime() - CREDIT_LAG_MS - 30_000;
  const batchSize = db.kind === 'pglite' ? 5_000 : 20_000;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const clicks = new Array<Click>(n);
    for (let i = 0; i < n; i++) {
      const index = start + i;
      const link = links[index % links.length]!;
      const at = new Date(end - Math.ceil(((count - index) * spacingUs) / 1_000));
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
