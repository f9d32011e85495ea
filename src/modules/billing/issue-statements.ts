import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { recordResourceEvents } from '../../outbox/resources.js';

export const ISSUE_STATEMENTS_LOCK_KEY = 7_350_200;

export interface IssueStatementsResult {
  ran: boolean;
  statements: number;
  lines: number;
}

export interface IssuedStatement {
  id: number;
  totalMinor: bigint;
}

export interface IssueStatementsOptions {
  onProgress?: (lines: number) => void;
  signal?: AbortSignal;
  /**
   * Called in each program's transaction with the statements it issued: the job starts
   * the clearing of a statement whose total is zero or below (clawbacks larger than what
   * it bills), which is paid in full as it is issued.
   */
  onIssued?: (tx: Sql, statements: readonly IssuedStatement[]) => Promise<void>;
}

/**
 * Bills the brands: every action that locked in a month now over (in its program's time
 * zone) and is on no statement yet goes on one, a statement per brand, program, currency
 * and payment date (actions under different payment schedules share a statement only
 * when they share its due date). Run hourly, it issues each program's statements in the
 * first hour of the 1st in the program's time zone; an action that locks late in a month
 * already billed (the lock job ran behind) goes on a further statement for that month.
 * One transaction per program, set-based: the program's unbilled actions are read once
 * into a temporary table, the statements made with their totals from its groups (one
 * pass over it), then the lines written from it. An action is billed once (statement_lines' key), so two
 * runs, or a run killed and run again, never bill twice. The post-lock corrections made
 * in a month now over and not billed yet go on the same statements, as lines of their own:
 * each on the statement of its program, currency, month (the month it was made) and due
 * date, or on one of their own; a correction is billed once (its statement_id is set
 * where it is null).
 */
export async function issueStatements(
  ctx: ServiceContext,
  options: IssueStatementsOptions = {},
): Promise<IssueStatementsResult> {
  const release = await ctx.db.tryAdvisoryLock(ISSUE_STATEMENTS_LOCK_KEY);
  if (!release) return { ran: false, statements: 0, lines: 0 };
  try {
    const now = ctx.clock.now();
    const { rows: programs } = await ctx.db.query<{ id: number }>(
      `select distinct a.program_id as id from actions a join programs p on p.id = a.program_id
        where a.state = 'APPROVED' and a.cleared_at is null
          and a.locked_at < (date_trunc('month', $1::timestamptz at time zone p.time_zone) at time zone p.time_zone)
          and not exists (select 1 from statement_lines l where l.action_id = a.id)
       union
       select c.program_id from action_corrections c join programs p on p.id = c.program_id
        where c.statement_id is null and c.created_at < (date_trunc('month', $1::timestamptz at time zone p.time_zone) at time zone p.time_zone)
        order by 1`,
      [now],
    );
    let statements = 0;
    let lines = 0;
    for (const program of programs) {
      if (options.signal?.aborted) break;
      const billed = await ctx.db.transaction(async (tx) => {
        const issued = await issueProgramStatements(tx, program.id, now);
        if (options.onIssued && issued.made.length > 0) await options.onIssued(tx, issued.made);
        return issued;
      });
      statements += billed.statements;
      lines += billed.lines;
      options.onProgress?.(lines);
    }
    return { ran: true, statements, lines };
  } finally {
    await release();
  }
}

/** An action's due date: its payment date, or, for an action locked without one, the end of the month after its lock. */
const DUE_AT = `coalesce(a.payment_due_at,
  ((date_trunc('month', a.locked_at at time zone p.time_zone) + interval '2 months') at time zone p.time_zone) - interval '1 second')`;

/** One program's statements, in the caller's transaction. */
async function issueProgramStatements(tx: Sql, programId: number, now: Date): Promise<{ statements: number; lines: number; made: IssuedStatement[] }> {
  // The program's actions to bill, read once (a locked action's payout never changes). A
  // cleared action was billed (only a paid statement clears), so only the uncleared ones
  // are looked up among the lines.
  await tx.query('drop table if exists billing_due');
  await tx.query(
    `create temporary table billing_due on commit drop as
     select a.id, a.partner_account_id, a.event_type_id, a.amount_minor, a.payout_minor, a.locked_at, a.currency,
            p.brand_account_id, p.time_zone, (date_trunc('month', a.locked_at at time zone p.time_zone))::date as period_start, ${DUE_AT} as due_at
       from actions a join programs p on p.id = a.program_id
      where a.program_id = $1 and a.state = 'APPROVED' and a.cleared_at is null
        and a.locked_at < (date_trunc('month', $2::timestamptz at time zone p.time_zone) at time zone p.time_zone)
        and not exists (select 1 from statement_lines l where l.action_id = a.id)`,
    [programId, now],
  );
  // Its corrections to bill, locked so that none is billed by two runs.
  const { rows: corrections } = await tx.query<{ id: bigint; brand: number; currency: string; periodStart: string; dueAt: Date; timeZone: string; amount: bigint }>(
    `select c.id, c.brand_account_id as brand, c.currency, (date_trunc('month', c.created_at at time zone p.time_zone))::date::text as "periodStart",
            c.due_at as "dueAt", p.time_zone as "timeZone", c.amount_minor as amount
       from action_corrections c join programs p on p.id = c.program_id
      where c.program_id = $1 and c.statement_id is null
        and c.created_at < (date_trunc('month', $2::timestamptz at time zone p.time_zone) at time zone p.time_zone)
      order by c.id for update of c`,
    [programId, now],
  );
  // The statements with their totals, summed from the actions to bill and the corrections
  // (one pass over the temporary table): the actions' payouts plus the corrections. One
  // whose total is zero or below (clawbacks beyond what it bills) owes nothing: it is
  // issued paid.
  const { rows: totals } = await tx.query<{ id: number; brand: number; currency: string; periodStart: string; lines: number; corrections: number; total: bigint }>(
    `with sums as (
       select brand_account_id, currency, period_start, due_at, time_zone, sum(n)::int as n, sum(c)::int as c, sum(total)::bigint as total
         from (select brand_account_id, currency, period_start, due_at, time_zone, count(*) as n, 0 as c, sum(payout_minor) as total
                 from billing_due group by brand_account_id, currency, period_start, due_at, time_zone
               union all
               select u.brand_account_id, u.currency, u.period_start, u.due_at, u.time_zone, 0, 1, u.amount from unnest($3::int[], $4::text[], $5::date[], $6::timestamptz[], $7::text[], $8::bigint[])
                        as u(brand_account_id, currency, period_start, due_at, time_zone, amount)) parts
        group by brand_account_id, currency, period_start, due_at, time_zone),
     groups as (
       select nextval(pg_get_serial_sequence('statements', 'id'))::int as id, *
         from (select * from sums order by currency, period_start, due_at) ordered)
     insert into statements (id, number, brand_account_id, program_id, currency, period_start, period_end, due_at, due_on, issued_at,
                             line_count, correction_count, total_minor, paid_at)
     overriding system value
     select id, 'ST-' || to_char(period_start, 'YYYYMM') || '-' || lpad(id::text, 6, '0'), brand_account_id, $1, currency, period_start,
            (period_start + interval '1 month')::date - 1, due_at, (due_at at time zone time_zone)::date, $2, n, c, total,
            case when total <= 0 then $2::timestamptz end
       from groups
     returning id, brand_account_id as brand, currency, period_start::text as "periodStart", line_count as lines, correction_count as corrections,
               total_minor as total`,
    [
      programId,
      now,
      corrections.map((c) => c.brand),
      corrections.map((c) => c.currency),
      corrections.map((c) => c.periodStart),
      corrections.map((c) => c.dueAt.toISOString()),
      corrections.map((c) => c.timeZone),
      corrections.map((c) => c.amount.toString()),
    ],
  );
  if (totals.length === 0) return { statements: 0, lines: 0, made: [] };
  const ids = totals.map((row) => row.id);
  const { rowCount } = await tx.query(
    `insert into statement_lines (action_id, statement_id, partner_account_id, event_type_id, amount_minor, payout_minor, locked_at)
     select d.id, s.id, d.partner_account_id, d.event_type_id, d.amount_minor, d.payout_minor, d.locked_at
       from billing_due d
       join statements s on s.program_id = $1 and s.id = any($2::int[]) and s.currency = d.currency and s.period_start = d.period_start and s.due_at = d.due_at`,
    [programId, ids],
  );
  if (corrections.length > 0) {
    await tx.query(
      `update action_corrections c set statement_id = s.id
         from programs p, statements s
        where c.id = any($3::bigint[]) and c.statement_id is null and p.id = c.program_id
          and s.program_id = $1 and s.id = any($2::int[]) and s.currency = c.currency and s.due_at = c.due_at
          and s.period_start = (date_trunc('month', c.created_at at time zone p.time_zone))::date`,
      [programId, ids, corrections.map((c) => c.id.toString())],
    );
  }
  for (const row of totals) {
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: null,
      accountId: row.brand,
      action: 'statement.issued',
      subject: `statement:${row.id}`,
      detail: {
        programId,
        currency: row.currency,
        periodStart: row.periodStart,
        lines: row.lines,
        corrections: row.corrections,
        totalMinor: row.total.toString(),
      },
    });
  }
  // A statement that owes nothing is issued paid: both events, in that order.
  await recordResourceEvents(
    tx,
    'statement',
    totals.flatMap((row) => [{ id: row.id, type: 'statement.issued' as const }, ...(row.total <= 0n ? [{ id: row.id, type: 'statement.paid' as const }] : [])]),
    now,
  );
  return { statements: totals.length, lines: rowCount ?? 0, made: totals.map((row) => ({ id: row.id, totalMinor: row.total })) };
}
