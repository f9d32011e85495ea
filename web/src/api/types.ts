/** Shapes of the Lockstep HTTP API (mirrors src/http/dto.ts and the route schemas). */

export type { AccountKind, Role } from '@contract/enums';
export type { Me, MeAccount, InvitationInfo, MyInvitation } from '@contract/session';
export type { AccountDetails } from '@contract/accounts';
export type { OperatorAccount } from '@contract/operator';
export type { Member, Invitation, InviteResult } from '@contract/users';
export type { ApiToken, Credentials, IssuedToken } from '@contract/credentials';
export type { Page as PascalPage } from '@contract/common';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export type ProgramStatus = 'ACTIVE' | 'INACTIVE';

export interface Program {
  id: number;
  brandAccountId: number;
  brandName: string;
  name: string;
  currency: string;
  timeZone: string;
  status: ProgramStatus;
  /** The program's own site; null until the brand sets it. */
  websiteUrl: string | null;
  /** Hosts its links may land on: exact (shop.example.com) or *.example.com (any subdomain, not example.com itself). */
  landingDomains: string[];
  createdAt: string;
}

export const EVENT_TYPE_KINDS = ['SALE', 'LEAD', 'CLICK', 'OTHER'] as const;
export type EventTypeKind = (typeof EVENT_TYPE_KINDS)[number];

export const RETURNS_PROCESSING = ['API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE'] as const;
export type ReturnsProcessing = (typeof RETURNS_PROCESSING)[number];

export interface EventType {
  id: number;
  programId: number;
  name: string;
  kind: EventTypeKind;
  returnsProcessing: ReturnsProcessing;
  createdAt: string;
}

export type Payout = { kind: 'PERCENT'; percent: string } | { kind: 'FIXED'; amount: string };

export interface PayoutGroup {
  name: string;
  match: { categories?: string[]; skus?: string[] };
  payout: Payout;
}

export interface EventTypePayout {
  eventTypeId: number;
  payout: Payout;
  groups: PayoutGroup[];
}

export type LockingRule = { form: 'DAYS'; days: number } | { form: 'MONTHS'; months: number; days: number };

export interface PaymentSchedule {
  months: number;
  days: number;
}

export interface Terms {
  payouts: EventTypePayout[];
  locking: LockingRule;
  payment: PaymentSchedule;
}

/** What POST /programs/:id/terms accepts: groups are optional. */
export interface TermsInput {
  payouts: Array<{ eventTypeId: number; payout: Payout; groups?: PayoutGroup[] }>;
  locking: LockingRule;
  payment: PaymentSchedule;
}

export interface TemplateTerms {
  id: number;
  programId: number;
  name: string;
  status: 'ACTIVE' | 'ARCHIVED';
  terms: Terms;
  createdAt: string;
}

export const TERMINATION_REASONS = ['STILL_ACTIVE', 'EXPIRED_BY_PARTNER', 'EXPIRED_BY_BRAND', 'REPLACED', 'ACCOUNT_CLOSED'] as const;
export type TerminationReason = (typeof TERMINATION_REASONS)[number];

export type ContractStatus = 'ACTIVE' | 'EXPIRED';

export interface Contract {
  id: number;
  programId: number;
  programName: string;
  currency: string;
  brandAccountId: number;
  brandName: string;
  partnerAccountId: number;
  partnerName: string;
  templateTermsId: number;
  templateTermsName: string;
  status: ContractStatus;
  startAt: string;
  endAt: string | null;
  terminationReason: TerminationReason;
  terms: Terms;
  createdAt: string;
}

/** GET /partners (brands): the partners the brand works or has worked with. */
export interface BrandPartner {
  partnerAccountId: number;
  partnerName: string;
  activeContracts: number;
  contracts: number;
  firstContractAt: string;
}

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

/** POST /contracts/:id/expire answers the contract and, for brands that asked, the reversal outcome. */
export interface ExpiredContract extends Contract {
  reversedActions: number;
  unreversedActions: number;
}

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
export interface ActionPage extends Page<Action> {
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

/* ---------------------------------------------------------------- tracking --------- */

export interface TrackingLink {
  id: number;
  code: string;
  /** The URL to share; visits are recorded, then redirected to landingUrl. */
  trackingUrl: string;
  programId: number;
  programName: string;
  partnerAccountId: number;
  partnerName: string;
  landingUrl: string;
  label: string;
  status: 'ACTIVE' | 'DISABLED';
  clickCount: number;
  /** False when the landing URL is outside the program's allowed landing domains: visits are refused. */
  landingAllowed: boolean;
  createdAt: string;
  disabledAt: string | null;
}
