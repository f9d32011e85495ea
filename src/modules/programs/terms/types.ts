/**
 * The template-terms model: what a program pays per event type, when actions
 * lock, and when locked actions are paid.
 *
 * Amounts are held as bigint minor units of the program currency so that no
 * arithmetic on money ever goes through floating point; percents are decimal
 * strings for the same reason.
 */

export type PayoutRule =
  /** Percent of the sale (or item) amount, as a decimal string such as "12.5". */
  | { kind: 'PERCENT'; percent: string }
  /** Fixed amount per action (per click for CLICK event types), in program currency minor units. */
  | { kind: 'FIXED'; amountMinor: bigint };

export interface PayoutGroup {
  name: string;
  match: { categories?: string[]; skus?: string[] };
  payout: PayoutRule;
}

export interface EventTypePayout {
  eventTypeId: number;
  payout: PayoutRule;
  groups: PayoutGroup[];
  /**
   * Open-ended locking (impact.com's name) instead of the terms' locking period: the event
   * type's actions stay pending until a returns file, the API or Salesforce settles them,
   * and lock on their own OPEN_ENDED_LOCKING_DAYS after the day they were tracked.
   */
  openEndedLocking?: true;
}

export type LockingRule =
  /** "Actions are locked N days after the end of the day they are tracked", 0 ≤ N ≤ 27. */
  | { form: 'DAYS'; days: number }
  /** "Actions are locked M months and D days after the end of the month", 0 ≤ M ≤ 12, 0 ≤ D ≤ 30. */
  | { form: 'MONTHS'; months: number; days: number };

/** "Paid M months and D days after the end of the month they lock", 0 ≤ M ≤ 12, 0 ≤ D ≤ 30. */
export interface PaymentSchedule {
  months: number;
  days: number;
}

export interface TermsDefinition {
  payouts: EventTypePayout[];
  locking: LockingRule;
  payment: PaymentSchedule;
}

/**
 * Thrown when terms are malformed. The message always starts with the path of
 * the offending field so that API callers can tell which part to fix.
 */
export class TermsError extends Error {
  override readonly name = 'TermsError';
}

// ---------------------------------------------------------------------------
// JSON (storage / internal API) form.
//
// JSON has no bigint, so FIXED amounts travel as a string of minor units
// (e.g. "500" for 5.00 USD). Everything else is already JSON-safe.
// ---------------------------------------------------------------------------

export type PayoutRuleJson = { kind: 'PERCENT'; percent: string } | { kind: 'FIXED'; amountMinor: string };

export interface PayoutGroupJson {
  name: string;
  match: { categories?: string[]; skus?: string[] };
  payout: PayoutRuleJson;
}

export interface EventTypePayoutJson {
  eventTypeId: number;
  payout: PayoutRuleJson;
  groups: PayoutGroupJson[];
  /** Written only when true, so that terms stored before it existed read the same. */
  openEndedLocking?: true;
}

export interface TermsJson {
  payouts: EventTypePayoutJson[];
  locking: LockingRule;
  payment: PaymentSchedule;
}

// Only canonical integer spellings are accepted so that a stored value always
// round-trips to exactly the same string.
const MINOR_UNITS_PATTERN = /^-?(0|[1-9][0-9]*)$/;

function copyMatch(match: { categories?: string[]; skus?: string[] }): { categories?: string[]; skus?: string[] } {
  const copy: { categories?: string[]; skus?: string[] } = {};
  if (match.categories !== undefined) copy.categories = [...match.categories];
  if (match.skus !== undefined) copy.skus = [...match.skus];
  return copy;
}

function copyLocking(locking: LockingRule): LockingRule {
  return locking.form === 'DAYS'
    ? { form: 'DAYS', days: locking.days }
    : { form: 'MONTHS', months: locking.months, days: locking.days };
}

function payoutRuleToJson(rule: PayoutRule): PayoutRuleJson {
  return rule.kind === 'PERCENT'
    ? { kind: 'PERCENT', percent: rule.percent }
    : { kind: 'FIXED', amountMinor: rule.amountMinor.toString() };
}

function payoutRuleFromJson(rule: PayoutRuleJson, path: string): PayoutRule {
  if (rule.kind === 'PERCENT') return { kind: 'PERCENT', percent: rule.percent };
  if (typeof rule.amountMinor !== 'string' || !MINOR_UNITS_PATTERN.test(rule.amountMinor)) {
    throw new TermsError(`${path}.amountMinor: ${JSON.stringify(rule.amountMinor)} is not an integer number of minor units.`);
  }
  return { kind: 'FIXED', amountMinor: BigInt(rule.amountMinor) };
}

export function termsToJson(terms: TermsDefinition): TermsJson {
  return {
    payouts: terms.payouts.map((p) => ({
      eventTypeId: p.eventTypeId,
      payout: payoutRuleToJson(p.payout),
      groups: p.groups.map((g) => ({ name: g.name, match: copyMatch(g.match), payout: payoutRuleToJson(g.payout) })),
      ...(p.openEndedLocking ? { openEndedLocking: true as const } : {}),
    })),
    locking: copyLocking(terms.locking),
    payment: { months: terms.payment.months, days: terms.payment.days },
  };
}

/**
 * Converts stored JSON back into the model. Only the bigint conversion is
 * checked here; the JSON is expected to have been produced by termsToJson from
 * terms that were validated on the way in.
 */
export function termsFromJson(json: TermsJson): TermsDefinition {
  return {
    payouts: json.payouts.map((p, i) => ({
      eventTypeId: p.eventTypeId,
      payout: payoutRuleFromJson(p.payout, `payouts[${i}].payout`),
      groups: p.groups.map((g, j) => ({
        name: g.name,
        match: copyMatch(g.match),
        payout: payoutRuleFromJson(g.payout, `payouts[${i}].groups[${j}].payout`),
      })),
      ...(p.openEndedLocking === true ? { openEndedLocking: true as const } : {}),
    })),
    locking: copyLocking(json.locking),
    payment: { months: json.payment.months, days: json.payment.days },
  };
}
