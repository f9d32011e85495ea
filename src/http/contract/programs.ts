/** Programs (impact.com's campaigns), their event types (ActionTrackerIds) and template terms. */
import { z } from 'zod';
import { EVENT_TYPE_KINDS, PROGRAM_STATUSES, RETURNS_PROCESSING, TEMPLATE_TERMS_STATUSES } from '../../modules/programs/types.js';
import {
  GROUPS_MAX,
  LOCKING_DAYS_MAX,
  MATCH_VALUES_MAX,
  MONTH_DAYS_MAX,
  MONTHS_MAX,
  PAYOUTS_MAX,
} from '../../modules/programs/terms/limits.js';
import { INT4_MAX, isoDate, rowIdText } from './common.js';

// ---------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------

export const programDto = z.object({
  Id: z.number().int().describe('The CampaignId of its actions, links and contracts'),
  BrandAccountId: z.number().int(),
  BrandName: z.string(),
  Name: z.string(),
  Currency: z.string(),
  TimeZone: z.string(),
  Status: z.enum(PROGRAM_STATUSES),
  WebsiteUrl: z.string().nullable().describe("The program's own site; null until the brand sets it"),
  LandingDomains: z
    .array(z.string())
    .describe(
      'Hosts its tracking links may send visitors to: exact hosts (shop.example.com) and wildcards (*.example.com: any subdomain, not example.com itself)',
    ),
  CreatedDate: isoDate,
}).meta({ id: 'Program' });
export type Program = z.infer<typeof programDto>;

// The services give the precise messages (at most 50 domains, what is wrong with one); these only bound the input.
const websiteUrlField = z
  .string()
  .max(10_000)
  .nullable()
  .optional()
  .describe("The program's own site, an absolute http(s) URL; null clears it");
const landingDomainsField = z
  .array(z.string().max(1_000))
  .max(1_000)
  .optional()
  .describe(
    'Hosts tracking links may send visitors to (at most 50): exact hosts like shop.example.com, or *.example.com for any subdomain of example.com (not example.com itself). ' +
      "No scheme, port or path. On create, left out: the website's host. On change, the whole new list; existing links outside it stop redirecting.",
  );

export const createProgramBody = z
  .object({
    Name: z.string().max(200),
    Currency: z.string().max(3).describe('ISO 4217, e.g. USD'),
    TimeZone: z.string().max(64).describe('IANA, e.g. America/New_York'),
    WebsiteUrl: websiteUrlField,
    LandingDomains: landingDomainsField,
  })
  .strict();
export type CreateProgramBody = z.infer<typeof createProgramBody>;

export const updateProgramBody = z
  .object({
    Name: z.string().max(200).optional(),
    TimeZone: z.string().max(64).optional(),
    Status: z.enum(PROGRAM_STATUSES).optional(),
    WebsiteUrl: websiteUrlField,
    LandingDomains: landingDomainsField,
  })
  .strict();
export type UpdateProgramBody = z.infer<typeof updateProgramBody>;

export const programIdParams = z.object({ programId: rowIdText() }).strict();
export const termsParams = z.object({ programId: rowIdText(), termsId: rowIdText() }).strict();

// ---------------------------------------------------------------------------
// Event types
// ---------------------------------------------------------------------------

export const eventTypeDto = z.object({
  Id: z.number().int().describe('The ActionTrackerId used in files and conversions'),
  CampaignId: z.number().int().describe('Its program'),
  Name: z.string(),
  Kind: z.enum(EVENT_TYPE_KINDS),
  ReturnsProcessing: z.enum(RETURNS_PROCESSING),
  CreatedDate: isoDate,
}).meta({ id: 'EventType' });
export type EventType = z.infer<typeof eventTypeDto>;

export const createEventTypeBody = z
  .object({
    Name: z.string().max(100),
    Kind: z.enum(EVENT_TYPE_KINDS),
    ReturnsProcessing: z.enum(RETURNS_PROCESSING).optional(),
  })
  .strict();
export type CreateEventTypeBody = z.infer<typeof createEventTypeBody>;

// ---------------------------------------------------------------------------
// Terms. On the way in, amounts are decimal strings in the program currency ("5.00"),
// as people type them; the terms module turns them into minor units of the program's
// currency and checks the numbers (the stored form, template_terms.terms and
// contracts.terms, is the module's own and is not this one). On the way out, amounts
// have exactly the currency's decimals and Groups is always there.
// ---------------------------------------------------------------------------

function boundedCount(max: number, what: string) {
  return z
    .int({ error: `${what} must be a whole number from 0 to ${max}.` })
    .min(0, `${what} must be 0 or more.`)
    .max(max, `${what} must be at most ${max}.`);
}

const payoutBody = z.discriminatedUnion(
  'Kind',
  [
    z
      .object({
        Kind: z.literal('PERCENT'),
        Percent: z.string({ error: 'Percent must be a decimal string such as "12.5".' }).max(30, 'Percent is too long.'),
      })
      .strict(),
    z
      .object({
        Kind: z.literal('FIXED'),
        Amount: z.string({ error: 'Amount must be a decimal string in the program currency, such as "5.00".' }).max(30, 'Amount is too long.'),
      })
      .strict(),
  ],
  { error: 'Payout Kind must be "PERCENT" or "FIXED".' },
);

const matchValue = z
  .string({ error: 'Match values must be strings.' })
  .trim()
  .min(1, 'Match values must not be empty.')
  .max(100, 'Match values have at most 100 characters.');

const matchBody = z
  .object({
    Categories: z.array(matchValue).max(MATCH_VALUES_MAX, 'At most 1,000 categories per group.').optional(),
    Skus: z.array(matchValue).max(MATCH_VALUES_MAX, 'At most 1,000 SKUs per group.').optional(),
  })
  .strict()
  .refine((match) => (match.Categories?.length ?? 0) > 0 || (match.Skus?.length ?? 0) > 0, {
    error: 'A group must match at least one category or SKU.',
  });

const groupBody = z
  .object({
    Name: z.string({ error: 'Group name must be a string.' }).trim().min(1, 'Group name must not be empty.').max(200, 'Group name has at most 200 characters.'),
    Match: matchBody,
    Payout: payoutBody,
  })
  .strict();

const lockingBody = z.discriminatedUnion(
  'Form',
  [
    z.object({ Form: z.literal('DAYS'), Days: boundedCount(LOCKING_DAYS_MAX, 'Locking days') }).strict(),
    z
      .object({
        Form: z.literal('MONTHS'),
        Months: boundedCount(MONTHS_MAX, 'Locking months'),
        Days: boundedCount(MONTH_DAYS_MAX, 'Locking days'),
      })
      .strict(),
  ],
  { error: 'Locking Form must be "DAYS" or "MONTHS".' },
);

const paymentBody = z.object({ Months: boundedCount(MONTHS_MAX, 'Payment months'), Days: boundedCount(MONTH_DAYS_MAX, 'Payment days') }).strict();

/** Template terms as POST /programs/:id/terms takes them. */
export const termsBody = z
  .object({
    Payouts: z
      .array(
        z
          .object({
            EventTypeId: z
              .int({ error: 'EventTypeId must be a whole number.' })
              .positive('EventTypeId must be a positive id.')
              .max(INT4_MAX, 'EventTypeId is not an id of an event type.')
              .describe('An event type (ActionTrackerId) of the program'),
            Payout: payoutBody,
            Groups: z.array(groupBody).max(GROUPS_MAX, 'At most 100 payout groups per event type.').optional().describe('First match wins'),
            OpenEndedLocking: z
              .boolean({ error: 'OpenEndedLocking must be true or false.' })
              .optional()
              .describe(
                "Open-ended locking instead of the Locking period: this event type's actions stay pending until a returns file or the API approves or reverses them, and lock on their own 730 days after the day they were tracked. Not for CLICK",
              ),
          })
          .strict(),
      )
      .min(1, 'Terms must pay for at least one event type.')
      .max(PAYOUTS_MAX, 'Terms pay for at most 100 event types.'),
    Locking: lockingBody.describe('When actions lock: DAYS after the day they are tracked, or MONTHS and DAYS after the end of the month'),
    Payment: paymentBody.describe('When locked actions are paid: Months and Days after the end of the month they lock'),
  })
  .strict()
  .superRefine((terms, ctx) => {
    // Two entries for one event type would make the payout depend on which one is looked up first.
    const seen = new Set<number>();
    terms.Payouts.forEach((payout, i) => {
      if (seen.has(payout.EventTypeId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['Payouts', i, 'EventTypeId'],
          message: `Event type ${payout.EventTypeId} appears more than once; give each event type one entry.`,
        });
      }
      seen.add(payout.EventTypeId);
    });
  });
export type TermsBody = z.infer<typeof termsBody>;

const payoutDto = z.discriminatedUnion('Kind', [
  z.object({ Kind: z.literal('PERCENT'), Percent: z.string() }).strict(),
  z.object({ Kind: z.literal('FIXED'), Amount: z.string().describe("In the program's currency") }).strict(),
]);
export type Payout = z.infer<typeof payoutDto>;

const payoutGroupDto = z
  .object({
    Name: z.string(),
    Match: z.object({ Categories: z.array(z.string()).optional(), Skus: z.array(z.string()).optional() }).strict(),
    Payout: payoutDto,
  })
  .strict();
export type PayoutGroup = z.infer<typeof payoutGroupDto>;

const lockingDto = z.discriminatedUnion('Form', [
  z.object({ Form: z.literal('DAYS'), Days: z.int() }).strict(),
  z.object({ Form: z.literal('MONTHS'), Months: z.int(), Days: z.int() }).strict(),
]);
export type LockingRule = z.infer<typeof lockingDto>;

const paymentDto = z.object({ Months: z.int(), Days: z.int() }).strict();
export type PaymentSchedule = z.infer<typeof paymentDto>;

/** Template terms as the API returns them (and a contract's copy of the terms it accepted). */
export const termsDto = z
  .object({
    Payouts: z.array(
      z
        .object({
          EventTypeId: z.int(),
          Payout: payoutDto,
          Groups: z.array(payoutGroupDto),
          OpenEndedLocking: z.boolean().describe('Open-ended locking: pending until settled, locked on their own after 730 days; the Locking period does not apply'),
        })
        .strict(),
    ),
    Locking: lockingDto,
    Payment: paymentDto,
  })
  .strict()
  .meta({ id: 'Terms' });
export type Terms = z.infer<typeof termsDto>;
export type EventTypePayout = Terms['Payouts'][number];

export const templateTermsDto = z.object({
  Id: z.number().int(),
  CampaignId: z.number().int(),
  Name: z.string(),
  Status: z.enum(TEMPLATE_TERMS_STATUSES),
  Terms: termsDto,
  CreatedDate: isoDate,
}).meta({ id: 'TemplateTerms' });
export type TemplateTerms = z.infer<typeof templateTermsDto>;

export const createTemplateTermsBody = z.object({ Name: z.string().max(200), Terms: termsBody }).strict();
export type CreateTemplateTermsBody = z.infer<typeof createTemplateTermsBody>;
