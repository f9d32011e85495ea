import type { ChangeReasonCode, RejectReason } from '@contract/enums';

/** What each reason code means; the codes themselves are what brands use in files. */
export const REASON_LABELS: Record<ChangeReasonCode | 'RESET', string> = {
  CONS_FRAUD: 'Consumer fraud',
  CONS_ERROR: 'Consumer error',
  CONS_INFO_INVALID: 'Consumer information invalid',
  ITEM_RETURNED: 'Item returned',
  ITEM_OUT_OF_STOCK: 'Item out of stock',
  ORDER_ERROR: 'Order error',
  ORDER_UPDATE: 'Order updated',
  PUB_ACT_DISPUTE: 'Partner disputes the action',
  ADV_ACT_DISPUTE: 'Brand disputes the action',
  NOT_COMPLIANCE_TERMS: 'Not in compliance with the terms',
  TEST_ACTION: 'Test action',
  PARTNER_NOT_ACTIVE: 'Partner account not active',
  CREDITED_DIFFERENT_MP: 'Should have been credited to another partner',
  MP_RETURNED: 'Returned by the partner',
  REJECTED: 'Rejected',
  OTHER: 'Other',
  RESET: 'Reset to the original values',
};

export function reasonLabel(code: string | null | undefined): string {
  if (!code) return '';
  return (REASON_LABELS as Record<string, string>)[code] ?? code;
}

export const REJECT_REASON_LABELS: Record<RejectReason, string> = {
  NO_CLICK: 'No click id was sent, so no partner could be credited.',
  UNKNOWN_CLICK: 'The click id is not one of this program’s clicks.',
  CLICK_OTHER_PROGRAM: 'The click belongs to another program.',
  EVENT_BEFORE_CLICK: 'The event is dated before the click.',
  PARTNER_CLOSED: 'The partner’s account is closed.',
  CONTRACT_EXPIRED: 'The partner’s contract had ended at the event date.',
  NO_CONTRACT: 'The partner had no contract with the program at the event date.',
  NOT_IN_TERMS: 'The partner’s terms pay nothing for this event type.',
  INCOMPLETE_RECORD: 'An earlier version stored this conversion without its action (its OrderId held text that could not be stored exactly). Report it again with a corrected OrderId.',
};

export const OPERATION_LABELS: Record<string, string> = {
  CREATE: 'Created',
  APPROVE: 'Approved',
  REVERSE: 'Reversed',
  MODIFY_AMOUNT: 'Modified amount',
  REJECT_ITEM: 'Rejected item',
  RESTORE: 'Restored',
  RESET: 'Reset',
  LOCK: 'Locked',
  REATTRIBUTE: 'Re-attributed',
  REVERSE_CPC: 'Reversed (CPC)',
};
