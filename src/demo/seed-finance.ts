import type { ServiceContext } from '../core/context.js';
import { recordPaymentAndClear } from '../flows/clear-statement.js';
import type { OperatorActor } from '../modules/accounts/actor.js';
import { issueStatements } from '../modules/billing/issue-statements.js';
import { formatMinor } from '../money/index.js';
import { runNow } from '../worker/index.js';

/**
 * The brands' statements, as a few months of billing leave them: the months of activity
 * that are over are billed; statements whose due date has passed are paid in full by
 * their brand (their actions cleared, the partners' payouts available), except the most
 * recent one of each brand past its due date, which stays unpaid (overdue) after a
 * partial payment; statements not yet due stay open.
 */
export async function seedFinance(ctx: ServiceContext, operator: OperatorActor): Promise<void> {
  await issueStatements(ctx);
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<{ id: number; brand: number; currency: string; total: bigint; due: Date }>(
    `select id, brand_account_id as brand, currency, total_minor as total, due_at as due from statements order by brand_account_id, due_at, id`,
  );
  const lastPastDue = new Map<number, number>();
  for (const row of rows) if (row.due < now) lastPastDue.set(row.brand, row.id);
  for (const row of rows) {
    if (row.due >= now) continue;
    const late = lastPastDue.get(row.brand) === row.id;
    const amount = late ? row.total / 3n : row.total;
    if (amount <= 0n) continue;
    const answer = await recordPaymentAndClear(
      ctx,
      operator,
      row.id,
      { amount: formatMinor(amount, row.currency), receivedOn: new Date(row.due.getTime() - 3 * 86_400_000).toISOString().slice(0, 10), reference: `DEMO-${row.id}` },
      'OPERATOR',
    );
    if (answer.clearingWorkItemId && answer.clearingState !== 'DONE') await runNow(ctx, BigInt(answer.clearingWorkItemId));
  }
}
