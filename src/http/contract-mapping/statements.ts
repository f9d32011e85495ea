import type { PaymentAnswer as PaymentAnswerRow } from '../../flows/clear-statement.js';
import type { Payment, PaymentAnswer, Statement, StatementGroup, StatementLine, StatementListQuery } from '../contract/statements.js';
import type { PaymentRow, StatementGroup as GroupRow, StatementLineRow, StatementRow } from '../../modules/billing/queries.js';
import { formatMinor } from '../../money/index.js';
import type { ExportColumn } from '../table-export.js';
import { isoOrNull } from './common.js';

export function toStatementDto(s: StatementRow): Statement {
  const money = (minor: bigint) => formatMinor(minor, s.currency);
  return {
    Id: s.id,
    Number: s.number,
    BrandAccountId: s.brandAccountId,
    BrandName: s.brandName,
    CampaignId: s.programId,
    CampaignName: s.programName,
    Currency: s.currency,
    PeriodStart: s.periodStart,
    PeriodEnd: s.periodEnd,
    DueDate: s.dueAt.toISOString(),
    DueOn: s.dueOn,
    IssuedDate: s.issuedAt.toISOString(),
    Actions: s.lineCount,
    Corrections: s.correctionCount,
    Total: money(s.totalMinor),
    Paid: money(s.paidMinor),
    Owed: money(s.totalMinor > s.paidMinor ? s.totalMinor - s.paidMinor : 0n),
    Status: s.status,
    PaidDate: isoOrNull(s.paidAt),
    ClearedDate: isoOrNull(s.clearedAt),
  };
}

export function toStatementGroupDto(g: GroupRow, currency: string): StatementGroup {
  return {
    MediaPartnerId: g.partnerAccountId,
    MediaPartnerName: g.partnerName,
    ActionTrackerId: g.eventTypeId,
    EventTypeName: g.eventTypeName,
    Actions: g.actions,
    SaleAmount: formatMinor(g.amountMinor, currency),
    Payout: formatMinor(g.payoutMinor, currency),
  };
}

export function toPaymentDto(p: PaymentRow): Payment {
  return {
    Id: p.id,
    StatementId: p.statementId,
    Amount: formatMinor(p.amountMinor, p.currency),
    Currency: p.currency,
    ReceivedDate: p.receivedOn,
    Reference: p.reference,
    Source: p.source,
    RecordedDate: p.recordedAt.toISOString(),
  };
}

export function toStatementLineDto(l: StatementLineRow, currency: string): StatementLine {
  return {
    ActionId: l.actionId.toString(),
    MediaPartnerId: l.partnerAccountId,
    MediaPartnerName: l.partnerName,
    ActionTrackerId: l.eventTypeId,
    EventTypeName: l.eventTypeName,
    OrderId: l.orderId,
    EventDate: l.eventAt.toISOString(),
    LockedDate: l.lockedAt.toISOString(),
    SaleAmount: formatMinor(l.amountMinor, currency),
    Payout: formatMinor(l.payoutMinor, currency),
  };
}

/** The columns of a statement's action listing download, named as the API names the fields. */
export function statementLineColumns(currency: string): Array<ExportColumn<StatementLineRow>> {
  const money = (minor: (l: StatementLineRow) => bigint) => (l: StatementLineRow) => ({ minor: minor(l), currency });
  return [
    { header: 'ActionId', value: (l) => l.actionId.toString(), width: 12, pdf: true },
    { header: 'MediaPartnerId', value: (l) => l.partnerAccountId, width: 11 },
    { header: 'MediaPartnerName', value: (l) => l.partnerName, width: 24, pdf: true },
    { header: 'EventTypeName', value: (l) => l.eventTypeName, width: 18, pdf: true },
    { header: 'OrderId', value: (l) => l.orderId, width: 16, pdf: true },
    { header: 'EventDate', value: (l) => l.eventAt, width: 19, pdf: true },
    { header: 'LockedDate', value: (l) => l.lockedAt, width: 19, pdf: true },
    { header: 'SaleAmount', value: money((l) => l.amountMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Payout', value: money((l) => l.payoutMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Currency', value: () => currency, width: 9 },
  ];
}

export function toPaymentAnswerDto(answer: PaymentAnswerRow): PaymentAnswer {
  return {
    Payment: toPaymentDto(answer.payment),
    Statement: toStatementDto(answer.statement),
    Repeated: answer.repeated,
    ClearingWorkItemId: answer.clearingWorkItemId,
    ClearingState: answer.clearingState,
  };
}

/** A statements list's query (paging aside) as the billing module's filter. */
export function statementFilterOf(q: Omit<StatementListQuery, 'page' | 'pageSize'>) {
  return {
    ...(q.sort ? { sort: q.sort } : {}),
    ...(q.order ? { order: q.order } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.programId ? { programId: q.programId } : {}),
    ...(q.brandId ? { brandAccountId: q.brandId } : {}),
    ...(q.currency ? { currency: q.currency } : {}),
    ...(q.periodFrom ? { periodFrom: q.periodFrom } : {}),
    ...(q.periodTo ? { periodTo: q.periodTo } : {}),
  };
}
