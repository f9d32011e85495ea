import type { Ticket, TicketMessage } from '../contract/tickets.js';
import type { TicketMessageRow, TicketRow } from '../../modules/tickets/types.js';
import { isoOrNull } from './common.js';

export function toTicketDto(t: TicketRow): Ticket {
  return {
    Id: t.id.toString(),
    AccountId: t.accountId,
    AccountName: t.accountName,
    OpenedBy: t.openedByName,
    Type: t.type,
    Subject: t.subject,
    Status: t.status,
    AccountIds: t.accountIds,
    ActionIds: t.actionIds,
    Currency: t.request.currency ?? null,
    ToPartnerId: t.request.toPartnerAccountId ?? null,
    Reason: t.request.reason ?? null,
    DeleteMemberAccount: t.request.deleteMemberUserId !== undefined,
    OpenedDate: t.openedAt.toISOString(),
    UpdatedDate: t.updatedAt.toISOString(),
    ClosedDate: isoOrNull(t.closedAt),
    Outcome: t.outcome,
    Messages: t.messageCount,
  };
}

export function toTicketMessageDto(m: TicketMessageRow): TicketMessage {
  return {
    Id: m.id.toString(),
    Author: m.authorKind,
    AuthorName: m.authorName,
    Body: m.body,
    Date: m.at.toISOString(),
    Attachments: m.attachments.map((f) => ({ Id: f.id.toString(), FileName: f.fileName, ContentType: f.contentType, Size: f.sizeBytes })),
  };
}
