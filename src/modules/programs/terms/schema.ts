/**
 * API forms of template terms.
 *
 * On the way in, amounts are decimal strings in the program currency ("5.00")
 * because that is what people type and what the API documents; they become
 * bigint minor units only in termsFromInputOrThrow, which knows the currency.
 * Zod checks the shape and bounds; the money functions check the numbers, so
 * that amounts and percents are validated by exactly the same code everywhere.
 */
import { z } from 'zod';
import { MoneyError, currencyExponent, formatMinor, parseAmountMinorOrThrow, parsePercentOrThrow } from '../../../money/index.js';
import { TermsError } from './types.js';
import type { EventTypePayout, LockingRule, PaymentSchedule, PayoutGroup, PayoutRule, TermsDefinition } from './types.js';

import { GROUPS_MAX, LOCKING_DAYS_MAX, MATCH_VALUES_MAX, MONTH_DAYS_MAX, MONTHS_MAX, PAYOUTS_MAX } from './limits.js';

export { LOCKING_DAYS_MAX, MONTHS_MAX, MONTH_DAYS_MAX } from './limits.js';

function boundedCount(max: number, what: string) {
  return z
    .int({ error: `${what} must be a whole number from 0 to ${max}.` })
    .min(0, `${what} must be 0 or more.`)
    .max(max, `${what} must be at most ${max}.`);
}

const kindError = { error: 'Payout kind must be "PERCENT" or "FIXED".' };

const payoutInputSchema = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('PERCENT'),
        percent: z.string({ error: 'Percent must be a decimal string such as "12.5".' }).max(30, 'Percent is too long.'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('FIXED'),
        amount: z.string({ error: 'Amount must be a decimal string in the program currency, such as "5.00".' }).max(30, 'Amount is too long.'),
      })
      .strict(),
  ],
  kindError,
);

const matchValueSchema = z
  .string({ error: 'Match values must be strings.' })
  .trim()
  .min(1, 'Match values must not be empty.')
  .max(100, 'Match values have at most 100 characters.');

const matchSchema = z
  .object({
    categories: z.array(matchValueSchema).max(MATCH_VALUES_MAX, 'At most 1,000 categories per group.').optional(),
    skus: z.array(matchValueSchema).max(MATCH_VALUES_MAX, 'At most 1,000 SKUs per group.').optional(),
  })
  .strict()
  .refine((match) => (match.categories?.length ?? 0) > 0 || (match.skus?.length ?? 0) > 0, {
    error: 'A group must match at least one category or SKU.',
  });

const groupInputSchema = z
  .object({
    name: z.string({ error: 'Group name must be a string.' }).trim().min(1, 'Group name must not be empty.').max(200, 'Group name has at most 200 characters.'),
    match: matchSchema,
    payout: payoutInputSchema,
  })
  .strict();

const eventTypePayoutInputSchema = z
  .object({
    eventTypeId: z
      .int({ error: 'EventTypeId must be a whole number.' })
      .positive('EventTypeId must be a positive id.')
      .max(2_147_483_647, 'EventTypeId is not an id of an event type.'),
    payout: payoutInputSchema,
    groups: z.array(groupInputSchema).max(GROUPS_MAX, 'At most 100 payout groups per event type.').optional(),
    openEndedLocking: z.boolean({ error: 'OpenEndedLocking must be true or false.' }).optional(),
  })
  .strict();

const lockingSchema = z.discriminatedUnion(
  'form',
  [
    z.object({ form: z.literal('DAYS'), days: boundedCount(LOCKING_DAYS_MAX, 'Locking days') }).strict(),
    z
      .object({
        form: z.literal('MONTHS'),
        months: boundedCount(MONTHS_MAX, 'Locking months'),
        days: boundedCount(MONTH_DAYS_MAX, 'Locking days'),
      })
      .strict(),
  ],
  { error: 'Locking form must be "DAYS" or "MONTHS".' },
);

const paymentSchema = z
  .object({
    months: boundedCount(MONTHS_MAX, 'Payment months'),
    days: boundedCount(MONTH_DAYS_MAX, 'Payment days'),
  })
  .strict();

export const termsInputSchema = z
  .object({
    payouts: z
      .array(eventTypePayoutInputSchema)
      .min(1, 'Terms must pay for at least one event type.')
      .max(PAYOUTS_MAX, 'Terms pay for at most 100 event types.'),
    locking: lockingSchema,
    payment: paymentSchema,
  })
  .strict()
  .superRefine((terms, ctx) => {
    // Two entries for one event type would make the payout depend on which one
    // is looked up first, so the second one is an error.
    const seen = new Set<number>();
    terms.payouts.forEach((payout, i) => {
      if (seen.has(payout.eventTypeId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['payouts', i, 'eventTypeId'],
          message: `Event type ${payout.eventTypeId} appears more than once; give each event type one entry.`,
        });
      }
      seen.add(payout.eventTypeId);
    });
  });

export type TermsInput = z.infer<typeof termsInputSchema>;

/**
 * A field's path as the API names it (PascalCase, `Payouts[0].Payout.Amount`): the terms
 * reach this module from the wire contract (src/http/contract/programs.ts), whose fields
 * are the same as this form's, capitalized.
 */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += (text === '' ? '' : '.') + wireName(String(key));
  }
  return text === '' ? 'Terms' : text;
}

const wireName = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/** Runs a money parser and prefixes its message with the field path. */
function atPath<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof MoneyError) throw new TermsError(`${path}: ${error.message}`);
    throw error;
  }
}

function payoutFromInput(payout: z.infer<typeof payoutInputSchema>, currency: string, path: string): PayoutRule {
  if (payout.kind === 'PERCENT') {
    // The canonical form is stored so that equal terms compare equal as strings.
    return { kind: 'PERCENT', percent: atPath(`${path}.Percent`, () => parsePercentOrThrow(payout.percent)) };
  }
  return { kind: 'FIXED', amountMinor: atPath(`${path}.Amount`, () => parseAmountMinorOrThrow(payout.amount, currency)) };
}

/**
 * Validates API input and converts it to the model: amounts become minor units
 * of `currency` (never negative, never with more decimals than the currency
 * has), percents become canonical strings (0 to 100). The input is checked
 * against termsInputSchema again, so hand-built objects get the same checks as
 * parsed requests. Every TermsError message starts with the offending field, named as the API names it.
 */
export function termsFromInputOrThrow(input: TermsInput, currency: string): TermsDefinition {
  // An unknown currency is the caller's bug rather than a problem with the
  // terms, so its MoneyError is left as it is.
  currencyExponent(currency);

  const parsed = termsInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TermsError(issue ? `${formatPath(issue.path)}: ${issue.message}` : 'Terms: Invalid terms.');
  }
  const terms = parsed.data;

  const payouts = terms.payouts.map((entry, i): EventTypePayout => {
    const path = `Payouts[${i}]`;
    return {
      eventTypeId: entry.eventTypeId,
      payout: payoutFromInput(entry.payout, currency, `${path}.Payout`),
      groups: (entry.groups ?? []).map(
        (group, j): PayoutGroup => ({
          name: group.name,
          match: copyMatch(group.match),
          payout: payoutFromInput(group.payout, currency, `${path}.Groups[${j}].Payout`),
        }),
      ),
      ...(entry.openEndedLocking === true ? { openEndedLocking: true as const } : {}),
    };
  });

  const locking: LockingRule =
    terms.locking.form === 'DAYS'
      ? { form: 'DAYS', days: terms.locking.days }
      : { form: 'MONTHS', months: terms.locking.months, days: terms.locking.days };
  const payment: PaymentSchedule = { months: terms.payment.months, days: terms.payment.days };
  return { payouts, locking, payment };
}

function copyMatch(match: { categories?: string[] | undefined; skus?: string[] | undefined }): PayoutGroup['match'] {
  const copy: PayoutGroup['match'] = {};
  if (match.categories !== undefined) copy.categories = [...match.categories];
  if (match.skus !== undefined) copy.skus = [...match.skus];
  return copy;
}

// ---------------------------------------------------------------------------
// Output form: what the API returns. It mirrors the input form, with amounts
// as decimal strings with exactly the currency's decimals and groups always
// present, so clients never have to handle a missing array.
// ---------------------------------------------------------------------------

const payoutOutputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('PERCENT'), percent: z.string() }).strict(),
  z.object({ kind: z.literal('FIXED'), amount: z.string() }).strict(),
]);

export const termsOutputSchema = z
  .object({
    payouts: z.array(
      z
        .object({
          eventTypeId: z.int(),
          payout: payoutOutputSchema,
          groups: z.array(
            z
              .object({
                name: z.string(),
                match: z
                  .object({ categories: z.array(z.string()).optional(), skus: z.array(z.string()).optional() })
                  .strict(),
                payout: payoutOutputSchema,
              })
              .strict(),
          ),
          openEndedLocking: z.literal(true).optional(),
        })
        .strict(),
    ),
    locking: z.discriminatedUnion('form', [
      z.object({ form: z.literal('DAYS'), days: z.int() }).strict(),
      z.object({ form: z.literal('MONTHS'), months: z.int(), days: z.int() }).strict(),
    ]),
    payment: z.object({ months: z.int(), days: z.int() }).strict(),
  })
  .strict();

export type TermsOutput = z.infer<typeof termsOutputSchema>;

function payoutToOutput(rule: PayoutRule, currency: string): z.infer<typeof payoutOutputSchema> {
  return rule.kind === 'PERCENT'
    ? { kind: 'PERCENT', percent: rule.percent }
    : { kind: 'FIXED', amount: formatMinor(rule.amountMinor, currency) };
}

export function termsToOutput(terms: TermsDefinition, currency: string): TermsOutput {
  return {
    payouts: terms.payouts.map((entry) => ({
      eventTypeId: entry.eventTypeId,
      payout: payoutToOutput(entry.payout, currency),
      groups: entry.groups.map((group) => ({
        name: group.name,
        match: copyMatch(group.match),
        payout: payoutToOutput(group.payout, currency),
      })),
      ...(entry.openEndedLocking ? { openEndedLocking: true as const } : {}),
    })),
    locking:
      terms.locking.form === 'DAYS'
        ? { form: 'DAYS', days: terms.locking.days }
        : { form: 'MONTHS', months: terms.locking.months, days: terms.locking.days },
    payment: { months: terms.payment.months, days: terms.payment.days },
  };
}
