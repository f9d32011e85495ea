import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { insertActions, type NewAction } from '../actions/insert-actions.js';
import { loadContractSpans, pickContractInForce } from '../contracts/queries.js';
import { computePayoutMinor, DateRules } from '../programs/terms/index.js';

export const CREDIT_CLICKS_LOCK_KEY = 7_350_101;

/**
 * Cost per click: every recorded click of a program with a CLICK event type becomes a
 * pending CPC action paying the contract's per-click amount, under the contract in force
 * at the click. A click that cannot be credited (no CPC in the program, no contract in
 * force, partner closed) keeps its reason and earns nothing. The redirect only records
 * clicks; this job does the crediting in bounded chunks, off the hot path. It lives with
 * the clicks it marks (tracking owns them); the actions are written by the actions
 * module's insertActions, in the same transaction as the marks, so a click is marked
 * CREDITED exactly when its action exists.
 */
export async function creditClicks(
  ctx: ServiceContext,
  options: {
    chunkSize?: number;
    onProgress?: (done: number) => void;
    /** Stops the run between chunks (a server shutting down); the rest is credited next time. */
    signal?: AbortSignal;
  } = {},
): Promise<{ credited: number; notCredited: number; ran: boolean }> {
  const release = await ctx.db.tryAdvisoryLock(CREDIT_CLICKS_LOCK_KEY);
  if (!release) return { credited: 0, notCredited: 0, ran: false };
  const chunkSize = options.chunkSize ?? 2000;
  let credited = 0;
  let notCredited = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      const result = await ctx.db.transaction((tx) => creditChunk(ctx, tx, chunkSize));
      credited += result.credited;
      notCredited += result.notCredited;
      options.onProgress?.(credited + notCredited);
      if (result.credited + result.notCredited < chunkSize) break;
    }
    return { credited, notCredited, ran: true };
  } finally {
    await release();
  }
}

async function creditChunk(ctx: ServiceContext, tx: Sql, chunkSize: number): Promise<{ credited: number; notCredited: number }> {
  const now = ctx.clock.now();
  const { rows: clicks } = await tx.query<{
    clickId: string;
    programId: number;
    partnerAccountId: number;
    at: Date;
    partnerStatus: string;
  }>(
    `select c.click_id as "clickId", c.program_id as "programId", c.partner_account_id as "partnerAccountId", c.at,
            a.status as "partnerStatus"
       from clicks c join accounts a on a.id = c.partner_account_id
      where c.credit_status is null and c.at <= $1
      order by c.at, c.click_id
      limit $2
        for update of c skip locked`,
    [now, chunkSize],
  );
  if (clicks.length === 0) return { credited: 0, notCredited: 0 };
  const programIds = [...new Set(clicks.map((c) => c.programId))];
  const { rows: cpcTypes } = await tx.query<{ id: number; programId: number; brandAccountId: number; currency: string; timeZone: string }>(
    `select et.id, et.program_id as "programId", p.brand_account_id as "brandAccountId", p.currency, p.time_zone as "timeZone"
       from event_types et join programs p on p.id = et.program_id
      where et.kind = 'CLICK' and et.program_id = any($1::int[])`,
    [programIds],
  );
  const cpcByProgram = new Map(cpcTypes.map((t) => [t.programId, t]));
  const pairs = new Map<string, { programId: number; partnerAccountId: number }>();
  for (const click of clicks) {
    if (cpcByProgram.has(click.programId)) pairs.set(`${click.programId}|${click.partnerAccountId}`, click);
  }
  const spans = await loadContractSpans(tx, [...pairs.values()]);
  const rules = new DateRules();
  const notes: Array<{ clickId: string; status: 'CREDITED' | 'NOT_CREDITED'; note: string | null }> = [];
  const actions: NewAction[] = [];
  for (const click of clicks) {
    const cpc = cpcByProgram.get(click.programId);
    if (!cpc) {
      notes.push({ clickId: click.clickId, status: 'NOT_CREDITED', note: 'NO_CPC' });
      continue;
    }
    if (click.partnerStatus !== 'ACTIVE') {
      notes.push({ clickId: click.clickId, status: 'NOT_CREDITED', note: 'PARTNER_CLOSED' });
      continue;
    }
    const found = pickContractInForce(spans.get(`${click.programId}|${click.partnerAccountId}`) ?? [], click.at);
    if ('missing' in found) {
      notes.push({ clickId: click.clickId, status: 'NOT_CREDITED', note: found.missing });
      continue;
    }
    const rule = found.contract.terms.payouts.find((p) => p.eventTypeId === cpc.id);
    if (!rule) {
      notes.push({ clickId: click.clickId, status: 'NOT_CREDITED', note: 'NOT_IN_TERMS' });
      continue;
    }
    const lockingAt = rules.locking(click.at, cpc.timeZone, found.contract.terms);
    actions.push({
      conversionId: null,
      clickId: click.clickId,
      programId: click.programId,
      brandAccountId: cpc.brandAccountId,
      eventTypeId: cpc.id,
      eventKind: 'CLICK',
      partnerAccountId: click.partnerAccountId,
      contractId: found.contract.id,
      orderId: click.clickId,
      currency: cpc.currency,
      amountMinor: 0n,
      // A click has no sale amount: the terms' per-click payout (programs/terms/payout.ts).
      payoutMinor: computePayoutMinor(rule, { amountMinor: 0n }),
      items: null,
      eventAt: click.at,
      referringAt: click.at,
      lockingAt,
      paymentDueAt: rules.payment(lockingAt, cpc.timeZone, found.contract.terms),
    });
    notes.push({ clickId: click.clickId, status: 'CREDITED', note: null });
  }
  await insertActions(tx, actions, { at: now, actorKind: 'SYSTEM', actorUserId: null, detail: { source: 'CLICK' } });
  await tx.query(
    `update clicks c set credit_status = u.status, credit_note = u.note
       from unnest($1::text[], $2::text[], $3::text[]) as u(click_id, status, note) where c.click_id = u.click_id`,
    [notes.map((n) => n.clickId), notes.map((n) => n.status), notes.map((n) => n.note)],
  );
  const creditedCount = notes.filter((n) => n.status === 'CREDITED').length;
  return { credited: creditedCount, notCredited: notes.length - creditedCount };
}
