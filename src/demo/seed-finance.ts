import type { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { recordPaymentAndClear } from '../flows/clear-statement.js';
import type { OperatorActor } from '../modules/accounts/actor.js';
import { issueStatements } from '../modules/billing/issue-statements.js';
import { formatMinor } from '../money/index.js';
import { runNow } from '../worker/index.js';

const DAY_MS = 86_400_000;

/**
 * The brands' statements, as a few months of billing leave them, in the order it happened:
 * on the 2nd of each month the statement job bills the month that is over; statements whose
 * due date has passed were paid in full by their brand three days before it (their actions
 * cleared then, the partners' payouts available from that day), except the most recent one
 * of each brand past its due date, which stays unpaid (overdue) after a partial payment;
 * statements not yet due stay open. `catchUp(t)` is called before each payment and at the
 * end with now, so that what else happens day by day (the demo's daily payout runs) happens
 * in between, in the order of time.
 */
export async function seedFinance(
  ctx: ServiceContext,
  clock: ManualClock,
  operator: OperatorActor,
  catchUp: (until: Date) => Promise<void> = async () => {},
): Promise<void> {
  const realNow = clock.now();
  // Billing runs on the 2nd of the last three months, then now (what is over by now).
  for (let back = 3; back >= 1; back--) {
    const billingDay = new Date(Date.UTC(realNow.getUTCFullYear(), realNow.getUTCMonth() - back + 1, 2, 12));
    if (billingDay >= realNow) continue;
    clock.set(billingDay);
    await issueStatements(ctx);
  }
  clock.set(realNow);
  await issueStatements(ctx);
  const { rows } = await ctx.db.query<{ id: number; brand: number; currency: string; total: bigint; due: Date; issued: Date }>(
    `select id, brand_account_id as brand, currency, total_minor as total, due_at as due, issued_at as issued from statements order by brand_account_id, due_at, id`,
  );
  const lastPastDue = new Map<number, number>();
  for (const row of rows) if (row.due < realNow) lastPastDue.set(row.brand, row.id);
  const payments = rows
    .filter((row) => row.due < realNow)
    .map((row) => {
      const late = lastPastDue.get(row.brand) === row.id;
      // Three days before the due date, at 14:00 UTC: after the statement was issued, before now.
      const at = new Date(Math.min(Math.max(row.due.getTime() - 3 * DAY_MS + 14 * 3_600_000, row.issued.getTime() + 3_600_000), realNow.getTime()));
      return { ...row, amount: late ? row.total / 3n : row.total, at };
    })
    .filter((p) => p.amount > 0n)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  for (const payment of payments) {
    await catchUp(payment.at);
    clock.set(payment.at);
    const answer = await recordPaymentAndClear(
      ctx,
      operator,
      payment.id,
      { amount: formatMinor(payment.amount, payment.currency), receivedOn: payment.at.toISOString().slice(0, 10), reference: `DEMO-${payment.id}` },
      'OPERATOR',
    );
    if (answer.clearingWorkItemId && answer.clearingState !== 'DONE') await runNow(ctx, BigInt(answer.clearingWorkItemId));
  }
  await catchUp(realNow);
  clock.set(realNow);
}
