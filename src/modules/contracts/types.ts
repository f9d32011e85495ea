/**
 * The contracts module's enums, in a leaf file (no imports): the wire contract
 * (src/http/contract) and the web UI take them from here, the server code too.
 */
export const TERMINATION_REASONS = [
  'STILL_ACTIVE',
  'EXPIRED_BY_PARTNER',
  'EXPIRED_BY_BRAND',
  'REPLACED',
  'ACCOUNT_CLOSED',
] as const;
export type TerminationReason = (typeof TERMINATION_REASONS)[number];

export const CONTRACT_STATUSES = ['ACTIVE', 'EXPIRED'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** How far ahead an expiry may be scheduled: beyond it a date is a typo, not a plan. */
export const MAX_EXPIRY_YEARS_AHEAD = 100;
