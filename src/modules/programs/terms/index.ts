export type {
  EventTypePayout,
  EventTypePayoutJson,
  LockingRule,
  PaymentSchedule,
  PayoutGroup,
  PayoutGroupJson,
  PayoutRule,
  PayoutRuleJson,
  TermsDefinition,
  TermsJson,
} from './types.js';
export { TermsError, termsFromJson, termsToJson } from './types.js';
export {
  LOCKING_DAYS_MAX,
  MONTHS_MAX,
  MONTH_DAYS_MAX,
  termsFromInputOrThrow,
  termsInputSchema,
  termsOutputSchema,
  termsToOutput,
} from './schema.js';
export type { TermsInput, TermsOutput } from './schema.js';
export {
  computeLockingDate,
  computePaymentDate,
  endOfLocalDate,
  isOpenEndedLocking,
  isValidTimeZone,
  localDateOf,
  lockingRuleFor,
  OPEN_ENDED_LOCKING_DAYS,
} from './dates.js';
export { computePayoutMinor } from './payout.js';
export type { ConversionForPayout } from './payout.js';
export { DateRules } from './date-rules.js';
