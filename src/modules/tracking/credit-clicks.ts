import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { accrueClickActions, type ClickAccrual } from '../actions/accrue-click-actions.js';
import { loadContractSpans, pickContractInForce, type ContractSpan } from '../contracts/queries.js';
import { computePayoutMinor, DateRules } from '../programs/terms/index.js';
import { MAX_CLICK_WAIT_MS } from './click-recorder.js';
import { clickIdTimePrefix } from './codes.js';

export const CREDIT_CLICKS_LOCK_KEY = 7_350_101;

/**
 * How far behind the clock the cursor stays. A click's id starts with its time, taken
 * when the request arrives; the click commits a few milliseconds later (its group
 * commit), and the recorder refuses a click that waited more than MAX_CLICK_WAIT_MS to
 * be written. So once this much time has passed, no click with an earlier id can still
 * appear, and the cursor can pass it for good.
 */
export const CREDIT_LAG_MS = 30_000;

/** Clicks per chunk on PostgreSQL, each chunk one transaction. */
const POSTGRES_CHUNK = 100_000;
/**
 * On PGlite the job runs on the HTTP thread, and while a chunk runs no click can commit
 * (one session, one statement at a time). So chunks are sized by time: each aims at
 * PGLITE_CHUNK_MS (the size follows the last chunk's rate, within PGLITE_CHUNK_RANGE: a
 * chunk has a fixed cost of a dozen statements, which smaller chunks would not pay back),
 * and after each the job pauses as long as the chunk took (at least PGLITE_PAUSE_MS,
 * longer than the click recorder's 1 ms group-commit delay), so the clicks that arrived
 * during a chunk are committed before the next one starts, a redirect waits at most about
 * one chunk, and the job takes at most half of the thread.
 */
const PGLITE_CHUNK_MS = 20;
const PGLITE_CHUNK_RANGE = [2_000, 20_000] as const;
const PGLITE_PAUSE_MS = 3;

export type ClickCreditOutcome = 'CREDITED' | 'NO_CPC' | 'PARTNER_CLOSED' | 'NO_CONTRACT' | 'CONTRACT_EXPIRED' | 'NOT_IN_TERMS';

/**
 * Cost per click. Every recorded click of a program with a CLICK event type earns the
 * per-click payout of the contract in force at the click; the click's contract and day
 * (in the program's time zone) have one pending CPC action, and each chunk adds its
 * clicks to it (src/modules/actions/accrue-click-actions.ts). A click that cannot be
 * credited (no CPC in the program, no contract in force, partner closed, terms that do
 * not pay for clicks) earns nothing and is counted under its reason. Every click is
 * counted once in `click_credits` (program, partner, day, outcome).
 *
 * The job walks the clicks in the order of their time-ordered ids behind a cursor that
 * commits with each chunk's counts and actions: a chunk is one read of up to CHUNK_SIZE
 * clicks by key, grouped in the database, then a few rows written, so no click row is
 * written again (marking each one cost more than the redirect that wrote it). Clicks
 * marked by an earlier version (credit_status) are skipped. The cursor stays
 * CREDIT_LAG_MS behind the clock, and on PostgreSQL also behind the oldest transaction
 * writing clicks (a flush of another instance that stalled).
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
  const adaptive = options.chunkSize === undefined && ctx.db.kind === 'pglite';
  let chunkSize = options.chunkSize ?? (adaptive ? PGLITE_CHUNK_RANGE[0] : POSTGRES_CHUNK);
  let credited = 0;
  let notCredited = 0;
  try {
    const upTo = await cursorLimit(ctx);
    for (;;) {
      if (options.signal?.aborted) break;
      const startedAt = performance.now();
      const result = await ctx.db.transaction((tx) => creditChunk(ctx, tx, upTo, chunkSize));
      credited += result.credited;
      notCredited += result.notCredited;
      options.onProgress?.(credited + notCredited);
      if (result.done) break;
      if (ctx.db.kind === 'pglite') {
        const tookMs = performance.now() - startedAt;
        if (adaptive) {
          chunkSize = Math.round(Math.min(PGLITE_CHUNK_RANGE[1], Math.max(PGLITE_CHUNK_RANGE[0], (PGLITE_CHUNK_MS * chunkSize) / Math.max(tookMs, 1))));
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(PGLITE_PAUSE_MS, Math.min(tookMs, 1_000))));
      }
    }
    return { credited, notCredited, ran: true };
  } finally {
    await release();
  }
}

/** The id below which every click is committed: see CREDIT_LAG_MS. */
async function cursorLimit(ctx: ServiceContext): Promise<string> {
  let limit = ctx.clock.now().getTime() - CREDIT_LAG_MS;
  if (ctx.db.kind === 'postgres') {
    // The transactions writing this clicks table now (a click flush of any instance): their
    // clicks are at most MAX_CLICK_WAIT_MS older than the transaction. One whose start is
    // hidden (another role's) counts as started now.
    const { rows } = await ctx.db.query<{ oldest: Date | null }>(
      `select min(coalesce(a.xact_start, now())) as oldest
         from pg_locks l left join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'relation' and l.relation = 'clicks'::regclass and l.mode = 'RowExclusiveLock' and l.pid <> pg_backend_pid()`,
    );
    const oldest = rows[0]?.oldest;
    if (oldest) limit = Math.min(limit, oldest.getTime() - MAX_CLICK_WAIT_MS);
  }
  return clickIdTimePrefix(new Date(Math.max(0, limit)));
}

interface ClickGroup {
  programId: number;
  partnerAccountId: number;
  day: string;
  clicks: number;
  firstAt: Date;
  lastAt: Date;
}

async function creditChunk(
  ctx: ServiceContext,
  tx: Sql,
  upTo: string,
  chunkSize: number,
): Promise<{ credited: number; notCredited: number; done: boolean }> {
  const now = ctx.clock.now();
  const { rows: cursorRows } = await tx.query<{ last: string }>('select last_click_id as last from click_credit_cursor for update');
  const from = cursorRows[0]?.last ?? '';
  if (from >= upTo) return { credited: 0, notCredited: 0, done: true };
  const { rows: groups } = await tx.query<ClickGroup & { lastClickId: string; scanned: number }>(
    `with chunk as materialized (
       select click_id, program_id, partner_account_id, at from clicks
        where click_id > $1 and click_id < $2 and credit_status is null
        order by click_id limit $3
     ), quarters as (
       -- Every time zone's day starts on a quarter hour: count by quarter hour first, so the
       -- time zone conversion runs once per quarter hour rather than once per click.
       select program_id, partner_account_id, date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00Z') as quarter,
              count(*) as clicks, min(at) as first_at, max(at) as last_at, max(click_id) as last_click_id
         from chunk group by 1, 2, 3
     )
     select q.program_id as "programId", q.partner_account_id as "partnerAccountId",
            to_char((q.quarter at time zone p.time_zone)::date, 'YYYY-MM-DD') as day, sum(q.clicks)::int as clicks,
            min(q.first_at) as "firstAt", max(q.last_at) as "lastAt",
            max(max(q.last_click_id)) over () as "lastClickId", (sum(sum(q.clicks)) over ())::int as scanned
       from quarters q join programs p on p.id = q.program_id
      group by 1, 2, 3`,
    [from, upTo, chunkSize],
  );
  const scanned = groups[0]?.scanned ?? 0;
  // A full chunk ends at its last click; otherwise every click below the limit has been seen.
  const done = scanned < chunkSize;
  const next = done ? upTo : groups[0]!.lastClickId;
  const counted = groups.length === 0 ? { credited: 0, notCredited: 0 } : await creditGroups(tx, groups, from, next, now);
  await tx.query('update click_credit_cursor set last_click_id = $1, updated_at = $2', [next, now]);
  return { ...counted, done };
}

interface Tally {
  programId: number;
  partnerAccountId: number;
  day: string;
  outcome: ClickCreditOutcome;
  clicks: number;
}

async function creditGroups(
  tx: Sql,
  groups: readonly ClickGroup[],
  from: string,
  to: string,
  now: Date,
): Promise<{ credited: number; notCredited: number }> {
  const programIds = [...new Set(groups.map((g) => g.programId))];
  const partnerIds = [...new Set(groups.map((g) => g.partnerAccountId))];
  const [{ rows: cpcTypes }, { rows: partners }] = await Promise.all([
    tx.query<{ id: number; programId: number; brandAccountId: number; currency: string; timeZone: string }>(
      `select et.id, et.program_id as "programId", p.brand_account_id as "brandAccountId", p.currency, p.time_zone as "timeZone"
         from event_types et join programs p on p.id = et.program_id
        where et.kind = 'CLICK' and et.program_id = any($1::int[])`,
      [programIds],
    ),
    tx.query<{ id: number; status: string }>('select id, status from accounts where id = any($1::int[])', [partnerIds]),
  ]);
  const cpcByProgram = new Map(cpcTypes.map((t) => [t.programId, t]));
  const activePartners = new Set(partners.filter((p) => p.status === 'ACTIVE').map((p) => p.id));
  const spans = await loadContractSpans(
    tx,
    groups.filter((g) => cpcByProgram.has(g.programId) && activePartners.has(g.partnerAccountId)),
  );
  const tallies = new Map<string, Tally>();
  const accruals = new Map<string, ClickAccrual>();
  const rules = new DateRules();
  const tally = (group: ClickGroup, outcome: ClickCreditOutcome, clicks: number) => {
    const key = `${group.programId}|${group.partnerAccountId}|${group.day}|${outcome}`;
    const entry = tallies.get(key);
    if (entry) entry.clicks += clicks;
    else tallies.set(key, { programId: group.programId, partnerAccountId: group.partnerAccountId, day: group.day, outcome, clicks });
  };
  for (const group of groups) {
    const cpc = cpcByProgram.get(group.programId);
    if (!cpc) {
      tally(group, 'NO_CPC', group.clicks);
      continue;
    }
    if (!activePartners.has(group.partnerAccountId)) {
      tally(group, 'PARTNER_CLOSED', group.clicks);
      continue;
    }
    const pairSpans = spans.get(`${group.programId}|${group.partnerAccountId}`) ?? [];
    // Almost always one contract covers the whole group; when a contract starts or ends within
    // it (a replaced or expired contract that day), its clicks are assigned one by one.
    const parts = spansChangeWithin(pairSpans, group.firstAt, group.lastAt)
      ? await splitByContract(tx, group, pairSpans, from, to)
      : [{ found: pickContractInForce(pairSpans, group.firstAt), clicks: group.clicks, firstAt: group.firstAt }];
    for (const part of parts) {
      if ('missing' in part.found) {
        tally(group, part.found.missing, part.clicks);
        continue;
      }
      const contract = part.found.contract;
      const rule = contract.terms.payouts.find((p) => p.eventTypeId === cpc.id);
      if (!rule) {
        tally(group, 'NOT_IN_TERMS', part.clicks);
        continue;
      }
      tally(group, 'CREDITED', part.clicks);
      // A click has no sale amount: the terms' per-click payout (programs/terms/payout.ts), the same for each click.
      const payoutMinor = computePayoutMinor(rule, { amountMinor: 0n }) * BigInt(part.clicks);
      const key = `${contract.id}|${group.day}`;
      const entry = accruals.get(key);
      if (entry) {
        entry.clicks += part.clicks;
        entry.payoutMinor += payoutMinor;
        continue;
      }
      const lockingAt = rules.locking(part.firstAt, cpc.timeZone, contract.terms);
      accruals.set(key, {
        programId: group.programId,
        brandAccountId: cpc.brandAccountId,
        eventTypeId: cpc.id,
        partnerAccountId: group.partnerAccountId,
        contractId: contract.id,
        currency: cpc.currency,
        day: group.day,
        clicks: part.clicks,
        payoutMinor,
        firstClickAt: part.firstAt,
        lockingAt,
        paymentDueAt: rules.payment(lockingAt, cpc.timeZone, contract.terms),
      });
    }
  }
  await accrueClickActions(tx, [...accruals.values()], now);
  const rows = [...tallies.values()];
  await tx.query(
    `insert into click_credits (program_id, partner_account_id, day, outcome, clicks, updated_at)
     select u.program_id, u.partner, u.day, u.outcome, u.clicks, $6
       from unnest($1::int[], $2::int[], $3::date[], $4::text[], $5::bigint[]) as u(program_id, partner, day, outcome, clicks)
     on conflict (program_id, partner_account_id, day, outcome)
     do update set clicks = click_credits.clicks + excluded.clicks, updated_at = excluded.updated_at`,
    [rows.map((r) => r.programId), rows.map((r) => r.partnerAccountId), rows.map((r) => r.day), rows.map((r) => r.outcome), rows.map((r) => r.clicks), now],
  );
  const credited = rows.reduce((sum, r) => sum + (r.outcome === 'CREDITED' ? r.clicks : 0), 0);
  const total = rows.reduce((sum, r) => sum + r.clicks, 0);
  return { credited, notCredited: total - credited };
}

/** Whether a contract of the pair starts or ends after `first` and at or before `last`. */
function spansChangeWithin(spans: readonly ContractSpan[], first: Date, last: Date): boolean {
  const a = first.getTime();
  const b = last.getTime();
  return spans.some((s) => {
    const start = s.startAt.getTime();
    const end = s.endAt?.getTime();
    return (start > a && start <= b) || (end !== undefined && end > a && end <= b);
  });
}

type Found = ReturnType<typeof pickContractInForce>;

/** The group's clicks (ids in (from, to]) assigned to the contract in force at each, in runs of one contract. */
async function splitByContract(
  tx: Sql,
  group: ClickGroup,
  spans: readonly ContractSpan[],
  from: string,
  to: string,
): Promise<Array<{ found: Found; clicks: number; firstAt: Date }>> {
  const { rows } = await tx.query<{ at: Date }>(
    `select c.at from clicks c join programs p on p.id = c.program_id
      where c.click_id > $1 and c.click_id <= $2 and c.credit_status is null and c.program_id = $3 and c.partner_account_id = $4
        and to_char((c.at at time zone p.time_zone)::date, 'YYYY-MM-DD') = $5
      order by c.at`,
    [from, to, group.programId, group.partnerAccountId, group.day],
  );
  const parts = new Map<string, { found: Found; clicks: number; firstAt: Date }>();
  for (const { at } of rows) {
    const found = pickContractInForce(spans, at);
    const key = 'missing' in found ? found.missing : String(found.contract.id);
    const part = parts.get(key);
    if (part) part.clicks += 1;
    else parts.set(key, { found, clicks: 1, firstAt: at });
  }
  return [...parts.values()];
}
