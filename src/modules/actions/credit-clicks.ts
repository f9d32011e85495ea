import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { loadContractSpans, pickContractInForce } from '../contracts/queries.js';
import { DateRules } from '../programs/terms/index.js';
import { recordModifications } from './record-modifications.js';
import { payoutFor } from './transitions.js';

export const CREDIT_CLICKS_LOCK_KEY = 7_350_101;

/**
 * Cost per click: every recorded click of a program with a CLICK event type becomes a
 * pending CPC action paying the contract's per-click amount, under the contract in force
 * at the click. A click that cannot be credited (no CPC in the program, no contract in
 * force, partner closed) keeps its reason and earns nothing. The redirect only records
 * clicks; this job does the crediting in bounded chunks, off the hot path.
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
  const actions: Array<{
    clickId: string;
    programId: number;
    brandAccountId: number;
    eventTypeId: number;
    partnerAccountId: number;
    contractId: number;
    currency: string;
    payoutMinor: bigint;
    at: Date;
    lockingAt: Date;
    paymentDueAt: Date;
  }> = [];
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
      clickId: click.clickId,
      programId: click.programId,
      brandAccountId: cpc.brandAccountId,
      eventTypeId: cpc.id,
      partnerAccountId: click.partnerAccountId,
      contractId: found.contract.id,
      currency: cpc.currency,
      payoutMinor: payoutFor(rule, 0n, null),
      at: click.at,
      lockingAt,
      paymentDueAt: rules.payment(lockingAt, cpc.timeZone, found.contract.terms),
    });
    notes.push({ clickId: click.clickId, status: 'CREDITED', note: null });
  }
  if (actions.length) {
    const { rows: inserted } = await tx.query<{ id: bigint; payoutMinor: bigint }>(
      `insert into actions (click_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state,
                            order_id, currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor,
                            event_at, referring_at, locking_at, payment_due_at, modification_count, created_at, updated_at)
       select u.click_id, u.program_id, u.brand, u.event_type_id, 'CLICK', u.partner, u.contract_id, 'PENDING', u.click_id, u.currency,
              0, u.payout, 0, u.payout, u.at, u.at, u.locking_at, u.payment_due_at, 1, $1, $1
         from unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[], $9::bigint[],
                     $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])
              as u(click_id, program_id, brand, event_type_id, partner, contract_id, currency, payout, at, locking_at, payment_due_at)
       returning id, payout_minor as "payoutMinor"`,
      [
        now,
        actions.map((a) => a.clickId),
        actions.map((a) => a.programId),
        actions.map((a) => a.brandAccountId),
        actions.map((a) => a.eventTypeId),
        actions.map((a) => a.partnerAccountId),
        actions.map((a) => a.contractId),
        actions.map((a) => a.currency),
        actions.map((a) => a.payoutMinor.toString()),
        actions.map((a) => a.at.toISOString()),
        actions.map((a) => a.lockingAt.toISOString()),
        actions.map((a) => a.paymentDueAt.toISOString()),
      ],
    );
    await recordModifications(
      tx,
      inserted.map((row) => ({
        actionId: row.id,
        seq: 1,
        at: now,
        actorKind: 'SYSTEM' as const,
        actorUserId: null,
        operation: 'CREATE',
        reason: null,
        stateBefore: null,
        stateAfter: 'PENDING' as const,
        amountBeforeMinor: null,
        amountAfterMinor: 0n,
        payoutBeforeMinor: null,
        payoutAfterMinor: row.payoutMinor,
        detail: { source: 'CLICK' },
      })),
    );
  }
  await tx.query(
    `update clicks c set credit_status = u.status, credit_note = u.note
       from unnest($1::text[], $2::text[], $3::text[]) as u(click_id, status, note) where c.click_id = u.click_id`,
    [notes.map((n) => n.clickId), notes.map((n) => n.status), notes.map((n) => n.note)],
  );
  const creditedCount = notes.filter((n) => n.status === 'CREDITED').length;
  return { credited: creditedCount, notCredited: notes.length - creditedCount };
}
