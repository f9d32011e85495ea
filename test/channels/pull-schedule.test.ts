/**
 * When pulls happen (src/channels/pull/schedule.ts) and which names a pattern takes
 * (glob.ts): one pull per event type and interval slot however many instances tick, none
 * for an event type no longer set to SFTP_PULL.
 */
import { describe, expect, it } from 'vitest';
import { matchesFilePattern } from '../../src/channels/pull/glob.js';
import { pullKind, pullLockKey } from '../../src/channels/pull/pull-files.js';
import { enqueueDuePulls, nextPullAt, pullSlotStart } from '../../src/channels/pull/schedule.js';
import { enqueue } from '../../src/worker/index.js';
import { Worker } from '../../src/worker/worker.js';
import { findJobOrThrow } from '../../src/jobs/scheduler.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { makeActionWorld } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';

describe('file patterns', () => {
  it.each([
    ['returns_*.csv', 'returns_2026-12-01.csv', true],
    ['returns_*.csv', 'returns_.csv', true],
    ['returns_*.csv', 'Returns_1.csv', false],
    ['returns_*.csv', 'returns_1.csv.bak', false],
    ['Conversions_202?_*.csv', 'Conversions_2026_dec.csv', true],
    ['Conversions_202?_*.csv', 'Conversions_20261_dec.csv', false],
    ['a.b', 'axb', false],
    ['(x)+[y].csv', '(x)+[y].csv', true],
    ['*', 'anything at all', true],
    ['??.xml', 'ab.xml', true],
    ['??.xml', 'é1.xml', true],
    ['??.xml', 'abc.xml', false],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(matchesFilePattern(pattern, name)).toBe(expected);
  });
});

describe('slots', () => {
  it('cuts time into slots of the interval, offset per event type, and names the next one', () => {
    const now = new Date('2026-01-15T12:07:00Z');
    const slot = pullSlotStart(1, 240, now);
    expect(slot.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(now.getTime() - slot.getTime()).toBeLessThan(240 * 60_000);
    expect(nextPullAt(1, 240, now).getTime() - slot.getTime()).toBe(240 * 60_000);
    expect(pullSlotStart(1, 240, new Date(slot.getTime() + 239 * 60_000))).toEqual(slot);
    expect(pullSlotStart(2, 240, now)).not.toEqual(slot);
  });
});

describeDb('scheduled pulls', (db) => {
  it('enqueues one pull per event type and slot, every minute on every instance, and none once the method changes', async () => {
    const { clock } = db();
    const ctx = { db: db().db, clock };
    expect(findJobOrThrow('enqueue-due-pulls').schedule).toBe('* * * * *');
    const world = await makeActionWorld(ctx, clock);
    const eventTypeId = world.program.saleEventTypeId;
    expect(await enqueueDuePulls(ctx)).toBe(0);
    await setReturnsProcessing(ctx, world.brand.actor, eventTypeId, {
      method: 'SFTP_PULL',
      pull: { protocol: 'SFTP', host: 'sftp.example.test', username: 'acme', folder: '/in', filePattern: '*.csv', intervalMinutes: 15 },
    });
    expect(await enqueueDuePulls(ctx)).toBe(1);
    // Another instance, the same minute, and the next minutes of the slot: nothing more.
    expect(await enqueueDuePulls(ctx)).toBe(0);
    const slotEnd = nextPullAt(eventTypeId, 15, clock.now());
    clock.advanceMs(slotEnd.getTime() - clock.now().getTime() - 60_000);
    expect(await enqueueDuePulls(ctx)).toBe(0);
    clock.advanceMs(60_000);
    expect(await enqueueDuePulls(ctx)).toBe(1);
    const { rows } = await ctx.db.query<{ payload: { eventTypeId: number; trigger: string }; dedupe_key: string }>(
      `select payload, dedupe_key from work_items where kind = 'returns-pull' order by id`,
    );
    expect(rows.map((r) => r.payload)).toEqual([
      { eventTypeId, brandAccountId: world.brand.id, trigger: 'SCHEDULE' },
      { eventTypeId, brandAccountId: world.brand.id, trigger: 'SCHEDULE' },
    ]);
    expect(rows[1]!.dedupe_key).toBe(`returns-pull:${eventTypeId}:${slotEnd.toISOString()}`);
    await setReturnsProcessing(ctx, world.brand.actor, eventTypeId, { method: 'API' });
    clock.advanceMs(15 * 60_000);
    expect(await enqueueDuePulls(ctx)).toBe(0);
  });

  it('two pulls of one event type never overlap: a scheduled twin is dropped, a "Pull now" comes again once the running one is done', async () => {
    const { clock } = db();
    const ctx = { db: db().db, clock };
    const world = await makeActionWorld(ctx, clock);
    const eventTypeId = world.program.saleEventTypeId;
    const release = await ctx.db.tryAdvisoryLock(pullLockKey(eventTypeId));
    expect(release).not.toBeNull();
    try {
      const payload = { eventTypeId, brandAccountId: world.brand.id };
      await enqueue(ctx.db, pullKind, { ...payload, trigger: 'SCHEDULE' });
      await enqueue(ctx.db, pullKind, { ...payload, trigger: 'MANUAL', requestedByUserId: world.brand.adminUserId });
      await new Worker(ctx, { kinds: ['returns-pull'] }).drain();
    } finally {
      await release?.();
    }
    const { rows } = await ctx.db.query<{ state: string; trigger: string; later: boolean; summary: string | null }>(
      `select state, payload ->> 'trigger' as trigger, run_after > now() as later, progress ->> 'summary' as summary from work_items where kind = 'returns-pull' order by id`,
    );
    expect(rows).toEqual([
      { state: 'DONE', trigger: 'SCHEDULE', later: false, summary: 'another pull of this event type was running; it takes the same files' },
      { state: 'DONE', trigger: 'MANUAL', later: false, summary: 'another pull of this event type was running; this one runs again in 15 s' },
      { state: 'QUEUED', trigger: 'MANUAL', later: true, summary: null },
    ]);
    expect((await ctx.db.query('select id from returns_pull_runs')).rows).toEqual([]);
  });
});
