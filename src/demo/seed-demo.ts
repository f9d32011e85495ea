import { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import { seedActivity } from './seed-activity.js';
import { seedWorkItems } from './seed-work-items.js';
import type { AccountActor, AccountKind } from '../modules/accounts/actor.js';
import { createAccount } from '../modules/accounts/create-account.js';
import { createOperator } from '../modules/accounts/create-operator.js';
import { seedFinance } from './seed-finance.js';
import { dailyPayoutRuns, seedClosurePartners, seedWithdrawalSettings } from './seed-payouts.js';
import { seedTickets } from './seed-tickets.js';
import { rememberLastAccount } from '../modules/accounts/last-account.js';
import { acceptTerms } from '../modules/contracts/accept-terms.js';
import { expireContract } from '../modules/contracts/expire-contract.js';
import { createEventType } from '../modules/programs/create-event-type.js';
import { createProgram } from '../modules/programs/create-program.js';
import { createTemplateTerms } from '../modules/programs/template-terms.js';

export const DEMO_PASSWORD = 'lockstep-demo';

export interface DemoLogin {
  email: string;
  role: string;
}

/** True when nothing has been stored yet: demo data is loaded only into an empty database. */
export async function isDatabaseEmpty(ctx: ServiceContext): Promise<boolean> {
  const { rows } = await ctx.db.query<{ n: number }>('select (select count(*) from users)::int + (select count(*) from accounts)::int as n');
  return rows[0]!.n === 0;
}

function actor(account: { id: number; adminUserId: number }, kind: AccountKind, timeZone: string): AccountActor {
  return { type: 'account', userId: account.adminUserId, accountId: account.id, accountKind: kind, accountTimeZone: timeZone, role: 'ADMIN', via: 'session' };
}

/**
 * An operator, two brands (USD and EUR) with programs, event types and terms, three
 * partners with contracts (one of them expired) and their activity, two small partners
 * the account-closure flow is for, open support tickets, and two dead work items, so
 * every screen has something to show.
 */
export async function seedDemo(outer: ServiceContext): Promise<DemoLogin[]> {
  // The demo's history starts 90 days ago, so contracts predate the tracked activity.
  const realNow = outer.clock.now();
  const clock = new ManualClock(new Date(realNow.getTime() - 90 * 86_400_000));
  const ctx: ServiceContext = { db: outer.db, clock };
  const operator = await createOperator(ctx, { email: 'operator@lockstep.test', name: 'Olivia Operator', password: DEMO_PASSWORD });

  const acme = await createAccount(ctx, null, {
    kind: 'BRAND',
    name: 'Acme Outdoor',
    timeZone: 'America/New_York',
    currency: 'USD',
    admin: { email: 'brand@acme.test', name: 'Alex Acme', password: DEMO_PASSWORD },
  });
  const bonjour = await createAccount(ctx, null, {
    kind: 'BRAND',
    name: 'Bonjour Mode',
    timeZone: 'Europe/Paris',
    currency: 'EUR',
    admin: { email: 'brand@bonjour.test', name: 'Béatrice Bonjour', password: DEMO_PASSWORD },
  });
  const acmeActor = actor(acme, 'BRAND', 'America/New_York');
  const bonjourActor = actor(bonjour, 'BRAND', 'Europe/Paris');

  const acmeUs = await createProgram(ctx, acmeActor, {
    name: 'Acme Outdoor US',
    currency: 'USD',
    timeZone: 'America/New_York',
    websiteUrl: 'https://www.acme-outdoor.example/',
    // The shop and its subdomains (www., blog., …): a wildcard does not cover the bare domain, so both are listed.
    landingDomains: ['acme-outdoor.example', '*.acme-outdoor.example'],
  });
  const acmeSale = await createEventType(ctx, acmeActor, acmeUs.id, { name: 'Online Sale', kind: 'SALE' });
  const acmeLead = await createEventType(ctx, acmeActor, acmeUs.id, { name: 'Newsletter Signup', kind: 'LEAD' });
  const acmeClick = await createEventType(ctx, acmeActor, acmeUs.id, { name: 'Click', kind: 'CLICK' });
  const acmeStandard = await createTemplateTerms(ctx, acmeActor, acmeUs.id, {
    name: 'Standard 2026',
    terms: {
      payouts: [
        {
          eventTypeId: acmeSale.id,
          payout: { kind: 'PERCENT', percent: '8' },
          groups: [
            { name: 'Tents', match: { categories: ['Tents'] }, payout: { kind: 'PERCENT', percent: '12.5' } },
            { name: 'Gift cards', match: { categories: ['Gift Cards'] }, payout: { kind: 'FIXED', amount: '1.00' } },
          ],
        },
        { eventTypeId: acmeLead.id, payout: { kind: 'FIXED', amount: '2.00' } },
        { eventTypeId: acmeClick.id, payout: { kind: 'FIXED', amount: '0.05' } },
      ],
      locking: { form: 'MONTHS', months: 0, days: 27 },
      payment: { months: 0, days: 19 },
    },
  });
  const acmeVip = await createTemplateTerms(ctx, acmeActor, acmeUs.id, {
    name: 'VIP creators',
    terms: {
      payouts: [{ eventTypeId: acmeSale.id, payout: { kind: 'PERCENT', percent: '15' } }],
      locking: { form: 'DAYS', days: 14 },
      payment: { months: 1, days: 0 },
    },
  });

  const acmeCa = await createProgram(ctx, acmeActor, {
    name: 'Acme Outdoor Canada',
    currency: 'CAD',
    timeZone: 'America/Toronto',
    websiteUrl: 'https://ca.acme-outdoor.example/', // its landing domains default to this host alone
  });
  const acmeCaSale = await createEventType(ctx, acmeActor, acmeCa.id, { name: 'Online Sale', kind: 'SALE' });
  const acmeCaTerms = await createTemplateTerms(ctx, acmeActor, acmeCa.id, {
    name: 'Canada launch',
    terms: {
      payouts: [{ eventTypeId: acmeCaSale.id, payout: { kind: 'PERCENT', percent: '7.5' } }],
      locking: { form: 'DAYS', days: 27 },
      payment: { months: 0, days: 20 },
    },
  });

  const bonjourFr = await createProgram(ctx, bonjourActor, {
    name: 'Bonjour Mode France',
    currency: 'EUR',
    timeZone: 'Europe/Paris',
    websiteUrl: 'https://www.bonjour-mode.example/',
    landingDomains: ['www.bonjour-mode.example', 'boutique.bonjour-mode.example'],
  });
  const bonjourSale = await createEventType(ctx, bonjourActor, bonjourFr.id, { name: 'Vente en ligne', kind: 'SALE', returnsProcessing: 'SFTP_UPLOAD' });
  const bonjourOther = await createEventType(ctx, bonjourActor, bonjourFr.id, { name: 'App install', kind: 'OTHER' });
  const bonjourTerms = await createTemplateTerms(ctx, bonjourActor, bonjourFr.id, {
    name: 'Partenaires 2026',
    terms: {
      payouts: [
        {
          eventTypeId: bonjourSale.id,
          payout: { kind: 'PERCENT', percent: '10' },
          groups: [{ name: 'Soldes', match: { skus: ['SALE-001', 'SALE-002'] }, payout: { kind: 'PERCENT', percent: '4' } }],
        },
        { eventTypeId: bonjourOther.id, payout: { kind: 'FIXED', amount: '0.80' } },
      ],
      locking: { form: 'MONTHS', months: 1, days: 0 },
      payment: { months: 0, days: 15 },
    },
  });

  const trail = await createAccount(ctx, null, {
    kind: 'PARTNER',
    name: 'Trail Blog',
    timeZone: 'America/Denver',
    currency: 'USD',
    admin: { email: 'partner@trail.test', name: 'Taylor Trail', password: DEMO_PASSWORD },
  });
  const deals = await createAccount(ctx, null, {
    kind: 'PARTNER',
    name: 'Deal Hunter Media',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    admin: { email: 'partner@deals.test', name: 'Dana Deals', password: DEMO_PASSWORD },
  });
  // Taylor also helps run Style Creator: a user with two accounts shows the account switcher.
  const style = await createAccount(ctx, null, {
    kind: 'PARTNER',
    name: 'Style Creator',
    timeZone: 'Europe/London',
    currency: 'GBP',
    admin: { email: 'partner@style.test', name: 'Sam Style', password: DEMO_PASSWORD },
  });
  await ctx.db.query(`insert into memberships (account_id, user_id, role) values ($1, $2, 'USER')`, [style.id, trail.adminUserId]);

  const trailActor = actor(trail, 'PARTNER', 'America/Denver');
  const dealsActor = actor(deals, 'PARTNER', 'Europe/Berlin');
  const styleActor = actor(style, 'PARTNER', 'Europe/London');

  await acceptTerms(ctx, trailActor, acmeStandard.id);
  await acceptTerms(ctx, trailActor, acmeCaTerms.id);
  const trailBonjour = await acceptTerms(ctx, trailActor, bonjourTerms.id);
  await acceptTerms(ctx, dealsActor, acmeStandard.id);
  await acceptTerms(ctx, dealsActor, bonjourTerms.id);
  await acceptTerms(ctx, styleActor, acmeStandard.id);
  clock.advanceDays(20);
  await acceptTerms(ctx, styleActor, acmeVip.id); // replaces the standard contract
  await acceptTerms(ctx, styleActor, bonjourTerms.id);
  clock.advanceDays(10);
  await expireContract(ctx, trailActor, trailBonjour.id, {});
  clock.set(new Date(realNow.getTime() - 89 * 86_400_000));

  await seedActivity(ctx, clock, realNow, {
    brands: [
      { actor: acmeActor, programs: [{ id: acmeUs.id, websiteUrl: acmeUs.websiteUrl!, saleEventTypeId: acmeSale.id, leadEventTypeId: acmeLead.id, currency: 'USD', categories: ['Tents', 'Backpacks', 'Gift Cards', 'Boots'] }, { id: acmeCa.id, websiteUrl: acmeCa.websiteUrl!, saleEventTypeId: acmeCaSale.id, currency: 'CAD', categories: ['Tents', 'Jackets'] }] },
      { actor: bonjourActor, programs: [{ id: bonjourFr.id, websiteUrl: bonjourFr.websiteUrl!, saleEventTypeId: bonjourSale.id, leadEventTypeId: bonjourOther.id, currency: 'EUR', categories: ['Robes', 'Chaussures'], skus: ['SALE-001', 'SALE-002', 'ETE-777'] }] },
    ],
    partners: [
      { actor: trailActor, programIds: [acmeUs.id, acmeCa.id, bonjourFr.id] },
      { actor: dealsActor, programIds: [acmeUs.id, bonjourFr.id] },
      { actor: styleActor, programIds: [acmeUs.id, bonjourFr.id] },
    ],
  });
  clock.set(realNow);
  const small = await seedClosurePartners(ctx, clock, {
    brand: acmeActor,
    programId: acmeUs.id,
    websiteUrl: acmeUs.websiteUrl!,
    termsId: acmeStandard.id,
    saleEventTypeId: acmeSale.id,
    password: DEMO_PASSWORD,
  });
  // Taylor also helps run Summit Stories, as an admin: with Switchback Shorts, two small
  // accounts to close in one sitting. Trail Blog stays the account Taylor lands in.
  await ctx.db.query(`insert into memberships (account_id, user_id, role, created_at) values ($1, $2, 'ADMIN', $3)`, [small.summit.accountId, trail.adminUserId, clock.now()]);
  await rememberLastAccount(ctx, trail.adminUserId, trail.id);
  // Withdrawal settings were set two months ago (so no 48-hour hold is on); Deal Hunter Media has none yet.
  clock.set(new Date(realNow.getTime() - 60 * 86_400_000));
  await seedWithdrawalSettings(ctx, { trail: trailActor, style: styleActor, ...small });
  clock.set(realNow);
  const operatorActor = { type: 'operator' as const, userId: operator.userId };
  await seedFinance(ctx, clock, operatorActor, dailyPayoutRuns(ctx, clock, operatorActor, trail.id));
  await seedTickets(ctx, clock, { operator: operatorActor, acme: acmeActor, deals: dealsActor, style: styleActor });
  await seedWorkItems(ctx, realNow);

  return [
    { email: 'operator@lockstep.test', role: 'operator' },
    { email: 'brand@acme.test', role: 'brand admin, Acme Outdoor (USD)' },
    { email: 'brand@bonjour.test', role: 'brand admin, Bonjour Mode (EUR)' },
    {
      email: 'partner@trail.test',
      role: 'partner admin, Trail Blog (lands there); also admin of Summit Stories and Switchback Shorts, the two small accounts to close in one sitting; user of Style Creator',
    },
    { email: 'partner@deals.test', role: 'partner admin, Deal Hunter Media (no withdrawal settings yet; an open ticket about it)' },
    { email: 'partner@style.test', role: 'partner admin, Style Creator (a manual paystub ticket in review)' },
    {
      email: 'partner@summit.test',
      role: 'partner admin, Summit Stories (one contract, 6.00 USD available below its threshold, paid by wire: expire, then a forfeit (a manual paystub is refused: the wire fee leaves no remainder), then closable)',
    },
  ];
}
