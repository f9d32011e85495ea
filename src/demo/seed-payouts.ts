import type { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { failPaystub } from '../flows/fail-paystub.js';
import { runPayouts } from '../flows/run-payouts.js';
import type { AccountActor, OperatorActor } from '../modules/accounts/actor.js';
import { createAccount } from '../modules/accounts/create-account.js';
import { lockDueActions } from '../modules/actions/lock-due-actions.js';
import { acceptTerms } from '../modules/contracts/accept-terms.js';
import { expireContract } from '../modules/contracts/expire-contract.js';
import { recordConversions } from '../modules/conversions/record-conversions.js';
import { newClickId } from '../modules/tracking/codes.js';
import { createLink } from '../modules/tracking/create-link.js';
import { markRunSentInTx } from '../modules/payouts/payout-runs.js';
import { saveWithdrawalSettingsInTx, type WithdrawalSettingsChange } from '../modules/payouts/withdrawal-settings.js';

const DAY_MS = 86_400_000;

/** The program the small partners work with, and what their accounts are made with. */
export interface SmallPartnerProgram {
  brand: AccountActor;
  programId: number;
  websiteUrl: string;
  termsId: number;
  saleEventTypeId: number;
  password: string;
}

/** A small partner: its account, and its sales (days before now, amounts) through one link. */
interface SmallPartnerPlan {
  name: string;
  timeZone: string;
  admin: { email: string; name: string };
  site: string;
  landingPath: string;
  linkLabel: string;
  orderPrefix: string;
  sales: Array<{ daysAgo: number; amount: string }>;
}

/**
 * A small partner of the program, under contract since 88 days ago, with a few sales
 * eighty days ago, locked by now; the statements the demo bills next take them, and the
 * brand's payment clears them (seed-finance.ts), so they end available and nothing stays
 * pending. Made after the demo's activity, from its own clicks, so the other partners'
 * numbers stay as they were.
 */
async function seedSmallPartner(ctx: ServiceContext, clock: ManualClock, program: SmallPartnerProgram, plan: SmallPartnerPlan): Promise<AccountActor> {
  const realNow = clock.now();
  clock.set(new Date(realNow.getTime() - 88 * DAY_MS));
  const created = await createAccount(ctx, null, {
    kind: 'PARTNER',
    name: plan.name,
    timeZone: plan.timeZone,
    currency: 'USD',
    admin: { ...plan.admin, password: program.password },
  });
  const partner: AccountActor = { type: 'account', userId: created.adminUserId, accountId: created.id, accountKind: 'PARTNER', accountTimeZone: plan.timeZone, role: 'ADMIN', via: 'session' };
  await acceptTerms(ctx, partner, program.termsId);
  const link = await createLink(ctx, partner, { programId: program.programId, landingUrl: new URL(plan.landingPath, program.websiteUrl).href, label: plan.linkLabel });
  const sales = plan.sales
    .map((sale) => ({ at: new Date(realNow.getTime() - sale.daysAgo * DAY_MS), amount: sale.amount }))
    .map((sale) => ({ ...sale, clickId: newClickId(new Date(sale.at.getTime() - 3_600_000)) }));
  await ctx.db.query(
    `insert into clicks (click_id, link_id, program_id, partner_account_id, at, ip_hash, user_agent, referrer)
     select u.click_id, $2, $3, $4, u.at, md5(u.click_id), 'Mozilla/5.0 (demo)', $6
       from unnest($1::text[], $5::timestamptz[]) as u(click_id, at)`,
    [sales.map((s) => s.clickId), link.id, program.programId, partner.accountId, sales.map((s) => new Date(s.at.getTime() - 3_600_000).toISOString()), plan.site],
  );
  clock.set(realNow);
  await recordConversions(
    ctx,
    program.brand,
    sales.map((sale, i) => ({ ActionTrackerId: program.saleEventTypeId, OrderId: `${plan.orderPrefix}-${i + 1}`, EventDate: sale.at.toISOString(), ClickId: sale.clickId, Amount: sale.amount })),
  );
  await lockDueActions(ctx);
  return partner;
}

/**
 * The two small partners of Acme Outdoor US the account-closure flow is for, each one
 * contract with the program and a balance below its threshold, nothing pending:
 *
 * - Summit Stories (partner@summit.test): two sales, 6.00 USD available, below its
 *   threshold, paid by wire to a German bank in USD: no autopay will ever pay it, and a
 *   manual paystub is refused (the 25.00 wire fee leaves no remainder); its contract
 *   already expired, it is one forfeit away from closable.
 * - Switchback Shorts, Taylor Trail's second channel (partner@trail.test, who also helps
 *   run Summit Stories): 18.40 USD available, below its 50.00 threshold, paid by a free
 *   bank transfer if a manual paystub asks.
 *
 * The second one's name leaves out "Trail", so that searching the accounts for "trail"
 * still finds Trail Blog alone.
 */
export async function seedClosurePartners(ctx: ServiceContext, clock: ManualClock, program: SmallPartnerProgram): Promise<{ summit: AccountActor; shorts: AccountActor }> {
  const summit = await seedSmallPartner(ctx, clock, program, {
    name: 'Summit Stories',
    timeZone: 'America/Chicago',
    admin: { email: 'partner@summit.test', name: 'Sky Summit' },
    site: 'https://summit-stories.example/',
    landingPath: 'trail-stories?utm_source=lockstep',
    linkLabel: 'Trip report',
    orderPrefix: 'SUMMIT',
    sales: [
      { daysAgo: 80, amount: '30.00' },
      { daysAgo: 79, amount: '45.00' },
    ],
  });
  // Its admin has already ended the contract (Contract History → Expire): a forfeit is all
  // that stands between it and closing.
  const { rows: contracts } = await ctx.db.query<{ id: number }>('select id from contracts where partner_account_id = $1', [summit.accountId]);
  for (const contract of contracts) await expireContract(ctx, summit, contract.id, {});
  const shorts = await seedSmallPartner(ctx, clock, program, {
    name: 'Switchback Shorts',
    timeZone: 'America/Denver',
    admin: { email: 'partner@trail.test', name: 'Taylor Trail' },
    site: 'https://shorts.trail-blog.example/',
    landingPath: 'tents?utm_source=lockstep',
    linkLabel: 'One-minute tent pitch',
    orderPrefix: 'SHORTS',
    sales: [
      { daysAgo: 80, amount: '120.00' },
      { daysAgo: 79, amount: '110.00' },
    ],
  });
  return { summit, shorts };
}

/**
 * Where the demo partners' money goes, one of each kind of destination: Trail Blog a US
 * checking account with its ABA routing number (autopay at a 100.00 balance), Style Creator
 * a British IBAN with its BIC (the 15th of each month), and Summit Stories a German IBAN
 * paid in USD by wire (at a 50.00 balance, which its 6.00 never reaches, and a 25.00 fee
 * that a manual paystub of it cannot cover: the partner the closure flow is for, which
 * only a forfeit clears).
 * Switchback Shorts, the same creator's second channel, a savings account at the same
 * bank (at a 50.00 balance, above its 18.40). Deal Hunter Media has none yet: the payout
 * runs hold its available balance for it.
 */
export async function seedWithdrawalSettings(
  ctx: ServiceContext,
  partners: { trail: AccountActor; style: AccountActor; summit: AccountActor; shorts: AccountActor },
): Promise<void> {
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
    [
      partners.summit,
      {
        destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'DE', BeneficiaryAccountName: 'Sky Summit', BankAccountNumber: 'DE89 3704 0044 0532 0130 00', SwiftCode: 'COBADEFFXXX' },
        schedule: 'BALANCE_THRESHOLD',
        threshold: '50.00',
      },
    ],
    [
      partners.shorts,
      {
        destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'US', BeneficiaryAccountName: 'Taylor Trail', BankAccountNumber: '000987654321', RoutingCode: '021000021', BankAccountType: 'SAVINGS' },
        schedule: 'BALANCE_THRESHOLD',
        threshold: '50.00',
      },
    ],
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
