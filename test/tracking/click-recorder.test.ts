import { describe, expect, it } from 'vitest';
import type { QueryResult, Sql } from '../../src/db/types.js';
import { ClickRecorder, ClickRecorderError, type Click } from '../../src/modules/tracking/click-recorder.js';

/** A fake database that records each insert and lets the test decide when it commits. */
class FakeSql implements Sql {
  readonly inserts: string[][] = [];
  private gates: Array<() => void> = [];
  failNext = false;
  hold = false;

  async query<T>(_text: string, params?: unknown[]): Promise<QueryResult<T>> {
    const ids = (params?.[0] ?? []) as string[];
    this.inserts.push(ids);
    if (this.hold) await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    return { rows: [], rowCount: ids.length };
  }
  async exec(): Promise<void> {}
  release(): void {
    this.hold = false;
    for (const gate of this.gates.splice(0)) gate();
  }
}

let n = 0;
function aClick(): Click {
  n += 1;
  return { clickId: `c${n}`, linkId: 1, programId: 1, partnerAccountId: 1, at: new Date(), ipHash: null, userAgent: null, referrer: null };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ClickRecorder (group commit)', () => {
  it('writes concurrent clicks with one insert and settles each caller after it', async () => {
    const sql = new FakeSql();
    const recorder = new ClickRecorder(sql);
    await Promise.all(Array.from({ length: 50 }, () => recorder.record(aClick())));
    expect(sql.inserts).toHaveLength(1);
    expect(sql.inserts[0]).toHaveLength(50);
  });

  it('does not settle a click before its insert has committed', async () => {
    const sql = new FakeSql();
    sql.hold = true;
    const recorder = new ClickRecorder(sql);
    let settled = false;
    const pending = recorder.record(aClick()).then(() => (settled = true));
    await tick();
    expect(sql.inserts).toHaveLength(1);
    expect(settled).toBe(false);
    sql.release();
    await pending;
    expect(settled).toBe(true);
  });

  it('flushes at maxBatch without waiting for the timer, and splits larger bursts', async () => {
    const sql = new FakeSql();
    const recorder = new ClickRecorder(sql, { maxBatch: 10, maxDelayMs: 10_000, maxConcurrentFlushes: 4 });
    await Promise.all(Array.from({ length: 25 }, () => recorder.record(aClick())));
    // 10 + 10 at once; the remaining 5 go when a flush finishes (they have waited already).
    expect(sql.inserts.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('collects clicks that arrive during a flush into the next one', async () => {
    const sql = new FakeSql();
    sql.hold = true;
    const recorder = new ClickRecorder(sql, { maxConcurrentFlushes: 1 });
    const first = recorder.record(aClick());
    await tick();
    const later = Array.from({ length: 30 }, () => recorder.record(aClick()));
    await tick();
    expect(sql.inserts.map((batch) => batch.length)).toEqual([1]);
    sql.release();
    await first;
    sql.hold = false;
    await Promise.all(later);
    expect(sql.inserts.map((batch) => batch.length)).toEqual([1, 30]);
  });

  it('fails every click of a failed flush, and only those', async () => {
    const sql = new FakeSql();
    const errors: number[] = [];
    const recorder = new ClickRecorder(sql, { onFlushError: (_error, clicks) => errors.push(clicks) });
    sql.failNext = true;
    const failed = await Promise.allSettled(Array.from({ length: 3 }, () => recorder.record(aClick())));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reason = (failed[0] as PromiseRejectedResult).reason as ClickRecorderError;
    expect(reason).toBeInstanceOf(ClickRecorderError);
    expect(reason.reason).toBe('write-failed');
    expect(errors).toEqual([3]);
    await expect(recorder.record(aClick())).resolves.toBeUndefined();
  });

  it('refuses clicks beyond maxQueued instead of queueing without bound', async () => {
    const sql = new FakeSql();
    sql.hold = true;
    const recorder = new ClickRecorder(sql, { maxBatch: 2, maxQueued: 4, maxConcurrentFlushes: 1 });
    const accepted = Array.from({ length: 6 }, () => recorder.record(aClick()));
    await expect(recorder.record(aClick())).rejects.toMatchObject({ reason: 'overloaded' });
    sql.release();
    await Promise.all(accepted);
  });

  it('close() writes the clicks still waiting and refuses new ones', async () => {
    const sql = new FakeSql();
    const recorder = new ClickRecorder(sql, { maxDelayMs: 60_000 });
    const waiting = Array.from({ length: 7 }, () => recorder.record(aClick()));
    await recorder.close();
    await Promise.all(waiting);
    expect(sql.inserts.flat()).toHaveLength(7);
    await expect(recorder.record(aClick())).rejects.toMatchObject({ reason: 'closed' });
  });
});
