import { describe, expect, it } from 'vitest';
import { ClickRecorder, ClickRecorderError, clickWriter, type Click } from '../../src/modules/tracking/click-recorder.js';
import { newClickId } from '../../src/modules/tracking/codes.js';
import { describeDb } from '../support/db.js';

/** A fake store that records the click ids of each write and lets the test decide when it commits. */
class FakeStore {
  readonly inserts: string[][] = [];
  private gates: Array<() => void> = [];
  failNext = false;
  hold = false;

  readonly write = async (clicks: readonly Click[]): Promise<void> => {
    this.inserts.push(clicks.map((click) => click.clickId));
    if (this.hold) await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
  };
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
    const sql = new FakeStore();
    const recorder = new ClickRecorder(sql.write);
    await Promise.all(Array.from({ length: 50 }, () => recorder.record(aClick())));
    expect(sql.inserts).toHaveLength(1);
    expect(sql.inserts[0]).toHaveLength(50);
  });

  it('does not settle a click before its insert has committed', async () => {
    const sql = new FakeStore();
    sql.hold = true;
    const recorder = new ClickRecorder(sql.write);
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
    const sql = new FakeStore();
    const recorder = new ClickRecorder(sql.write, { maxBatch: 10, maxDelayMs: 10_000, maxConcurrentFlushes: 4 });
    await Promise.all(Array.from({ length: 25 }, () => recorder.record(aClick())));
    // 10 + 10 at once; the remaining 5 go when a flush finishes (they have waited already).
    expect(sql.inserts.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('collects clicks that arrive during a flush into the next one', async () => {
    const sql = new FakeStore();
    sql.hold = true;
    const recorder = new ClickRecorder(sql.write, { maxConcurrentFlushes: 1 });
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
    const sql = new FakeStore();
    const errors: number[] = [];
    const recorder = new ClickRecorder(sql.write, { onFlushError: (_error, clicks) => errors.push(clicks) });
    sql.failNext = true;
    const failed = await Promise.allSettled(Array.from({ length: 3 }, () => recorder.record(aClick())));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reason = (failed[0] as PromiseRejectedResult).reason as ClickRecorderError;
    expect(reason).toBeInstanceOf(ClickRecorderError);
    expect(reason.reason).toBe('write-failed');
    expect(errors).toEqual([3]);
    await expect(recorder.record(aClick())).resolves.toBeUndefined();
  });

  it('a store that throws before writing fails its batch instead of leaving callers waiting', async () => {
    let calls = 0;
    const recorder = new ClickRecorder(() => {
      calls += 1;
      if (calls === 1) throw new TypeError('cannot encode');
      return Promise.resolve();
    });
    const results = await Promise.allSettled([recorder.record(aClick()), recorder.record(aClick())]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ reason: 'write-failed' });
    await expect(recorder.record(aClick())).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('refuses clicks beyond maxQueued instead of queueing without bound', async () => {
    const sql = new FakeStore();
    sql.hold = true;
    const recorder = new ClickRecorder(sql.write, { maxBatch: 2, maxQueued: 4, maxConcurrentFlushes: 1 });
    const accepted = Array.from({ length: 6 }, () => recorder.record(aClick()));
    await expect(recorder.record(aClick())).rejects.toMatchObject({ reason: 'overloaded' });
    sql.release();
    await Promise.all(accepted);
  });

  it('close() writes the clicks still waiting and refuses new ones', async () => {
    const sql = new FakeStore();
    const recorder = new ClickRecorder(sql.write, { maxDelayMs: 60_000 });
    const waiting = Array.from({ length: 7 }, () => recorder.record(aClick()));
    await recorder.close();
    await Promise.all(waiting);
    expect(sql.inserts.flat()).toHaveLength(7);
    await expect(recorder.record(aClick())).rejects.toMatchObject({ reason: 'closed' });
  });
});

describeDb('storing clicks (each engine its own way)', (ctx) => {
  it('stores every field as given, including text that COPY has to escape', async () => {
    const { db } = ctx();
    const at = new Date('2026-01-15T11:59:59.123Z');
    const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'tab\tnew\nline\rreturn', 'back\\slash \\N \\.', 'ünïcödé ✓ 🎉', null];
    const clicks: Click[] = agents.map((userAgent, i) => ({
      clickId: newClickId(new Date(at.getTime() + i)),
      linkId: 7,
      programId: 3,
      partnerAccountId: 5,
      at,
      ipHash: i % 2 ? null : 'a'.repeat(64),
      userAgent,
      referrer: i === 1 ? 'https://blog.example/a?b=1\tc' : null,
    }));
    await clickWriter(db)(clicks);
    const { rows } = await db.query<{ clickId: string; linkId: number; programId: number; partnerAccountId: number; at: Date; ipHash: string | null; userAgent: string | null; referrer: string | null }>(
      `select click_id as "clickId", link_id as "linkId", program_id as "programId", partner_account_id as "partnerAccountId", at,
              ip_hash as "ipHash", user_agent as "userAgent", referrer from clicks order by click_id`,
    );
    expect(rows).toEqual(clicks);
  });

  it('writes a batch all or nothing', async () => {
    const { db } = ctx();
    const at = new Date('2026-01-15T11:00:00Z');
    const click = (clickId: string): Click => ({ clickId, linkId: 1, programId: 1, partnerAccountId: 1, at, ipHash: null, userAgent: null, referrer: null });
    const first = newClickId(at);
    await clickWriter(db)([click(first)]);
    await expect(clickWriter(db)([click(newClickId(at)), click(first)])).rejects.toThrow(/duplicate key/);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clicks');
    expect(rows[0]!.n).toBe(1);
  });
});
