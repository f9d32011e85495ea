/**
 * What a person reads for each code of the product. Every enum the UI shows goes through
 * one of these; the codes themselves stay what the API, the files and the filters use
 * (a filter shows both: "Customer fraud (CONS_FRAUD)", see `labelWithCode`).
 *
 * A code the table does not know (a newer server) shows as the code itself, never blank.
 */
import type {
  AccountKind,
  AccountStatus,
  ActionState,
  ChangeReasonCode,
  ContractStatus,
  EventTypeKind,
  ModificationOperation,
  PaymentMethod,
  PaymentSchedule,
  PaystubStatus,
  PayoutHoldReason,
  PayoutRunStatus,
  PendingScreenStatus,
  ProgramStatus,
  RejectReason,
  ReturnsProcessing,
  Role,
  StatementStatus,
  TemplateTermsStatus,
  TerminationReason,
  TicketStatus,
  TicketType,
  WorkItemState,
} from '@contract/enums';

function lookup(table: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '';
  return table[code] ?? code;
}

/** "Customer fraud (CONS_FRAUD)": for places where users also type or read the code. */
export function labelWithCode(label: string, code: string): string {
  return label === code ? code : `${label} (${code})`;
}

/** Reversal and modification reasons (`DispositionCode` in impact.com's API). */
export const REASON_LABELS: Record<ChangeReasonCode | 'RESET', string> = {
  CONS_FRAUD: 'Customer fraud',
  CONS_ERROR: 'Customer error',
  CONS_INFO_INVALID: 'Customer information invalid',
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
  return lookup(REASON_LABELS, code);
}

/** Why a conversion was not credited: a sentence, shown beside the code. */
export const REJECT_REASON_LABELS: Record<RejectReason, string> = {
  NO_CLICK: 'No click id was sent, so no partner could be credited.',
  UNKNOWN_CLICK: 'The click id is not one of this program’s clicks.',
  CLICK_OTHER_PROGRAM: 'The click belongs to another program.',
  EVENT_BEFORE_CLICK: 'The event is dated before the click.',
  PARTNER_CLOSED: 'The partner’s account is closed.',
  CONTRACT_EXPIRED: 'The partner’s contract had ended at the event date.',
  NO_CONTRACT: 'The partner had no contract with the program at the event date.',
  NOT_IN_TERMS: 'The partner’s terms pay nothing for this event type.',
  INCOMPLETE_RECORD:
    'An earlier version stored this conversion without its action (its OrderId held text that could not be stored exactly). Report it again with a corrected OrderId.',
};

/** The operations of an action's history (modification records) and its buttons. */
export const OPERATION_LABELS: Record<ModificationOperation, string> = {
  CREATE: 'Created',
  APPROVE: 'Approved',
  REVERSE: 'Reversed',
  MODIFY_AMOUNT: 'Sale amount modified',
  REJECT_ITEM: 'Item rejected',
  RESTORE: 'Restored',
  RESET: 'Reset to the original values',
  LOCK: 'Locked',
  REATTRIBUTE: 'Re-attributed to another partner',
  REVERSE_CPC: 'Click reversed (CPC)',
};

export function operationLabel(code: string | null | undefined): string {
  return lookup(OPERATION_LABELS, code);
}

export const ACTION_STATE_LABELS: Record<ActionState, string> = {
  PENDING: 'Pending',
  APPROVED: 'Approved (locked)',
  REVERSED: 'Reversed',
};

export function actionStateLabel(code: string | null | undefined): string {
  return lookup(ACTION_STATE_LABELS, code);
}

/**
 * The status detail partners know, in words: `Reversed/CONS_FRAUD` → "Reversed: Customer
 * fraud". The approved ones (`Approved/Payment Pending`) are words already and stay.
 */
export function statusDetailLabel(statusDetail: string | null | undefined): string {
  if (!statusDetail) return '';
  if (statusDetail.startsWith('Reversed/')) return `Reversed: ${reasonLabel(statusDetail.slice('Reversed/'.length))}`;
  return statusDetail;
}

export const PENDING_SCREEN_LABELS: Record<PendingScreenStatus, string> = {
  NOT_YET_LOCKED: 'Not yet locked',
  LOCKED: 'Locked',
  OVERDUE: 'Overdue',
  ALL: 'All',
};

export const TERMINATION_REASON_LABELS: Record<TerminationReason, string> = {
  STILL_ACTIVE: 'Contract is still Active',
  EXPIRED_BY_PARTNER: 'Expired by the partner',
  EXPIRED_BY_BRAND: 'Expired by the brand',
  REPLACED: 'Replaced by newer terms',
  ACCOUNT_CLOSED: 'Partner account closed',
};

export function terminationReasonLabel(code: string | null | undefined): string {
  return lookup(TERMINATION_REASON_LABELS, code);
}

export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = { ACTIVE: 'Active', EXPIRED: 'Expired' };

export const ACCOUNT_KIND_LABELS: Record<AccountKind, string> = { BRAND: 'Brand', PARTNER: 'Partner' };
export const ROLE_LABELS: Record<Role, string> = { ADMIN: 'Admin', USER: 'User' };
export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = { ACTIVE: 'Active', CLOSED: 'Closed' };
export const PROGRAM_STATUS_LABELS: Record<ProgramStatus, string> = { ACTIVE: 'Active', INACTIVE: 'Inactive' };
export const TERMS_STATUS_LABELS: Record<TemplateTermsStatus, string> = { ACTIVE: 'Active', ARCHIVED: 'Archived' };

export const EVENT_TYPE_KIND_LABELS: Record<EventTypeKind, string> = {
  SALE: 'Sale',
  LEAD: 'Lead',
  CLICK: 'Click (CPC)',
  OTHER: 'Other',
};

export const RETURNS_PROCESSING_LABELS: Record<ReturnsProcessing, string> = {
  API: 'API',
  SFTP_UPLOAD: 'Upload to file server (SFTP)',
  SFTP_PULL: "Pull from the brand's server",
  EMAIL: 'E-mail',
  SALESFORCE: 'Salesforce',
};

export const STATEMENT_STATUS_LABELS: Record<StatementStatus, string> = {
  OPEN: 'Open',
  PARTIALLY_PAID: 'Partially paid',
  PAID: 'Paid',
  OVERDUE: 'Overdue',
};

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = { BANK_TRANSFER: 'Bank transfer', PAYPAL: 'PayPal' };
export const PAYMENT_SCHEDULE_LABELS: Record<PaymentSchedule, string> = {
  BALANCE_THRESHOLD: 'When the balance reaches a threshold',
  FIXED_DAY: 'On a fixed day of the month',
};
export const PAYSTUB_STATUS_LABELS: Record<PaystubStatus, string> = { PROCESSING: 'Processing', SENT: 'Sent', FAILED: 'Failed' };
export const PAYOUT_RUN_STATUS_LABELS: Record<PayoutRunStatus, string> = {
  PAYING: 'Paying',
  WRITING_FILES: 'Writing files',
  READY: 'Ready to send',
  SENT: 'Sent',
};
export const PAYOUT_RUN_KIND_LABELS: Record<string, string> = { SCHEDULED: 'Scheduled', MANUAL: 'Manual' };
export const PAYOUT_HOLD_REASON_LABELS: Record<PayoutHoldReason, string> = {
  NO_WITHDRAWAL_SETTINGS: 'No withdrawal settings yet',
  BANK_CHANGE_HOLD: 'Bank details changed less than 48 hours ago',
  FEE_TAKES_ALL: 'The fee would take the whole balance',
  NO_WIRE_FEE: 'No wire fee is configured for the currency',
  CURRENCY_NOT_PAID_BY_METHOD: 'The payment method does not pay in this currency',
  BALANCE_NOT_RECONCILED: 'The balance does not match its actions yet (a clearing is under way)',
};

export const WORK_ITEM_STATE_LABELS: Record<WorkItemState, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  DONE: 'Done',
  FAILED: 'Failed (will retry)',
  DEAD: 'Dead (needs an operator)',
};

/**
 * A tracking link's effective state (`EffectiveState` of `GET /links`): whether a click on
 * it now is recorded and can earn, with the sentence that explains it.
 */
export const LINK_STATE_LABELS: Record<string, { label: string; explanation: string }> = {
  ACTIVE: { label: 'Active', explanation: 'Clicks are recorded and conversions earn under your contract.' },
  CONTRACT_EXPIRED: {
    label: 'Contract expired',
    explanation: 'Clicks are still counted, but conversions earn nothing: the contract with this program has ended.',
  },
  DISABLED: { label: 'Disabled', explanation: 'You disabled this link: clicks are not recorded and visitors see an error page.' },
  PARTNER_CLOSED: { label: 'Partner closed', explanation: 'The partner account is closed: the link shows the expired-link page and tracks nothing.' },
  BLOCKED: {
    label: 'Blocked',
    explanation: "The landing page is outside the program's allowed landing domains: visitors see “Link not found” and nothing is recorded.",
  },
};

export function linkStateLabel(code: string | null | undefined): string {
  if (!code) return '';
  return LINK_STATE_LABELS[code]?.label ?? code;
}

/** What a ticket asks for (the New ticket form's choices and every list of tickets). */
export const TICKET_TYPE_LABELS: Record<TicketType, string> = {
  GENERAL: 'General question',
  MANUAL_PAYSTUB: 'Manual paystub (pay my balance below the threshold)',
  FORFEIT_BALANCE: 'Forfeit my balance',
  ACCOUNT_CLOSURE: 'Close accounts',
  REATTRIBUTION: 'Re-attribute actions to another partner',
  CPC_REVERSAL: 'Reverse cost-per-click actions',
};

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = { OPEN: 'Open', IN_REVIEW: 'In review', RESOLVED: 'Resolved', REJECTED: 'Rejected' };

/** Label tables by name, for code that picks one at run time. */
export const label = {
  accountKind: (code: string | null | undefined) => lookup(ACCOUNT_KIND_LABELS, code),
  role: (code: string | null | undefined) => lookup(ROLE_LABELS, code),
  accountStatus: (code: string | null | undefined) => lookup(ACCOUNT_STATUS_LABELS, code),
  programStatus: (code: string | null | undefined) => lookup(PROGRAM_STATUS_LABELS, code),
  termsStatus: (code: string | null | undefined) => lookup(TERMS_STATUS_LABELS, code),
  eventTypeKind: (code: string | null | undefined) => lookup(EVENT_TYPE_KIND_LABELS, code),
  contractStatus: (code: string | null | undefined) => lookup(CONTRACT_STATUS_LABELS, code),
  statementStatus: (code: string | null | undefined) => lookup(STATEMENT_STATUS_LABELS, code),
  paymentMethod: (code: string | null | undefined) => lookup(PAYMENT_METHOD_LABELS, code),
  paymentSchedule: (code: string | null | undefined) => lookup(PAYMENT_SCHEDULE_LABELS, code),
  paystubStatus: (code: string | null | undefined) => lookup(PAYSTUB_STATUS_LABELS, code),
  payoutRunStatus: (code: string | null | undefined) => lookup(PAYOUT_RUN_STATUS_LABELS, code),
  payoutRunKind: (code: string | null | undefined) => lookup(PAYOUT_RUN_KIND_LABELS, code),
  payoutHoldReason: (code: string | null | undefined) => lookup(PAYOUT_HOLD_REASON_LABELS, code),
  workItemState: (code: string | null | undefined) => lookup(WORK_ITEM_STATE_LABELS, code),
  pendingScreen: (code: string | null | undefined) => lookup(PENDING_SCREEN_LABELS, code),
  ticketType: (code: string | null | undefined) => lookup(TICKET_TYPE_LABELS, code),
  ticketStatus: (code: string | null | undefined) => lookup(TICKET_STATUS_LABELS, code),
};
