import type { EventType, Payout, Program, TemplateTerms, Terms, TermsBody } from '../contract/programs.js';
import type { EventTypeRow, ProgramRow } from '../../modules/programs/queries.js';
import type { TemplateTermsRow } from '../../modules/programs/template-terms.js';
import { termsToOutput, type TermsDefinition, type TermsInput, type TermsOutput } from '../../modules/programs/terms/index.js';

export function toProgramDto(p: ProgramRow): Program {
  return {
    Id: p.id,
    BrandAccountId: p.brandAccountId,
    BrandName: p.brandName,
    Name: p.name,
    Currency: p.currency,
    TimeZone: p.timeZone,
    Status: p.status,
    WebsiteUrl: p.websiteUrl,
    LandingDomains: p.landingDomains,
    CreatedDate: p.createdAt.toISOString(),
  };
}

export function toEventTypeDto(e: EventTypeRow): EventType {
  return { Id: e.id, CampaignId: e.programId, Name: e.name, Kind: e.kind, ReturnsProcessing: e.returnsProcessing, CreatedDate: e.createdAt.toISOString() };
}

export function toTemplateTermsDto(t: TemplateTermsRow, currency: string): TemplateTerms {
  return { Id: t.id, CampaignId: t.programId, Name: t.name, Status: t.status, Terms: toTermsDto(t.terms, currency), CreatedDate: t.createdAt.toISOString() };
}

const payoutToWire = (p: TermsOutput['payouts'][number]['payout']): Payout =>
  p.kind === 'PERCENT' ? { Kind: 'PERCENT', Percent: p.percent } : { Kind: 'FIXED', Amount: p.amount };

const matchToWire = (m: { categories?: string[] | undefined; skus?: string[] | undefined }) => ({
  ...(m.categories !== undefined ? { Categories: [...m.categories] } : {}),
  ...(m.skus !== undefined ? { Skus: [...m.skus] } : {}),
});

/** Terms as the API returns them: the module's output form (amounts in the currency), in the wire's casing. */
export function toTermsDto(terms: TermsDefinition, currency: string): Terms {
  const out = termsToOutput(terms, currency);
  return {
    Payouts: out.payouts.map((p) => ({
      EventTypeId: p.eventTypeId,
      Payout: payoutToWire(p.payout),
      Groups: p.groups.map((g) => ({ Name: g.name, Match: matchToWire(g.match), Payout: payoutToWire(g.payout) })),
      OpenEndedLocking: p.openEndedLocking === true,
    })),
    Locking:
      out.locking.form === 'DAYS'
        ? { Form: 'DAYS', Days: out.locking.days }
        : { Form: 'MONTHS', Months: out.locking.months, Days: out.locking.days },
    Payment: { Months: out.payment.months, Days: out.payment.days },
  };
}

type PayoutBody = TermsBody['Payouts'][number]['Payout'];
const payoutFromWire = (p: PayoutBody): TermsInput['payouts'][number]['payout'] =>
  p.Kind === 'PERCENT' ? { kind: 'PERCENT', percent: p.Percent } : { kind: 'FIXED', amount: p.Amount };

/** Terms as the API takes them, in the terms module's input form (which checks the amounts in the program's currency). */
export function termsFromWire(body: TermsBody): TermsInput {
  return {
    payouts: body.Payouts.map((p) => ({
      eventTypeId: p.EventTypeId,
      payout: payoutFromWire(p.Payout),
      ...(p.Groups
        ? {
            groups: p.Groups.map((g) => ({
              name: g.Name,
              match: { ...(g.Match.Categories !== undefined ? { categories: g.Match.Categories } : {}), ...(g.Match.Skus !== undefined ? { skus: g.Match.Skus } : {}) },
              payout: payoutFromWire(g.Payout),
            })),
          }
        : {}),
      ...(p.OpenEndedLocking ? { openEndedLocking: true } : {}),
    })),
    locking:
      body.Locking.Form === 'DAYS'
        ? { form: 'DAYS', days: body.Locking.Days }
        : { form: 'MONTHS', months: body.Locking.Months, days: body.Locking.Days },
    payment: { months: body.Payment.Months, days: body.Payment.Days },
  };
}
