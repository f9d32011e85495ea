import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import type { Sql } from '../../src/db/types.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { creditClicks } from '../../src/modules/tracking/credit-clicks.js';
import { makeClick } from '../support/actions.js';
import { makeAccount } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

async function cpcActions(sql: Sql) {
  const { rows } = await sql.query<Record<string, unknown>>(
    `select id::text, contract_id, click_day::text as click_day, click_count, state, payout_minor, original_payout_minor, amount_minor,
            order_id, click_id, event_at, modification_count
       from actions where event_kind = 'CLICK' order by id`,
  );
  return rows;
}

async function credits(sql: Sql) {
  const { rows } = await sql.query<{ partner: number; day: string; outcome: string; clicks: string }>(
    `select partner_account_id as partner, day::text, outcome, clicks::text from click_credits order by partner_account_id, day, outcome`,
  );
  return rows.map((r) => ({ ...r, clicks: Number(r.clicks) }));
}

async function eventTypes(sql: Sql) {
  const { rows } = await sql.query<{ type: string; subject: string }>('select type, subject from outbox_events order by id');
  return rows;
}

describeDb('crediting clicks (cost per click)', (db) => {
  /** A brand's program with a CPC event type (0.05 a click), a partner under contract, a minute later. */
  async function world(timeZone?: string) {
    const { db: sql, clock } = db();
    const ctx: ServiceContext = { db: sql, clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, brand, timeZone ? { timeZone } : {});
    const contractId = await makeContract(ctx, partner, program);
    clock.advanceMs(60_000);
    return { sql, clock, ctx, brand, partner, program, contractId };
  }

  it("adds each click of a contract and day to that day's one CPC action, once, with its CREATE record and events", async () => {
    const { sql, clock, ctx, partner, program, contractId } = await world();
    const at = clock.now();
    await makeClick(ctx, partner, program, at);
    await makeClick(ctx, partner, program, at);
    clock.advanceMs(60_000);

    expect(await creditClicks(ctx)).toEqual({ credited: 2, notCredited: 0, ran: true });
    const [created] = await cpcActions(sql);
    expect(created).toMatchObject({
      contract_id: contractId,
      click_day: '2026-01-15',
      click_count: 2,
      state: 'PENDING',
      payout_minor: 10n,
      original_payout_minor: 10n,
      amount_minor: 0n,
      order_id: 'CLICKS-2026-01-15',
      click_id: null,
      event_at: at,
      modification_count: 1,
    });
    const { rows: records } = await sql.query<Record<string, unknown>>(
      'select seq, operation, actor_kind, state_after, payout_after_minor, detail from action_modifications',
    );
    expect(records).toEqual([{ seq: 1, operation: 'CREATE', actor_kind: 'SYSTEM', state_after: 'PENDING', payout_after_minor: 10n, detail: { source: 'CLICK' } }]);

    // Crediting again finds nothing new.
    expect(await creditClicks(ctx)).toEqual({ credited: 0, notCredited: 0, ran: true });

    // A later click of the same day goes into the same action.
    await makeClick(ctx, partner, program, clock.now());
    clock.advanceMs(60_000);
    expect(await creditClicks(ctx)).toEqual({ credited: 1, notCredited: 0, ran: true });
    const after = await cpcActions(sql);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: created!.id, click_count: 3, payout_minor: 15n, original_payout_minor: 15n, event_at: at });
    expect(await eventTypes(sql)).toEqual(
      expect.arrayContaining([
        { type: 'action.created', subject: `action:${created!.id}` },
        { type: 'action.accrued', subject: `action:${created!.id}` },
      ]),
    );
    const { rows: accruedPayload } = await sql.query<{ payload: { Payout: string; State: string } }>(
      `select payload from outbox_events where type = 'action.accrued'`,
    );
    expect(accruedPayload[0]!.payload).toMatchObject({ Payout: '0.15', State: 'PENDING', OrderId: 'CLICKS-2026-01-15' });
    expect(await credits(sql)).toEqual([{ partner: partner.id, day: '2026-01-15', outcome: 'CREDITED', clicks: 3 }]);
    expect((await checkLedger(sql)).problems).toEqual([]);
  });

  it("keeps days apart in the program's time zone, and counts clicks that earn nothing under their reason", async () => {
    const { db: sql, clock } = db();
    const ctx: ServiceContext = { db: sql, clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const stranger = await makeAccount(ctx, 'PARTNER');
    const closed = await makeAccount(ctx, 'PARTNER');
    // New York: 2026-01-16T04:30Z is still the 15th there, 05:30Z is the 16th.
    const program = await makeProgram(ctx, brand, { timeZone: 'America/New_York' });
    await makeContract(ctx, partner, program);
    await makeContract(ctx, closed, program);
    clock.set('2026-01-16T04:30:00Z');
    await makeClick(ctx, partner, program);
    await makeClick(ctx, stranger, program);
    await makeClick(ctx, closed, program);
    clock.set('2026-01-16T05:30:00Z');
    await makeClick(ctx, partner, program);
    await makeClick(ctx, partner, program);
    await sql.query(`update accounts set status = 'CLOSED' where id = $1`, [closed.id]);
    clock.advanceMs(60_000);

    expect(await creditClicks(ctx)).toEqual({ credited: 3, notCredited: 2, ran: true });
    const actions = await cpcActions(sql);
    expect(actions.map((a) => [a.click_day, a.click_count, a.payout_minor])).toEqual([
      ['2026-01-15', 1, 5n],
      ['2026-01-16', 2, 10n],
    ]);
    expect(await credits(sql)).toEqual(
      [
        { partner: partner.id, day: '2026-01-15', outcome: 'CREDITED', clicks: 1 },
        { partner: partner.id, day: '2026-01-16', outcome: 'CREDITED', clicks: 2 },
        { partner: stranger.id, day: '2026-01-15', outcome: 'NO_CONTRACT', clicks: 1 },
        { partner: closed.id, day: '2026-01-15', outcome: 'PARTNER_CLOSED', clicks: 1 },
      ].sort((a, b) => a.partner - b.partner || a.day.localeCompare(b.day)),
    );
  });

  it('credits clicks only once they are older than the lag, and in bounded chunks each once', async () => {
    const { sql, clock, ctx, partner, program } = await world();
    for (let i = 0; i < 10; i++) {
      await makeClick(ctx, partner, program);
      clock.advanceMs(1_000);
    }
    // The last clicks are younger than 30 s: not yet.
    expect(await creditClicks(ctx, { chunkSize: 3 })).toEqual({ credited: 0, notCredited: 0, ran: true });
    clock.advanceMs(21_000);
    const first = await creditClicks(ctx, { chunkSize: 3 });
    expect(first.credited).toBe(1); // only the first click is now 30 s old
    clock.advanceMs(60_000);
    expect(await creditClicks(ctx, { chunkSize: 3 })).toEqual({ credited: 9, notCredited: 0, ran: true });
    const actions = await cpcActions(sql);
    expect(actions.map((a) => [a.click_count, a.payout_minor])).toEqual([[10, 50n]]);
    expect(await credits(sql)).toEqual([{ partner: partner.id, day: '2026-01-15', outcome: 'CREDITED', clicks: 10 }]);
  });

  it('never edits an action whose locking date has come: a later click of that day starts another', async () => {
    const { sql, clock, ctx, partner, program } = await world();
    await makeClick(ctx, partner, program);
    clock.advanceMs(60_000);
    await creditClicks(ctx);
    // Its locking date has come (the lock job has not run yet): it is no longer added to.
    await sql.query(`update actions set locking_at = $1 where event_kind = 'CLICK'`, [clock.now()]);
    await makeClick(ctx, partner, program);
    clock.advanceMs(60_000);
    expect(await creditClicks(ctx)).toEqual({ credited: 1, notCredited: 0, ran: true });
    expect((await cpcActions(sql)).map((a) => [a.click_day, a.click_count, a.payout_minor])).toEqual([
      ['2026-01-15', 1, 5n],
      ['2026-01-15', 1, 5n],
    ]);
  });

  it('assigns the clicks of a day on which the contract ended to the contract or to CONTRACT_EXPIRED, click by click', async () => {
    const { sql, clock, ctx, partner, program, contractId } = await world('UTC');
    await makeClick(ctx, partner, program);
    await makeClick(ctx, partner, program);
    clock.advanceMs(60_000);
    await sql.query('update contracts set end_at = $1 where id = $2', [clock.now(), contractId]);
    clock.advanceMs(1_000);
    await makeClick(ctx, partner, program);
    clock.advanceMs(60_000);
    expect(await creditClicks(ctx)).toEqual({ credited: 2, notCredited: 1, ran: true });
    expect((await cpcActions(sql)).map((a) => [a.contract_id, a.click_count])).toEqual([[contractId, 2]]);
    expect(await credits(sql)).toEqual([
      { partner: partner.id, day: '2026-01-15', outcome: 'CONTRACT_EXPIRED', clicks: 1 },
      { partner: partner.id, day: '2026-01-15', outcome: 'CREDITED', clicks: 2 },
    ]);
  });

  it('commits a chunk (its counts, actions, events and the cursor) together or not at all', async () => {
    const { sql, clock, ctx, partner, program } = await world();
    await makeClick(ctx, partner, program);
    await makeClick(ctx, partner, program);
    clock.advanceMs(60_000);
    const eventsBefore = (await eventTypes(sql)).length;
    // The chunk's last write fails: nothing of it may stay.
    await sql.query('alter table click_credits add constraint at_most_one check (clicks < 2)');
    await expect(creditClicks(ctx)).rejects.toThrow(/at_most_one/);
    expect(await cpcActions(sql)).toEqual([]);
    expect(await credits(sql)).toEqual([]);
    expect((await eventTypes(sql)).length).toBe(eventsBefore);
    expect((await sql.query<{ last: string }>('select last_click_id as last from click_credit_cursor')).rows[0]!.last).toBe('');
    await sql.query('alter table click_credits drop constraint at_most_one');
    expect(await creditClicks(ctx)).toEqual({ credited: 2, notCredited: 0, ran: true });
    expect((await cpcActions(sql)).map((a) => a.click_count)).toEqual([2]);
  });

  it('skips clicks an earlier version already marked', async () => {
    const { sql, clock, ctx, partner, program } = await world();
    const legacy = await makeClick(ctx, partner, program);
    await makeClick(ctx, partner, program);
    await sql.query(`update clicks set credit_status = 'CREDITED' where click_id = $1`, [legacy]);
    clock.advanceMs(60_000);
    expect(await creditClicks(ctx)).toEqual({ credited: 1, notCredited: 0, ran: true });
  });
});
