import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';

export const ISSUE_STATEMENTS_LOCK_KEY = 7_350_200;

export interface IssueStatementsResult {
  ran: boolean;
  statements: number;
  lines: number;
}

interface Group {
  programId: number;
  brandAccountId: number;
  currency: string;
  timeZone: string;
  periodStart: string;
  dueAt: Date;
}

/**
 * Bills the brands: every action that locked in a month now over (in its program's time
 * zone) and is on no statement yet goes on one, a statement per brand, program, currency
 * and payment date (actions under different payment schedules share a statement only
 * when they share its due date). Run hourly, it issues each program's statements in the
 * first hour of the 1st in the program's time zone; an action that locks late in a month
 * already billed (the lock job ran behind) goes on a further statement for that month.
 * Each statement is its own transaction, written set-based; an action is billed once
 * (statement_lines' key), so two runs, or a run killed and run again, never bill twice.
 */
export async function issueStatements(
  ctx: ServiceContext,
  options: { onProgress?: (lines: number) => void; signal?: AbortSignal } = {},
): Promise<IssueStatementsResult> {
  const release = await ctx.db.tryAdvisoryLock(ISSUE_STATEMENTS_LOCK_KEY);
  if (!release) return { ran: false, statements: 0, lines: 0 };
  try {
    const now = ctx.clock.now();
    const groups = await dueGroups(ctx.db, now);
    let statements = 0;
    let lines = 0;
    for (const group of groups) {
      if (options.signal?.aborted) break;
      const billed = await ctx.db.transaction((tx) => issueStatement(tx, group, now));
      if (billed > 0) {
        statements += 1;
        lines += billed;
      }
      options.onProgress?.(lines);
    }
    return { ran: true, statements, lines };
  } finally {
    await release();
  }
}

/** The (program, currency, month, due date) groups with locked actions of a month now over that no statement holds yet. */
async function dueGroups(sql: Sql, now: Date): Promise<Group[]> {
  const { rows } = await sql.query<Group>(
    `select a.program_id as "programId", p.brand_account_id as "brandAccountId", a.currency, p.time_zone as "timeZone",
            (date_trunc('month', a.locked_at at time zone p.time_zone))::date::text as "periodStart", ${DUE_AT} as "dueAt"
       from actions a join programs p on p.id = a.program_id
      where a.state = 'APPROVED' and a.locked_at is not null
        and a.locked_at < (date_trunc('month', $1::timestamptz at time zone p.time_zone) at time zone p.time_zone)
        and not exists (select 1 from statement_lines l where l.action_id = a.id)
      group by 1, 2, 3, 4, 5, 6
      order by 1, 3, 5, 6`,
    [now],
  );
  return rows;
}

/** An action's due date: its payment date, or, for an action locked without one, the end of the month after its lock. */
const DUE_AT = `coalesce(a.payment_due_at,
  ((date_trunc('month', a.locked_at at time zone p.time_zone) + interval '2 months') at time zone p.time_zone) - interval '1 second')`;

/** One statement and its lines; answers how many lines it billed (0: another run billed them first, and nothing is kept). */
async function issueStatement(tx: Sql, group: Group, now: Date): Promise<number> {
  const { rows: ids } = await tx.query<{ id: number }>(`select nextval(pg_get_serial_sequence('statements', 'id'))::int as id`);
  const id = ids[0]!.id;
  const periodEnd = `(($2::date + interval '1 month')::date - 1)`;
  await tx.query(
    `insert into statements (id, number, brand_account_id, program_id, currency, period_start, period_end, due_at, due_on, issued_at, line_count, total_minor)
     overriding system value
     values ($1::int, 'ST-' || to_char($2::date, 'YYYYMM') || '-' || lpad($1::int::text, 6, '0'), $3, $4, $5, $2::date, ${periodEnd}, $6,
             ($6::timestamptz at time zone $7)::date, $8, 1, 0)`,
    [id, group.periodStart, group.brandAccountId, group.programId, group.currency, group.dueAt, group.timeZone, now],
  );
  const { rows } = await tx.query<{ lines: number; total: bigint | null }>(
    `with billed as (
       insert into statement_lines (action_id, statement_id, partner_account_id, event_type_id, amount_minor, payout_minor, locked_at)
       select a.id, $1, a.partner_account_id, a.event_type_id, a.amount_minor, a.payout_minor, a.locked_at
         from actions a join programs p on p.id = a.program_id
        where a.program_id = $2 and a.currency = $3 and a.state = 'APPROVED'
          and a.locked_at >= ($4::date::timestamp at time zone $5) and a.locked_at < (($4::date + interval '1 month')::timestamp at time zone $5)
          and ${DUE_AT} = $6
          and not exists (select 1 from statement_lines l where l.action_id = a.id)
       on conflict (action_id) do nothing
       returning payout_minor)
     select count(*)::int as lines, sum(payout_minor)::bigint as total from billed`,
    [id, group.programId, group.currency, group.periodStart, group.timeZone, group.dueAt],
  );
  const { lines, total } = rows[0]!;
  if (lines === 0) {
    await tx.query('delete from statements where id = $1', [id]);
    return 0;
  }
  await tx.query('update statements set line_count = $2, total_minor = $3 where id = $1', [id, lines, (total ?? 0n).toString()]);
  await recordAuditEvent(tx, {
    at: now,
    actorUserId: null,
    accountId: group.brandAccountId,
    action: 'statement.issued',
    subject: `statement:${id}`,
    detail: { programId: group.programId, currency: group.currency, periodStart: group.periodStart, lines, totalMinor: (total ?? 0n).toString() },
  });
  return lines;
}
