import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../src/core/context.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { newClickId } from '../../src/modules/tracking/codes.js';
import type { ConversionInput } from '../../src/modules/conversions/types.js';
import type { TestAccount } from './app.js';
import type { TestProgram } from './programs.js';

/** A tracking link and a click on it, written straight to the tables. */
export async function makeClick(
  ctx: ServiceContext,
  partner: TestAccount,
  program: TestProgram,
  at: Date = ctx.clock.now(),
): Promise<string> {
  const code = randomBytes(6).toString('hex');
  const { rows } = await ctx.db.query<{ id: number }>(
    `insert into tracking_links (code, partner_account_id, program_id, landing_url, created_at)
     values ($1, $2, $3, 'https://shop.example/landing', $4) returning id`,
    [code, partner.id, program.id, at],
  );
  // A real click id (time-ordered), as the credit job's cursor walks them in that order.
  const clickId = newClickId(at);
  await ctx.db.query(
    `insert into clicks (click_id, link_id, program_id, partner_account_id, at) values ($1, $2, $3, $4, $5)`,
    [clickId, rows[0]!.id, program.id, partner.id, at],
  );
  return clickId;
}

let orderCounter = 0;
export function nextOrderId(): string {
  orderCounter += 1;
  return `ORD-${orderCounter}-${randomBytes(3).toString('hex')}`;
}

/** Records one sale through the conversions service and returns its action id. */
export async function makeSaleAction(
  ctx: ServiceContext,
  brand: TestAccount,
  partner: TestAccount,
  program: TestProgram,
  options: { amount?: string; items?: ConversionInput['Items']; eventAt?: Date; clickId?: string } = {},
): Promise<bigint> {
  const eventAt = options.eventAt ?? ctx.clock.now();
  const clickId = options.clickId ?? (await makeClick(ctx, partner, program, new Date(eventAt.getTime() - 60_000)));
  const [result] = await recordConversions(ctx, brand.actor, [
    {
      ActionTrackerId: program.saleEventTypeId,
      OrderId: nextOrderId(),
      EventDate: eventAt.toISOString(),
      ClickId: clickId,
      ...(options.items ? { Items: options.items } : { Amount: options.amount ?? '100.00' }),
    },
  ]);
  if (result?.status !== 'ACCEPTED' || !result.actionId) {
    throw new Error(`sale not accepted: ${JSON.stringify(result)}`);
  }
  return BigInt(result.actionId);
}

export async function actionRow(ctx: ServiceContext, id: bigint) {
  const { rows } = await ctx.db.query<{
    state: string;
    amount_minor: bigint;
    payout_minor: bigint;
    reversal_reason: string | null;
    modification_count: number;
    locked_at: Date | null;
    partner_account_id: number;
  }>('select * from actions where id = $1', [id.toString()]);
  return rows[0]!;
}
