/** The bounds of template terms, in a leaf file (no imports): the terms module and the wire contract both check them. */
export const LOCKING_DAYS_MAX = 27;
export const MONTHS_MAX = 12;
export const MONTH_DAYS_MAX = 30;
/** At most this many event types per terms, groups per event type, and categories or SKUs per group. */
export const PAYOUTS_MAX = 100;
export const GROUPS_MAX = 100;
export const MATCH_VALUES_MAX = 1000;
