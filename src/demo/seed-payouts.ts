import type { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { failPaystub } from '../flows/fail-paystub.js';
import { runPayouts } from '../flows/run-payouts.js';
import type { AccountActor, OperatorActor } from '../modules/accounts/actor.js';
import { createAccount } from '../modules/accounts/create-account.js';
import { lockDueActions } from '../modules/actions/lock-due-actions.js';
import { acceptTerms } from '../modules/contracts/accept-terms.js';
import { recordConversions } from '../modules/conversions/record-conversions.js';
import { newClickId } from '../modules/tracking/codes.js';
import { createLink } from '../modules/tracking/create-link.js';
import { markRunSentInTx } from '../modules/payouts/payout-runs.js';
import { saveWithdrawalSettingsInTx, type WithdrawalSettingsChange } from '../modules/payouts/withdrawal-settings.js';

const DAY_MS = 86_400_000;

/**
 * Summit Stories: a small partner of Acme Outdoor US with two sales eighty days ago,
 * locked, billed and (once the brand pays) available: 6.00 USD, nothing pending, below its
 * PayPal threshold and the 10.00 minimum, so no autopay will ever pay it. What the closure
 * flow is for: a manual paystub (PayPal's 2% leaves a remainder) or a forfeit. Made after
 * the demo's activity, from its own clicks, so the other partners' numbers stay as they were.
 */
export async function seedClosurePartner(
  ctx: ServiceContext,
  clock: ManualClock,
  input: { brand: AccountActor; programId: number; websiteUrl: string; termsId: number; saleEventTypeId: number; password: string },
): Promise<AccountActor> {
  const realNow = clock.now();
  clock.set(new Date(realNow.getTime() - 88 * DAY_MS));
  const created = await createAccount(ctx, null, {
    kind: 'PARTNER',
    name: 'Summit Stories',
    timeZone: 'America/Chicago',
    currency: 'USD',
    admin: { email: 'partner@summit.test', name: 'Sky Summit', password: input.password },
  });
  const partner: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'PARTNER', accountTimeZone: 'America/Chicago', role: 'ADMIN', via: 'session' };
  await acceptTerms(ctx, partner, input.termsId);
  const link = await createLink(ctx, partner, { programId: input.programId, landingUrl: new URL('trail-stories?utm_source=lockstep', input.websiteUrl).href, label: 'Trip report' });
  const sales = [
    { at: new Date(realNow.getTime() - 80 * DAY_MS), amount: '30.00' },
    { at: new Date(realNow.getTime() - 79 * DAY_MS), amount: '45.00' },
  ].map((sale) => ({ ...sale, clickId: newClickId(new Date(sale.at.getTime() - 3_600_000)) }));
  await ctx.db.query(
    `insert into clicks (click_id, link_id, program_id, partner_account_id, at, ip_hash, user_agent, referrer)
     select u.click_id, $2, $3, $4, u.at, md5(u.click_id), 'Mozilla/5.0 (demo)', 'https://summit-stories.example/'
       from unnest($1::text[], $5::timestamptz[]) as u(click_id, at)`,
    [sales.map((s) => s.clickId), link.id, input.programId, partner.accountId, sales.map((s) => new Date(s.at.getTime() - 3_600_000).toISOString())],
  );
  clock.set(realNow);
  await recordConversions(
    ctx,
    input.brand,
    sales.map((sale, i) => ({ ActionTrackerId: input.saleEventTypeId, OrderId: `SUMMIT-${i + 1}`, EventDate: sale.at.toISOString(), ClickId: sale.clickId, Amount: sale.amount })),
  );
  await lockDueActions(ctx);
  return partner;
}

/**
 * Where the demo partners' money goes, one of each kind of destination: Trail Blog a US
 * checking account with its ABA routing number (autopay at a 100.00 balance), Style Creator
 * a British IBAN with its BIC (the 15th of each month), and Summit Stories PayPal (at a
 * 25.00 balance, which its 6.00 never reaches: the partner the closure flow is for). Deal
 * Hunter Media has none yet: the payout runs hold its available balance for it.
 */
export async function seedWithdrawalSettings(ctx: ServiceContext, partners: { trail: AccountActor; style: AccountActor; summit: AccountActor }): Promise<void> {
  const settings: Array<[AccountActor, WithdrawalSettingsChange]> = [
    [
      partners.trail,
      {
        destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'US', BeneficiaryAccountName: 'Taylor Trail', BankAccountNumber: '000123456789', RoutingCode: '021000021', BankAccountType: 'CHECKING' },
        schedule: 'BALANCE_THRESHOLD',
        threshold: '100.00',
      },
    ],
    [
      partners.style,
      {
        destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'GB', BeneficiaryAccountName: 'Style Creator Ltd', BankAccountNumber: 'GB29 NWBK 6016 1331 9268 19', SwiftCode: 'NWBKGB2L' },
        schedule: 'FIXED_DAY',
        paymentDay: 15,
      },
    ],
    [partners.summit, { destination: { PaymentMethod: 'PAYPAL', PaypalEmailAddress: 'payouts@summit-stories.example' }, schedule: 'BALANCE_THRESHOLD', threshold: '25.00' }],
  ];
  for (const [partner, change] of settings) await ctx.db.transaction((tx) => saveWithdrawalSettingsInTx(tx, partner, change, ctx.clock.now()));
}

/** What the bank says of the payment it returned: the partner reads it on the paystub. */
export const DEMO_RETURN_REASON = 'Returned by the receiving bank: the account does not accept payments in CAD (AC06). Ask your bank, or change the payment method.';

/**
 * The daily payout run as the job makes it (06:30 UTC) from the day money first became
 * available, each run's files sent to the bank at 10:00 the same day; and the first CAD
 * paystub of Trail Blog (a wire to its US account) returned by the bank two days after it
 * was sent, its money back in the available balance and the reason shown. `catchUp(t)`
 * makes the runs due up to `t`, so they fall in time between the brands' payments.
 */
export function dailyPayoutRuns(ctx: ServiceContext, clock: ManualClock, operator: OperatorActor, trailAccountId: number): (until: Date) => Promise<void> {
  let next: Date | null = null;
  let returned = false;
  return async (until) => {
    // The first runs come the morning after the first payment.
    next ??= new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate() + 1, 6, 30));
    while (next < until) {
      clock.set(next);
      const run = await runPayouts(ctx);
      if (run.runId !== null) {
        clock.set(new Date(next.getTime() + 3.5 * 3_600_000));
        await ctx.db.transaction((tx) => markRunSentInTx(tx, run.runId!, operator.userId, clock.now()));
      }
      if (!returned) {
        const { rows } = await ctx.db.query<{ id: bigint }>(
          `select id from paystubs where partner_account_id = $1 and currency = 'CAD' and status = 'SENT' and sent_at <= $2 order by id limit 1`,
          [trailAccountId, new Date(clock.now().getTime() - 2 * DAY_MS)],
        );
        if (rows[0]) {
          await failPaystub(ctx, operator, BigInt(rows[0].id), DEMO_RETURN_REASON);
          returned = true;
        }
      }
      next = new Date(next.getTime() + DAY_MS);
    }
  };
}
