export const TICKET_TYPES = ['GENERAL', 'MANUAL_PAYSTUB', 'FORFEIT_BALANCE', 'ACCOUNT_CLOSURE', 'REATTRIBUTION', 'CPC_REVERSAL'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TICKET_STATUSES = ['OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Statuses an operator sets by hand; RESOLVED comes only from resolving, which performs the ticket. */
export const SETTABLE_TICKET_STATUSES = ['IN_REVIEW', 'REJECTED'] as const;

export const TICKET_LIMITS = {
  subjectChars: 140,
  messageChars: 10_000,
  accounts: 50,
  actions: 1_000,
  attachmentsPerMessage: 5,
  attachmentBytes: 2 * 1024 * 1024,
} as const;

/** What the type asks for beyond its accounts and actions. */
export interface TicketRequest {
  /** MANUAL_PAYSTUB, FORFEIT_BALANCE: the balance's currency (the account's own when not given). */
  currency?: string;
  /** REATTRIBUTION: the partner the actions should be credited to. */
  toPartnerAccountId?: number;
  /** REATTRIBUTION, CPC_REVERSAL: the reason code the change is recorded with. */
  reason?: string;
  /** ACCOUNT_CLOSURE, when opening: also delete the requester's own login with the accounts. */
  deleteMemberAccount?: boolean;
  /** ACCOUNT_CLOSURE, as stored: the requester's login to delete with the accounts. */
  deleteMemberUserId?: number;
}

export interface TicketRow {
  id: bigint;
  accountId: number;
  accountName: string;
  openedByUserId: number | null;
  openedByName: string | null;
  type: TicketType;
  subject: string;
  status: TicketStatus;
  request: TicketRequest;
  openedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  outcome: string | null;
  accountIds: number[];
  actionIds: string[];
  messageCount: number;
}

export interface TicketMessageRow {
  id: bigint;
  authorKind: 'ACCOUNT' | 'OPERATOR' | 'SYSTEM';
  authorName: string | null;
  body: string;
  at: Date;
  attachments: Array<{ id: bigint; fileName: string; contentType: string; sizeBytes: number }>;
}

export interface AttachmentInput {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}
