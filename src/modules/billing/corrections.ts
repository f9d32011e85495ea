import type { Sql } from '../../db/types.js';

/**
 * Post-lock corrections: an adjustment of a locked action's payout, a row of its own (the
 * action is never edited). Billed on the brand's next statement, cleared with it, then
 * paid (or forfeited) with the partner's balance, like an action.
 */
export interface CorrectionRow {
  id: bigint;
  actionId: bigint;
  brandAccountId: number;
  partnerAccountId: number;
  programId: number;
  currency: string;
  /** Signed: more for the partner (billed to the brand) above zero, a clawback below. */
  amountMinor: bigint;
  reason: string;
  note: string | null;
  createdByUserId: number | null;
  createdAt: Date;
  dueAt: Date;
  statementId: number | null;
  statementNumber: string | null;
  clearedAt: Date | null;
  paystubId: bigint | null;
  forfeitId: number | null;
}

export const CORRECTION_COLUMNS = `c.id, c.action_id as "actionId", c.brand_account_id as "brandAccountId", c.partner_account_id as "partnerAccountId",
  c.program_id as "programId", c.currency, c.amount_minor as "amountMinor", c.reason, c.note, c.created_by_user_id as "createdByUserId",
  c.created_at as "createdAt", c.due_at as "dueAt", c.statement_id as "statementId", s.number as "statementNumber", c.cleared_at as "clearedAt",
  c.paystub_id as "paystubId", c.forfeit_id as "forfeitId"`;
export const CORRECTION_FROM = 'from action_corrections c left join statements s on s.id = c.statement_id';

export async function loadCorrections(sql: Sql, ids: readonly (bigint | string)[]): Promise<CorrectionRow[]> {
  const { rows } = await sql.query<CorrectionRow>(`select ${CORRECTION_COLUMNS} ${CORRECTION_FROM} where c.id = any($1::bigint[]) order by c.id`, [
    ids.map(String),
  ]);
  return rows;
}

/** An action's corrections, oldest first. The caller has checked that the actor may see the action. */
export async function correctionsOfAction(sql: Sql, actionId: bigint): Promise<CorrectionRow[]> {
  const { rows } = await sql.query<CorrectionRow>(`select ${CORRECTION_COLUMNS} ${CORRECTION_FROM} where c.action_id = $1 order by c.id`, [
    actionId.toString(),
  ]);
  return rows;
}

/** A statement's corrections, by partner: its separate lines. */
export async function correctionsOfStatement(sql: Sql, statementId: number): Promise<CorrectionRow[]> {
  const { rows } = await sql.query<CorrectionRow>(
    `select ${CORRECTION_COLUMNS} ${CORRECTION_FROM} where c.statement_id = $1 order by c.partner_account_id, c.id`,
    [statementId],
  );
  return rows;
}

/** A partner's corrections on a statement (what its clearing posts one by one). */
export async function partnerCorrectionsOfStatement(sql: Sql, statementId: number, partnerAccountId: number): Promise<CorrectionRow[]> {
  const { rows } = await sql.query<CorrectionRow>(
    `select ${CORRECTION_COLUMNS} ${CORRECTION_FROM} where c.statement_id = $1 and c.partner_account_id = $2 order by c.id`,
    [statementId, partnerAccountId],
  );
  return rows;
}

/** Marks a partner's corrections on a statement cleared (their amounts are available now). Answers how many. */
export async function clearCorrections(tx: Sql, statementId: number, partnerAccountId: number, now: Date): Promise<number> {
  const { rowCount } = await tx.query(
    'update action_corrections set cleared_at = $3 where statement_id = $1 and partner_account_id = $2 and cleared_at is null',
    [statementId, partnerAccountId, now],
  );
  return rowCount ?? 0;
}

export interface SettledCorrections {
  count: number;
  /** Their signed sum, in minor units. */
  amountMinor: bigint;
}

const settled = (rows: Array<{ amount_minor: bigint }>): SettledCorrections => ({
  count: rows.length,
  amountMinor: rows.reduce((sum, row) => sum + row.amount_minor, 0n),
});

/**
 * Paystubs pay their partners' cleared, unsettled corrections in their currencies with
 * their actions, in one statement: the available balance each withdraws is its actions'
 * payouts plus these corrections. Answers each paystub's corrections (keyed by its id).
 */
export async function markCorrectionsPaid(
  tx: Sql,
  paystubs: ReadonlyArray<{ partnerAccountId: number; currency: string; paystubId: bigint }>,
): Promise<Map<string, SettledCorrections>> {
  const marked = new Map<string, SettledCorrections>();
  if (paystubs.length === 0) return marked;
  const { rows } = await tx.query<{ amount: bigint; paystub: string }>(
    `update action_corrections c set paystub_id = m.paystub_id
       from unnest($1::int[], $2::text[], $3::bigint[]) as m(partner_account_id, currency, paystub_id)
      where c.partner_account_id = m.partner_account_id and c.currency = m.currency
        and c.cleared_at is not null and c.paystub_id is null and c.forfeit_id is null
      returning c.amount_minor as amount, m.paystub_id::text as paystub`,
    [paystubs.map((p) => p.partnerAccountId), paystubs.map((p) => p.currency), paystubs.map((p) => p.paystubId.toString())],
  );
  for (const row of rows) {
    const sum = marked.get(row.paystub) ?? { count: 0, amountMinor: 0n };
    marked.set(row.paystub, { count: sum.count + 1, amountMinor: sum.amountMinor + row.amount });
  }
  return marked;
}

/** A paystub the bank returned: its corrections are unpaid again, for the next paystub. */
export async function unmarkCorrectionsPaid(tx: Sql, paystubId: bigint): Promise<SettledCorrections> {
  const { rows } = await tx.query<{ amount_minor: bigint }>(
    'update action_corrections set paystub_id = null where paystub_id = $1 returning amount_minor',
    [paystubId.toString()],
  );
  return settled(rows);
}

/** A forfeited balance settles the partner's cleared, unsettled corrections in the currency too. */
export async function markCorrectionsForfeited(
  tx: Sql,
  input: { partnerAccountId: number; currency: string; forfeitId: number },
): Promise<SettledCorrections> {
  const { rows } = await tx.query<{ amount_minor: bigint }>(
    `update action_corrections set forfeit_id = $3
      where partner_account_id = $1 and currency = $2 and cleared_at is not null and paystub_id is null and forfeit_id is null
      returning amount_minor`,
    [input.partnerAccountId, input.currency, input.forfeitId],
  );
  return settled(rows);
}
