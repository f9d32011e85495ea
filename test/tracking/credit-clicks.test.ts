import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { creditClicks } from '../../src/modules/tracking/credit-clicks.js';
import { makeClickAction } from '../support/action-helpers.js';
import { makeClick } from '../support/actions.js';
import { makeAccount } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

async function clickMarks(ctx: ServiceContext, clickIds: readonly string[]) {
  const { rows } = await ctx.db.query<{ clickId: string; status: string | null; note: string | null }>(
    `select click_id as "clickId", credit_status as status, credit_note as note from clicks where click_id = any($1::text[]) order by click_id`,
    [clickIds],
  );
  return new Map(rows.map((row) => [row.clickId, { status: row.status, note: row.note }]));
}

describeDb('crediting clicks (cost per click)', (db) => {
  it('turns each click under a contract into one pending CPC action with its CREATE record, once', async () => {
    const { db: sql, clock } = db();
    const ctx: ServiceContext = { db: sql, clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, brand);
    await makeContract(ctx, partner, program);
    clock.advanceMs(60_000);
    const at = clock.now();
    const clicks = [await makeClick(ctx, partner, program, at), await makeClick(ctx, partner, program, at)];
    clock.advanceMs(60_000);

    expect(await creditClicks(ctx)).toEqual({ credited: 2, notCredited: 0, ran: true });
    const { rows: actions } = await sql.query<Record<string, unknown>>(
      `select click_id, conversion_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, state, order_id,
              currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor, items, event_at, referring_at,
              modification_count, created_at
         from actions order by click_id`,
    );
    expect(actions).toEqual(
      [...clicks].sort().map((clickId) => ({
        click_id: clickId,
        conversion_id: null,
        program_id: program.id,
        brand_account_id: brand.id,
        event_type_id: program.clickEventTypeId,
        event_kind: 'CLICK',
        partner_account_id: partner.id,
        state: 'PENDING',
        order_id: clickId,
        currency: 'USD',
        amount_minor: 0n,
        payout_minor: 5n,
        original_amount_minor: 0n,
        original_payout_minor: 5n,
        items: null,
        event_at: at,
        referring_at: at,
        modification_count: 1,
        created_at: clock.now(),
      })),
    );
    const { rows: records } = await sql.query<Record<string, unknown>>(
      `select m.seq, m.actor_kind, m.actor_user_id, m.operation, m.state_before, m.state_after, m.amount_after_minor,
              m.payout_after_minor, m.detail, m.at
         from action_modifications m join actions a on a.id = m.action_id order by a.click_id`,
    );
    expect(records).toEqual(
      clicks.map(() => ({
        seq: 1,
        actor_kind: 'SYSTEM',
        actor_user_id: null,
        operation: 'CREATE',
        state_before: null,
        state_after: 'PENDING',
        amount_after_minor: 0n,
        payout_after_minor: 5n,
        detail: { source: 'CLICK' },
        at: clock.now(),
      })),
    );
    const marks = await clickMarks(ctx, clicks);
    expect([...marks.values()]).toEqual([
      { status: 'CREDITED', note: null },
      { status: 'CREDITED', note: null },
    ]);

    // Crediting again finds nothing to do.
    expect(await creditClicks(ctx)).toEqual({ credited: 0, notCredited: 0, ran: true });
    expect((await sql.query('select id from actions')).rows).toHaveLength(2);
    expect((await checkLedger(sql)).problems).toEqual([]);
  });

  it('keeps the reason of a click that earns nothing, and writes no action for it', async () => {
    const { db: sql, clock } = db();
    const ctx: ServiceContext = { db: sql, clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const closed = await makeAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, brand);
    await makeContract(ctx, closed, program);
    clock.advanceMs(60_000);
    const noContract = await makeClick(ctx, partner, program);
    const ofClosed = await makeClick(ctx, closed, program);
    await sql.query(`update accounts set status = 'CLOSED' where id = $1`, [closed.id]);
    clock.advanceMs(60_000);

    expect(await creditClicks(ctx)).toEqual({ credited: 0, notCredited: 2, ran: true });
    const marks = await clickMarks(ctx, [noContract, ofClosed]);
    expect(marks.get(noContract)).toEqual({ status: 'NOT_CREDITED', note: 'NO_CONTRACT' });
    expect(marks.get(ofClosed)).toEqual({ status: 'NOT_CREDITED', note: 'PARTNER_CLOSED' });
    expect((await sql.query('select id from actions')).rows).toEqual([]);
  });

  it('marks a chunk of clicks credited together with its actions or not at all', async () => {
    const { db: sql, clock } = db();
    const ctx: ServiceContext = { db: sql, clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const partner = await makeAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, brand);
    await makeContract(ctx, partner, program);
    clock.advanceMs(60_000);
    const before = clock.now();
    const fine = await makeClick(ctx, partner, program, before);
    // An action already exists for this (uncredited) click: writing the chunk's actions
    // breaks the one-action-per-click index, and the whole chunk must roll back.
    clock.advanceMs(1_000);
    await makeClickAction(ctx, partner, program, clock.now());
    const { rows: taken } = await sql.query<{ clickId: string }>(`select click_id as "clickId" from actions`);
    clock.advanceMs(60_000);

    await expect(creditClicks(ctx)).rejects.toThrow(/actions_click_key|duplicate key/);
    const marks = await clickMarks(ctx, [fine, taken[0]!.clickId]);
    expect([...marks.values()]).toEqual([
      { status: null, note: null },
      { status: null, note: null },
    ]);
    const { rows: actions } = await sql.query<{ n: number }>('select count(*)::int as n from actions');
    expect(actions[0]!.n).toBe(1);
    const { rows: records } = await sql.query<{ n: number }>('select count(*)::int as n from action_modifications');
    expect(records[0]!.n).toBe(1);
  });
});
