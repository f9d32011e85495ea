/** What moved a partner's available balance, as the Balance screen names it. */
export const MOVEMENT_TYPES = [
  'PAYMENT_RECEIVED',
  'CORRECTION',
  'WITHDRAWAL',
  'FEE',
  'WITHDRAWAL_RETURNED',
  'FEE_RETURNED',
  'FORFEIT',
  'OTHER',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];
