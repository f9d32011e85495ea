/**
 * Performance for the charts on Home (issue 16 item 5): a brand's actions, sale amounts and
 * payouts per day and its top partners; a partner's earnings per day and by brand. Money is
 * a decimal string per currency, never added across currencies.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Temporal } from 'temporal-polyfill';
import type { ServiceContext } from '../../core/context.js';
import { invalid } from '../../core/errors.js';
import { requireAccountActor, type AccountActor } from '../../modules/accounts/actor.js';
import { dailyPerformance, performanceByCounterparty, type DailyRow, type PartyRow, type PerformanceRange } from '../../modules/actions/performance.js';
import { formatMinor } from '../../money/index.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import {
  byBrandDto,
  dailyPerformanceDto,
  dailyPerformanceQuery,
  MAX_PERFORMANCE_DAYS,
  partyPerformanceQuery,
  topPartnersDto,
  type DailySeries,
} from '../contract/performance.js';

/** The days asked for, in the account's time zone: the last 30 days by default. */
export function rangeOf(actor: AccountActor, q: { from?: string | undefined; to?: string | undefined; programId?: number | undefined }, now: Date): PerformanceRange {
  const timeZone = actor.accountTimeZone;
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
  const to = q.to ? Temporal.PlainDate.from(q.to) : today;
  const from = q.from ? Temporal.PlainDate.from(q.from) : to.subtract({ days: 29 });
  const days = from.until(to, { largestUnit: 'days' }).days + 1;
  if (days < 1) {
    throw invalid(`from (${from}) is after to (${to}); give the first day, then the last.`, { errors: [{ field: 'querystring.from', message: 'on or before to' }] });
  }
  if (days > MAX_PERFORMANCE_DAYS) {
    throw invalid(`${days} days from ${from} to ${to}; ask for at most ${MAX_PERFORMANCE_DAYS} at once.`, {
      errors: [{ field: 'querystring.from', message: `at most ${MAX_PERFORMANCE_DAYS} days before to` }],
    });
  }
  return { from: from.toString(), to: to.toString(), timeZone, ...(q.programId !== undefined ? { programId: q.programId } : {}) };
}

function daysOf(range: PerformanceRange): string[] {
  const out: string[] = [];
  const last = Temporal.PlainDate.from(range.to);
  for (let day = Temporal.PlainDate.from(range.from); Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) out.push(day.toString());
  return out;
}

/** Rows per day into series (per program, or per currency), every day of the range in each. */
export function seriesOf(rows: readonly DailyRow[], range: PerformanceRange, by: 'program' | 'currency'): DailySeries[] {
  const days = daysOf(range);
  const groups = new Map<string, { programId: number | null; programName: string | null; currency: string; byDay: Map<string, { actions: number; amount: bigint; payout: bigint }> }>();
  for (const row of rows) {
    const key = by === 'program' ? `program-${row.programId}` : row.currency;
    let group = groups.get(key);
    if (!group) {
      group = { programId: by === 'program' ? row.programId : null, programName: by === 'program' ? row.programName : null, currency: row.currency, byDay: new Map() };
      groups.set(key, group);
    }
    const day = group.byDay.get(row.day) ?? { actions: 0, amount: 0n, payout: 0n };
    group.byDay.set(row.day, { actions: day.actions + row.actions, amount: day.amount + row.amountMinor, payout: day.payout + row.payoutMinor });
  }
  const ordered = [...groups.entries()].sort(([, a], [, b]) =>
    by === 'currency' ? a.currency.localeCompare(b.currency) : (a.programName ?? '').localeCompare(b.programName ?? '') || (a.programId ?? 0) - (b.programId ?? 0),
  );
  return ordered.map(([key, group]) => {
    let actions = 0;
    let amount = 0n;
    let payout = 0n;
    const series = days.map((date) => {
      const day = group.byDay.get(date) ?? { actions: 0, amount: 0n, payout: 0n };
      actions += day.actions;
      amount += day.amount;
      payout += day.payout;
      return { Date: date, Actions: day.actions, Amount: formatMinor(day.amount, group.currency), Payout: formatMinor(day.payout, group.currency) };
    });
    return {
      Key: key,
      ProgramId: group.programId,
      ProgramName: group.programName,
      Currency: group.currency,
      Days: series,
      Totals: { Actions: actions, Amount: formatMinor(amount, group.currency), Payout: formatMinor(payout, group.currency) },
    };
  });
}

const rangeDtoOf = (range: PerformanceRange) => ({ From: range.from, To: range.to, TimeZone: range.timeZone });

const figuresOf = (row: PartyRow) => ({
  Currency: row.currency,
  Actions: row.actions,
  Amount: formatMinor(row.amountMinor, row.currency),
  Payout: formatMinor(row.payoutMinor, row.currency),
});

export async function performanceRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/performance/daily',
    {
      schema: {
        tags: ['reports'],
        summary:
          "Actions, sale amounts and payouts per day (the account's own: a brand's programs, a partner's earnings), one series per program or per currency; pending and approved actions, reversed ones left out; the last 30 days by default",
        querystring: dailyPerformanceQuery,
        response: { 200: dailyPerformanceDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request));
      const range = rangeOf(actor, request.query, ctx.clock.now());
      const rows = await dailyPerformance(ctx.db, actor, range);
      return { ...rangeDtoOf(range), Series: seriesOf(rows, range, request.query.by) };
    },
  );

  r.get(
    '/api/v1/performance/top-partners',
    {
      schema: {
        tags: ['reports'],
        summary: "Brands: the partners with the highest payouts in the range, per currency (the last 30 days by default)",
        querystring: partyPerformanceQuery,
        response: { 200: topPartnersDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request), 'BRAND');
      const range = rangeOf(actor, request.query, ctx.clock.now());
      const rows = await performanceByCounterparty(ctx.db, actor, range, request.query.limit);
      return { ...rangeDtoOf(range), Items: rows.map((row) => ({ MediaPartnerId: row.accountId, MediaPartnerName: row.name, ...figuresOf(row) })) };
    },
  );

  r.get(
    '/api/v1/performance/by-brand',
    {
      schema: {
        tags: ['reports'],
        summary: "Partners: earnings by brand in the range, per currency, the highest first (the last 30 days by default)",
        querystring: partyPerformanceQuery,
        response: { 200: byBrandDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireAccountActor(actorOf(request), 'PARTNER');
      const range = rangeOf(actor, request.query, ctx.clock.now());
      const rows = await performanceByCounterparty(ctx.db, actor, range, request.query.limit);
      return { ...rangeDtoOf(range), Items: rows.map((row) => ({ BrandId: row.accountId, BrandName: row.name, ...figuresOf(row) })) };
    },
  );
}
