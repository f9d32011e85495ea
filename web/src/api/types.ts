/** Shapes of the Lockstep HTTP API (mirrors src/http/dto.ts and the route schemas). */

export type { AccountKind, Role } from '@contract/enums';
export type { Me, MeAccount, InvitationInfo, MyInvitation } from '@contract/session';
export type { AccountDetails } from '@contract/accounts';
export type { OperatorAccount } from '@contract/operator';
export type { Member, Invitation, InviteResult } from '@contract/users';
export type { ApiToken, Credentials, IssuedToken } from '@contract/credentials';
export type { Page, Page as PascalPage } from '@contract/common';

/** Pages of the lists not yet moved to the wire contract (conversions, actions). */
export interface LegacyPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

import type { EventTypeKind } from '@contract/enums';
export type { ProgramStatus, EventTypeKind, ReturnsProcessing, TerminationReason, ContractStatus } from '@contract/enums';
export { EVENT_TYPE_KINDS, RETURNS_PROCESSING, TERMINATION_REASONS } from '@contract/enums';
export type {
  Program,
  EventType,
  Payout,
  PayoutGroup,
  EventTypePayout,
  LockingRule,
  PaymentSchedule,
  Terms,
  TermsBody as TermsInput,
  TemplateTerms,
} from '@contract/programs';
export type { Contract, BrandPartner, ExpiredContract } from '@contract/contracts';
export type { TrackingLink } from '@contract/tracking';

/** Reason codes for reversing or modifying actions (RESET is an operation, not a reason). */
export const CHANGE_REASON_CODES = [
  'CONS_FRAUD',
  'CONS_ERROR',
  'CONS_INFO_INVALID',
  'ITEM_RETURNED',
  'ITEM_OUT_OF_STOCK',
  'ORDER_ERROR',
  'ORDER_UPDATE',
  'PUB_ACT_DISPUTE',
  'ADV_ACT_DISPUTE',
  'NOT_COMPLIANCE_TERMS',
  'TEST_ACTION',
  'REJECTED',
  'OTHER',
] as const;
export type ChangeReasonCode = (typeof CHANGE_REASON_CODES)[number];

/* ---------------------------------------------------------------- actions ---------- */

export const ACTION_STATES = ['PENDING', 'APPROVED', 'REVERSED'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** Status details as partners know them; a reversed action reads `Reversed/<reason>`. */
export const APPROVED_STATUS_DETAILS = ['Approved/Payment Pending', 'Approved/Paid', 'Approved/Overdue'] as const;

export interface ActionItem {
  Index: number;
  Sku: string | null;
  Category: string | null;
  Quantity: number;
  /** Decimal string in the action's currency, e.g. "129.99". */
  Amount: string;
  OriginalQuantity: number | null;
  OriginalAmount: string | null;
  Rejected: boolean;
}

export interface Action {
  Id: string;
  CampaignId: number;
  CampaignName: string;
  ActionTrackerId: number;
  EventTypeName: string;
  EventKind: EventTypeKind;
  MediaPartnerId: number;
  MediaPartnerName: string;
  ContractId: number;
  State: ActionState;
  StatusDetail: string;
  ReversalReason: string | null;
  Amount: string;
  Payout: string;
  DeltaAmount: string;
  DeltaPayout: string;
  IntendedAmount: string;
  IntendedPayout: string;
  Currency: string;
  OrderId: string | null;
  ClickId: string | null;
  ReferringDate: string | null;
  EventDate: string;
  LockingDate: string;
  LockedDate: string | null;
  PaymentDate: string | null;
  ClearedDate: string | null;
  ModificationCount: number;
  Items: ActionItem[];
  CreatedDate: string;
  UpdatedDate: string;
}

export type ActionOperation =
  | 'CREATE'
  | 'APPROVE'
  | 'REVERSE'
  | 'MODIFY_AMOUNT'
  | 'REJECT_ITEM'
  | 'RESTORE'
  | 'RESET'
  | 'LOCK'
  | 'REATTRIBUTE'
  | 'REVERSE_CPC';

export interface Modification {
  Seq: number;
  Date: string;
  Operation: ActionOperation | string;
  ActorKind: string;
  ActorUserId: number | null;
  /** Null for partners: they see that the brand changed the action, not who. */
  ActorName: string | null;
  Reason: string | null;
  StateBefore: string | null;
  StateAfter: string;
  AmountBefore: string | null;
  AmountAfter: string;
  PayoutBefore: string | null;
  PayoutAfter: string;
  DeltaAmount: string;
  DeltaPayout: string;
  Detail: Record<string, unknown> | null;
}

export interface ActionDetail extends Action {
  Modifications: Modification[];
}

/** GET /actions: counting stops at 10,000 (totalCapped). */
export interface ActionPage extends LegacyPage<Action> {
  totalCapped: boolean;
}

export type BulkOperation = 'APPROVE' | 'REVERSE' | 'RESTORE' | 'RESET';

export interface BulkOutcome {
  actionId: string;
  ok: boolean;
  state?: ActionState;
  refusal?: string;
  message?: string;
}

export interface BulkResult {
  succeeded: number;
  failed: number;
  outcomes: BulkOutcome[];
}

export const REJECT_REASONS = [
  'NO_CLICK',
  'UNKNOWN_CLICK',
  'CLICK_OTHER_PROGRAM',
  'EVENT_BEFORE_CLICK',
  'PARTNER_CLOSED',
  'CONTRACT_EXPIRED',
  'NO_CONTRACT',
  'NOT_IN_TERMS',
  'INCOMPLETE_RECORD',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Conversion {
  Id: string;
  CampaignId: number;
  CampaignName: string;
  ActionTrackerId: number;
  EventTypeName: string;
  OrderId: string;
  EventDate: string;
  ClickId: string | null;
  MediaPartnerId: number | null;
  MediaPartnerName: string | null;
  Amount: string;
  Currency: string;
  Status: 'ACCEPTED' | 'REJECTED';
  RejectReason: RejectReason | null;
  ActionId: string | null;
  CreatedDate: string;
}

export interface Balance {
  currency: string;
  /** Pending actions, estimated. */
  pending: string;
  /** Partners: locked, not yet cleared ("funds that will become available"). */
  paymentPending: string;
  /** Brands: locked payouts owed. */
  payable: string;
}
