import type { Forfeit, Paystub, PaystubAction, PayoutFile, PayoutRun, PayoutRunDetail, WithdrawalSettings } from '../contract/payouts.js';
import type { ForfeitRow, PaystubActionRow, PaystubRow, PayoutFileRow, PayoutRunRow, RunHoldRow } from '../../modules/payouts/queries.js';
import type { WithdrawalSettingsView } from '../../modules/payouts/withdrawal-settings.js';
import { formatMinor } from '../../money/index.js';
import { minWithdrawalMinor } from '../../payments/fees.js';
import type { ExportColumn } from '../table-export.js';
import { isoOrNull } from './common.js';

export function toWithdrawalSettingsDto(s: WithdrawalSettingsView): WithdrawalSettings {
  const money = (minor: bigint | null) => (minor === null ? null : formatMinor(minor, s.currency));
  return {
    MediaPartnerId: s.partnerAccountId,
    Currency: s.currency,
    Configured: s.configured,
    PaymentMethod: s.paymentMethod,
    BankCountry: s.bankCountry,
    BankAccountNumber: s.paymentMethod === 'BANK_TRANSFER' ? s.destinationMasked : null,
    PaypalEmailAddress: s.paymentMethod === 'PAYPAL' ? s.destinationMasked : null,
    WithdrawalMethod: s.withdrawalMethod,
    WireFee: money(s.wireFeeMinor),
    PaymentSchedulingType: s.schedule,
    PaymentThreshold: money(s.thresholdMinor),
    PaymentDay: s.paymentDay ?? 0,
    MinimumWithdrawal: formatMinor(minWithdrawalMinor(s.currency), s.currency),
    HoldEndsDate: isoOrNull(s.holdUntil),
    BankDetailsChangedDate: isoOrNull(s.destinationChangedAt),
    UpdatedDate: isoOrNull(s.updatedAt),
  };
}

export function toPaystubDto(p: PaystubRow): Paystub {
  const money = (minor: bigint) => formatMinor(minor, p.currency);
  return {
    Id: p.id.toString(),
    MediaPartnerId: p.partnerAccountId,
    MediaPartnerName: p.partnerName,
    RunId: p.runId,
    CreatedDate: p.createdAt.toISOString(),
    Kind: p.kind,
    PaymentMethod: p.paymentMethod,
    WithdrawalMethod: p.method,
    Destination: p.destinationMasked,
    Currency: p.currency,
    Gross: money(p.grossMinor),
    Fee: money(p.feeMinor),
    Net: money(p.netMinor),
    Actions: p.actionCount,
    Status: p.status,
    SentDate: isoOrNull(p.sentAt),
    FailedDate: isoOrNull(p.failedAt),
    FailureReason: p.failureReason,
  };
}

export function toPaystubActionDto(a: PaystubActionRow): PaystubAction {
  return {
    PaystubId: a.paystubId.toString(),
    ActionId: a.actionId.toString(),
    CampaignId: a.programId,
    CampaignName: a.programName,
    ActionTrackerId: a.eventTypeId,
    EventTypeName: a.eventTypeName,
    OrderId: a.orderId,
    SaleAmount: formatMinor(a.amountMinor, a.currency),
    Payout: formatMinor(a.payoutMinor, a.currency),
    Currency: a.currency,
    EventDate: a.eventAt.toISOString(),
    LockingDate: a.lockingAt.toISOString(),
  };
}

/** A paystub's action listing as a download: Paystub Id, Action Id, Campaign, Event type, Sale Amount, Payout, Action Date, Locking Date. */
export function paystubActionColumns(): Array<ExportColumn<PaystubActionRow>> {
  const money = (minor: (a: PaystubActionRow) => bigint) => (a: PaystubActionRow) => ({ minor: minor(a), currency: a.currency });
  return [
    { header: 'PaystubId', value: (a) => a.paystubId.toString(), width: 10, pdf: true },
    { header: 'ActionId', value: (a) => a.actionId.toString(), width: 12, pdf: true },
    { header: 'CampaignId', value: (a) => a.programId, width: 10 },
    { header: 'CampaignName', value: (a) => a.programName, width: 24, pdf: true },
    { header: 'EventTypeName', value: (a) => a.eventTypeName, width: 18, pdf: true },
    { header: 'OrderId', value: (a) => a.orderId, width: 16 },
    { header: 'SaleAmount', value: money((a) => a.amountMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Payout', value: money((a) => a.payoutMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Currency', value: (a) => a.currency, width: 9 },
    { header: 'EventDate', value: (a) => a.eventAt, width: 19, pdf: true },
    { header: 'LockingDate', value: (a) => a.lockingAt, width: 19, pdf: true },
  ];
}

export function toPayoutRunDto(r: PayoutRunRow): PayoutRun {
  return {
    Id: r.id,
    Kind: r.kind,
    Status: r.status,
    RunDate: r.runOn,
    ExecutionDate: r.executionDate,
    StartedDate: r.startedAt.toISOString(),
    Paystubs: r.paystubCount,
    Held: r.heldCount,
    FilesReadyDate: isoOrNull(r.filesReadyAt),
    SentDate: isoOrNull(r.sentAt),
    WorkItemId: r.workItemId === null ? null : r.workItemId.toString(),
    Totals: r.totals.map((t) => ({
      Currency: t.currency,
      Paystubs: t.paystubs,
      Gross: formatMinor(t.grossMinor, t.currency),
      Fee: formatMinor(t.feeMinor, t.currency),
      Net: formatMinor(t.netMinor, t.currency),
    })),
  };
}

export function toPayoutFileDto(f: PayoutFileRow): PayoutFile {
  return {
    Id: f.id,
    Format: f.format,
    Currency: f.currency,
    Part: f.part,
    FileName: f.fileName,
    Payments: f.payments,
    Total: formatMinor(f.totalMinor, f.currency),
    Bytes: f.bytes,
    Sha256: f.sha256,
    CreatedDate: f.createdAt.toISOString(),
  };
}

export function toPayoutRunDetailDto(r: PayoutRunRow, files: PayoutFileRow[], holds: RunHoldRow[]): PayoutRunDetail {
  return {
    ...toPayoutRunDto(r),
    Files: files.map(toPayoutFileDto),
    HeldPartners: holds.map((h) => ({
      MediaPartnerId: h.partnerAccountId,
      MediaPartnerName: h.partnerName,
      Currency: h.currency,
      Available: formatMinor(h.availableMinor, h.currency),
      Reason: h.reason,
    })),
  };
}

export function toForfeitDto(f: ForfeitRow): Forfeit {
  return {
    Id: f.id,
    MediaPartnerId: f.partnerAccountId,
    Currency: f.currency,
    Amount: formatMinor(f.amountMinor, f.currency),
    Actions: f.actionCount,
    Reason: f.reason,
    ForfeitedByUserId: f.forfeitedByUserId,
    ForfeitedDate: f.forfeitedAt.toISOString(),
  };
}
