import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';

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
 * into a temporary table, the statements made from its groups, the lines written from it
 * and the totals summed from them. An action is billed once (statement_lines' key), so two
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
        where a.state = 'APPROVED' and a.locked_at < (date_trunc('month', $1::timestamptz at time zone p.time_zone) at time zone p.time_zone)
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
  // The program's actions to bill, read once (a locked action's payout never changes).
  await tx.query('drop table if exists billing_due');
  await tx.query(
    `create temporary table billing_due on commit drop as
     select a.id, a.partner_account_id, a.event_type_id, a.amount_minor, a.payout_minor, a.locked_at, a.currency,
            p.brand_account_id, p.time_zone, (date_trunc('month', a.locked_at at time zone p.time_zone))::date as period_start, ${DUE_AT} as due_at
       from actions a join programs p on p.id = a.program_id
      where a.program_id = $1 and a.state = 'APPROVED'
        and a.locked_at < (date_trunc('month', $2::timestamptz at time zone p.time_zone) at time zone p.time_zone)
        and not exists (select 1 from statement_lines l where l.action_id = a.id)`,
    [programId, now],
  );
  // Its corrections to bill, locked so that none is billed by two runs.
  const { rows: corrections } = await tx.query<{ id: bigint; brand: number; currency: string; periodStart: string; dueAt: Date; timeZone: string }>(
    `select c.id, c.brand_account_id as brand, c.currency, (date_trunc('month', c.created_at at time zone p.time_zone))::date::text as "periodStart",
            c.due_at as "dueAt", p.time_zone as "timeZone"
       from action_corrections c join programs p on p.id = c.program_id
      where c.program_id = $1 and c.statement_id is null
        and c.created_at < (date_trunc('month', $2::timestamptz at time zone p.time_zone) at time zone p.time_zone)
      order by c.id for update of c`,
    [programId, now],
  );
  const { rows: made } = await tx.query<{ id: number; brand: number; currency: string; periodStart: string; dueAt: Date }>(
    `with groups as (
       select nextval(pg_get_serial_sequence('statements', 'id'))::int as id, brand_account_id, currency, period_start, due_at, time_zone
         from (select distinct brand_account_id, currency, period_start, due_at, time_zone from billing_due
               union
               select * from unnest($3::int[], $4::text[], $5::date[], $6::timestamptz[], $7::text[])) g
        order by currency, period_start, due_at)
     insert into statements (id, number, brand_account_id, program_id, currency, period_start, period_end, due_at, due_on, issued_at, line_count, total_minor)
     overriding system value
     select id, 'ST-' || to_char(period_start, 'YYYYMM') || '-' || lpad(id::text, 6, '0'), brand_account_id, $1, currency, period_start,
            (period_start + interval '1 month')::date - 1, due_at, (due_at at time zone time_zone)::date, $2, 1, 0
       from groups
     returning id, brand_account_id as brand, currency, period_start::text as "periodStart", due_at as "dueAt"`,
    [
      programId,
      now,
      corrections.map((c) => c.brand),
      corrections.map((c) => c.currency),
      corrections.map((c) => c.periodStart),
      corrections.map((c) => c.dueAt.toISOString()),
      corrections.map((c) => c.timeZone),
    ],
  );
  if (made.length === 0) return { statements: 0, lines: 0, made: [] };
  const ids = made.map((row) => row.id);
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
  // Totals: the actions' payouts plus the corrections. A statement whose total is zero or
  // below (clawbacks beyond what it bills) owes nothing: it is issued paid.
  const { rows: totals } = await tx.query<{ id: number; lines: number; corrections: number; total: bigint }>(
    `update statements s set line_count = coalesce(l.n, 0), correction_count = coalesce(c.n, 0),
            total_minor = coalesce(l.total, 0) + coalesce(c.total, 0),
            paid_at = case when coalesce(l.total, 0) + coalesce(c.total, 0) <= 0 then $2::timestamptz end
       from unnest($1::int[]) as m(id)
       left join (select statement_id, count(*)::int as n, sum(payout_minor)::bigint as total from statement_lines
                   where statement_id = any($1::int[]) group by statement_id) l on l.statement_id = m.id
       left join (select statement_id, count(*)::int as n, sum(amount_minor)::bigint as total from action_corrections
                   where statement_id = any($1::int[]) group by statement_id) c on c.statement_id = m.id
      where s.id = m.id
     returning s.id, s.line_count as lines, s.correction_count as corrections, s.total_minor as total`,
    [ids, now],
  );
  for (const row of totals) {
    const statement = made.find((m) => m.id === row.id)!;
    await recordAuditEvent(tx, {
      at: now,
      actorUserId: null,
      accountId: statement.brand,
      action: 'statement.issued',
      subject: `statement:${row.id}`,
      detail: {
        programId,
        currency: statement.currency,
        periodStart: statement.periodStart,
        lines: row.lines,
        corrections: row.corrections,
        totalMinor: row.total.toString(),
      },
    });
  }
  return { statements: made.length, lines: rowCount ?? 0, made: totals.map((row) => ({ id: row.id, totalMinor: row.total })) };
}
