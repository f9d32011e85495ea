import { expect, it } from 'vitest';
import { tailEvents } from '../../src/cli/events-tail.js';
import { GAP_SETTLE_MS, readEventsAfter } from '../../src/outbox/read-events.js';
import { recordEvents } from '../../src/outbox/record-events.js';
import type { OutboxEventInput } from '../../src/outbox/events.js';
import { toWireEvent } from '../../src/outbox/wire.js';
import { describeDb } from '../support/db.js';

const event = (n: number, overrides: Partial<OutboxEventInput> = {}): OutboxEventInput => ({
  type: 'action.approved',
  subject: `action:${n}`,
  accountIds: [1, 2],
  payload: { Id: String(n), State: 'APPROVED' },
  occurredAt: new Date('2026-01-15T12:00:00Z'),
  ...overrides,
});

describeDb('outbox', (db) => {
  it('writes events in the caller’s transaction: a rolled-back change leaves none', async () => {
    const { db: sql } = db();
    await sql.transaction((tx) => recordEvents(tx, [event(1), event(2, { type: 'contract.expired', subject: 'contract:9', accountIds: [3] })]));
    await expect(
      sql.transaction(async (tx) => {
        await recordEvents(tx, [event(3)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const page = await readEventsAfter(sql, 0n, { now: new Date(Date.now() + GAP_SETTLE_MS) });
    expect(page.events.map((e) => [e.type, e.subject, e.accountIds, e.payload])).toEqual([
      ['action.approved', 'action:1', [1, 2], { Id: '1', State: 'APPROVED' }],
      ['contract.expired', 'contract:9', [3], { Id: '2', State: 'APPROVED' }],
    ]);
    expect(page.cursor).toBe(page.events[1]!.id);
  });

  it('reads in id order after a cursor; filters skip events but the cursor still moves', async () => {
    const { db: sql } = db();
    await sql.transaction((tx) => recordEvents(tx, [event(1), event(2, { type: 'contract.accepted', accountIds: [7] }), event(3)]));
    const all = await readEventsAfter(sql, 0n);
    expect(all.events).toHaveLength(3);
    const onlyContracts = await readEventsAfter(sql, 0n, { typePrefix: 'contract.' });
    expect(onlyContracts.events.map((e) => e.subject)).toEqual(['action:2']);
    expect(onlyContracts.cursor).toBe(all.cursor);
    const ofAccount = await readEventsAfter(sql, all.events[0]!.id, { accountId: 7 });
    expect(ofAccount.events).toHaveLength(1);
    expect(ofAccount.cursor).toBe(all.cursor);
    expect((await readEventsAfter(sql, all.cursor)).events).toEqual([]);
  });

  it('stops before a young gap in the ids (a transaction that may still commit) and reads past an old one', async () => {
    const { db: sql } = db();
    await sql.transaction((tx) => recordEvents(tx, [event(1)]));
    // An id taken by a transaction that has not committed (or rolled back): the gap.
    await expect(
      sql.transaction(async (tx) => {
        await recordEvents(tx, [event(2)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow();
    await sql.transaction((tx) => recordEvents(tx, [event(3)]));
    const now = new Date();
    const young = await readEventsAfter(sql, 0n, { now });
    expect(young.events.map((e) => e.subject)).toEqual(['action:1']);
    const later = await readEventsAfter(sql, young.cursor, { now: new Date(now.getTime() + GAP_SETTLE_MS + 1_000) });
    expect(later.events.map((e) => e.subject)).toEqual(['action:3']);
  });

  it('events tail prints each event once as a JSON line and stops when nothing is new', async () => {
    const { db: sql } = db();
    await sql.transaction((tx) => recordEvents(tx, Array.from({ length: 5 }, (_, i) => event(i + 1))));
    const lines: string[] = [];
    const cursor = await tailEvents(
      async (after) => {
        const page = await readEventsAfter(sql, after, { limit: 2 });
        return { events: page.events.map(toWireEvent), cursor: page.cursor };
      },
      { after: 0n, follow: false, write: (line) => lines.push(line) },
    );
    const printed = lines.map((line) => JSON.parse(line) as { Subject: string; Type: string; Payload: unknown });
    expect(printed.map((e) => e.Subject)).toEqual(['action:1', 'action:2', 'action:3', 'action:4', 'action:5']);
    expect(printed[0]).toMatchObject({ Type: 'action.approved', Payload: { Id: '1' } });
    expect(cursor).toBeGreaterThan(0n);
  });
});
