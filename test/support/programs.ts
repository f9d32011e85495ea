import type { ServiceContext } from '../../src/core/context.js';
import { acceptTerms } from '../../src/modules/contracts/accept-terms.js';
import { createEventType } from '../../src/modules/programs/create-event-type.js';
import { createProgram } from '../../src/modules/programs/create-program.js';
import { createTemplateTerms } from '../../src/modules/programs/template-terms.js';
import type { TermsInput } from '../../src/modules/programs/terms/index.js';
import type { TestAccount } from './app.js';

export interface TestProgram {
  id: number;
  currency: string;
  saleEventTypeId: number;
  leadEventTypeId: number;
  clickEventTypeId: number;
  termsId: number;
}

/**
 * A program with SALE (10%, Tents 20%), LEAD (2.00) and CLICK (0.05) event types and published terms,
 * whose website is https://shop.example/ (so its links may land on shop.example). `names` and
 * `fixed` name the program and its event types and set the LEAD and CLICK payouts.
 */
export async function makeProgram(
  ctx: ServiceContext,
  brand: TestAccount,
  options: {
    currency?: string;
    timeZone?: string;
    locking?: TermsInput['locking'];
    websiteUrl?: string;
    landingDomains?: string[];
    names?: { program?: string; sale?: string; lead?: string; click?: string };
    fixed?: { lead: string; click: string };
    /** The SALE event type uses open-ended locking instead of the locking period. */
    openEndedSale?: boolean;
  } = {},
): Promise<TestProgram> {
  const currency = options.currency ?? brand.currency;
  const names = options.names ?? {};
  const program = await createProgram(ctx, brand.actor, {
    name: names.program ?? `Program ${Math.random().toString(36).slice(2, 8)}`,
    currency,
    timeZone: options.timeZone ?? brand.timeZone,
    websiteUrl: options.websiteUrl ?? 'https://shop.example/',
    ...(options.landingDomains ? { landingDomains: options.landingDomains } : {}),
  });
  const sale = await createEventType(ctx, brand.actor, program.id, { name: names.sale ?? 'Sale', kind: 'SALE' });
  const lead = await createEventType(ctx, brand.actor, program.id, { name: names.lead ?? 'Lead', kind: 'LEAD' });
  const click = await createEventType(ctx, brand.actor, program.id, { name: names.click ?? 'Click', kind: 'CLICK' });
  const fixed = options.fixed?.lead ?? (currency === 'JPY' ? '200' : '2.00');
  const perClick = options.fixed?.click ?? (currency === 'JPY' ? '5' : '0.05');
  const terms = await createTemplateTerms(ctx, brand.actor, program.id, {
    name: 'Standard',
    terms: {
      payouts: [
        {
          eventTypeId: sale.id,
          payout: { kind: 'PERCENT', percent: '10' },
          groups: [{ name: 'Tents', match: { categories: ['Tents'] }, payout: { kind: 'PERCENT', percent: '20' } }],
          ...(options.openEndedSale ? { openEndedLocking: true } : {}),
        },
        { eventTypeId: lead.id, payout: { kind: 'FIXED', amount: fixed } },
        { eventTypeId: click.id, payout: { kind: 'FIXED', amount: perClick } },
      ],
      locking: options.locking ?? { form: 'DAYS', days: 14 },
      payment: { months: 0, days: 19 },
    },
  });
  return {
    id: program.id,
    currency,
    saleEventTypeId: sale.id,
    leadEventTypeId: lead.id,
    clickEventTypeId: click.id,
    termsId: terms.id,
  };
}

export async function makeContract(ctx: ServiceContext, partner: TestAccount, program: TestProgram): Promise<number> {
  const contract = await acceptTerms(ctx, partner.actor, program.termsId);
  return contract.id;
}
