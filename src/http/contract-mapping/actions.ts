import type {
  Action,
  ActionDetail,
  ActionExportQuery,
  ActionItem as ActionItemDto,
  ActionPreview,
  BulkOutcome,
  Modification,
  ModificationDetail,
} from '../contract/actions.js';
import type { ACTION_SORTS } from '../contract/enums.js';
import type { Balance, Balances } from '../contract/ledger.js';
import type { ExportColumn } from '../table-export.js';
import type { ActionOutcome } from '../../modules/actions/apply-action-operation.js';
import type { ActionFilter, ActionView, ModificationView } from '../../modules/actions/list-actions.js';
import { allowedOperations, type Performer } from '../../modules/actions/transitions.js';
import type { OperationPreview } from '../../modules/actions/preview-action-operations.js';
import type { ActionItem as ActionItemView, ActionState, ModificationOperation } from '../../modules/actions/types.js';
import type { ActionTotals } from '../../modules/actions/action-totals.js';
import type { LedgerBalance } from '../../modules/ledger/balances.js';
import { formatMinor } from '../../money/index.js';
import { isoOrNull } from './common.js';

/** Who is looking: the operations an action allows depend on it (a partner's list allows none). */
export interface Viewer {
  performer: Performer | null;
  now: Date;
}

/** The actions list's sort fields: the API's names are the service's. */
export const ACTION_SORT_KEYS = {
  EventDate: 'EventDate',
  LockingDate: 'LockingDate',
  Amount: 'Amount',
  Payout: 'Payout',
  Id: 'Id',
  MediaPartnerName: 'MediaPartnerName',
  EventTypeName: 'EventTypeName',
  CampaignName: 'CampaignName',
  OrderId: 'OrderId',
  State: 'State',
} as const satisfies Record<(typeof ACTION_SORTS)[number], NonNullable<ActionFilter['sort']>>;

/** An action's items, numbered from 1 (the API, the UI and files count items from 1). */
function toItemDtos(items: readonly ActionItemView[] | null, originalItems: readonly ActionItemView[] | null, currency: string): ActionItemDto[] {
  return (items ?? []).map((item, position) => {
    const original = originalItems?.[position];
    return {
      Index: position + 1,
      Sku: item.sku ?? null,
      Category: item.category ?? null,
      Quantity: item.quantity,
      Amount: formatMinor(item.amountMinor, currency),
      OriginalQuantity: original?.quantity ?? null,
      OriginalAmount: original ? formatMinor(original.amountMinor, currency) : null,
      Rejected: item.quantity === 0,
    };
  });
}

/** A dry run's answer: the action before, and as the change would leave it (nothing was saved). */
export function toActionPreviewDto(preview: Extract<OperationPreview, { ok: true }>): ActionPreview {
  const c = preview.action.currency;
  const { before, after } = preview;
  return {
    DryRun: true,
    ActionId: preview.action.id.toString(),
    Currency: c,
    StateBefore: before.state,
    State: after.state,
    ReversalReason: after.reversalReason,
    AmountBefore: formatMinor(before.amountMinor, c),
    Amount: formatMinor(after.amountMinor, c),
    PayoutBefore: formatMinor(before.payoutMinor, c),
    Payout: formatMinor(after.payoutMinor, c),
    DeltaAmount: formatMinor(after.amountMinor - before.amountMinor, c),
    DeltaPayout: formatMinor(after.payoutMinor - before.payoutMinor, c),
    Items: toItemDtos(after.items, preview.action.originalItems, c),
    Steps: preview.steps.map((step) => ({
      Operation: step.op as ModificationOperation,
      State: step.state,
      Amount: formatMinor(step.amountMinor, c),
      Payout: formatMinor(step.payoutMinor, c),
    })),
  };
}

/** An action as the API sends it; without a viewer (an outbox event) it allows no operations. */
export function toActionDto(a: ActionView, viewer?: Viewer): Action {
  const money = (minor: bigint) => formatMinor(minor, a.currency);
  return {
    Id: a.id.toString(),
    CampaignId: a.programId,
    CampaignName: a.programName,
    ProgramTimeZone: a.programTimeZone,
    ActionTrackerId: a.eventTypeId,
    EventTypeName: a.eventTypeName,
    EventKind: a.eventKind,
    MediaPartnerId: a.partnerAccountId,
    MediaPartnerName: a.partnerName,
    ContractId: a.contractId,
    State: a.state,
    StatusDetail: a.statusDetail,
    ReversalReason: a.reversalReason,
    Amount: money(a.amountMinor),
    Payout: money(a.payoutMinor),
    DeltaAmount: money(a.amountMinor - a.originalAmountMinor),
    DeltaPayout: money(a.payoutMinor - a.originalPayoutMinor),
    IntendedAmount: money(a.originalAmountMinor),
    IntendedPayout: money(a.originalPayoutMinor),
    Currency: a.currency,
    OrderId: a.orderId,
    ClickId: a.clickId,
    ReferringDate: isoOrNull(a.referringAt),
    EventDate: a.eventAt.toISOString(),
    LockingDate: a.lockingAt.toISOString(),
    LockedDate: isoOrNull(a.lockedAt),
    PaymentDate: isoOrNull(a.paymentDueAt),
    ClearedDate: isoOrNull(a.clearedAt),
    PaystubId: a.paystubId === null ? null : a.paystubId.toString(),
    ModificationCount: a.modificationCount,
    Items: toItemDtos(a.items, a.originalItems, a.currency),
    CreatedDate: a.createdAt.toISOString(),
    UpdatedDate: a.updatedAt.toISOString(),
    AllowedOperations: viewer ? allowedOperations(a, viewer.performer, viewer.now) : [],
  };
}

/** The stored detail of a modification (the actions module's own keys) in the API's names. */
const DETAIL_NAMES: Record<string, string> = {
  itemIndex: 'ItemIndex',
  lastItem: 'LastItem',
  partnerAccountId: 'MediaPartnerId',
  fromPartnerAccountId: 'FromMediaPartnerId',
  toPartnerAccountId: 'ToMediaPartnerId',
  fromContractId: 'FromContractId',
  toContractId: 'ToContractId',
  source: 'Source',
};

function toDetailDto(detail: Record<string, unknown> | null, currency: string): ModificationDetail | null {
  if (!detail) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    // Stored as the transition table counts (from 0); the API counts items from 1.
    if (key === 'itemIndex' && typeof value === 'number') out.ItemIndex = value + 1;
    else if (key === 'requestedAmountMinor' && typeof value === 'string' && /^-?\d+$/.test(value)) out.RequestedAmount = formatMinor(BigInt(value), currency);
    else out[DETAIL_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1)] = value;
  }
  return out as ModificationDetail;
}

export function toModificationDto(m: ModificationView, currency: string): Modification {
  const money = (minor: bigint | null) => (minor === null ? null : formatMinor(minor, currency));
  return {
    Seq: m.seq,
    Date: m.at.toISOString(),
    Operation: m.operation as ModificationOperation,
    ActorKind: m.actorKind as Modification['ActorKind'],
    ActorUserId: m.actorUserId,
    ActorName: m.actorName,
    ActorCredentialId: m.actorCredentialId,
    Reason: m.reason,
    StateBefore: m.stateBefore as ActionState | null,
    StateAfter: m.stateAfter as ActionState,
    AmountBefore: money(m.amountBeforeMinor),
    AmountAfter: formatMinor(m.amountAfterMinor, currency),
    PayoutBefore: money(m.payoutBeforeMinor),
    PayoutAfter: formatMinor(m.payoutAfterMinor, currency),
    DeltaAmount: formatMinor(m.amountAfterMinor - (m.amountBeforeMinor ?? 0n), currency),
    DeltaPayout: formatMinor(m.payoutAfterMinor - (m.payoutBeforeMinor ?? 0n), currency),
    Detail: toDetailDto(m.detail, currency),
  };
}

export function toActionDetailDto(action: ActionView, modifications: readonly ModificationView[], viewer?: Viewer): ActionDetail {
  return { ...toActionDto(action, viewer), Modifications: modifications.map((m) => toModificationDto(m, action.currency)) };
}

export function toBulkOutcomeDto(o: ActionOutcome): BulkOutcome {
  return {
    ActionId: o.actionId,
    Ok: o.ok,
    ...(o.state !== undefined ? { State: o.state } : {}),
    ...(o.refusal !== undefined ? { Refusal: o.refusal } : {}),
    ...(o.message !== undefined ? { Message: o.message } : {}),
  };
}

export function toBalanceDto(b: {
  currency: string;
  pendingMinor: bigint;
  paymentPendingMinor: bigint;
  overdueMinor: bigint;
  availableMinor: bigint;
  payableMinor: bigint;
}): Balance {
  return {
    Currency: b.currency,
    Pending: formatMinor(b.pendingMinor, b.currency),
    PaymentPending: formatMinor(b.paymentPendingMinor, b.currency),
    Overdue: formatMinor(b.overdueMinor, b.currency),
    Available: formatMinor(b.availableMinor, b.currency),
    Payable: formatMinor(b.payableMinor, b.currency),
  };
}

/** The list's and the downloads' query as the service's filter. */
export function actionFilterOf(q: ActionExportQuery): Omit<ActionFilter, 'page' | 'pageSize'> {
  return {
    ...(q.sort ? { sort: ACTION_SORT_KEYS[q.sort] } : {}),
    ...(q.order ? { order: q.order } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.statusDetail ? { statusDetail: q.statusDetail } : {}),
    ...(q.pendingStatus ? { pendingStatus: q.pendingStatus } : {}),
    ...(q.programId ? { programId: q.programId } : {}),
    ...(q.currency ? { currency: q.currency } : {}),
    ...(q.partnerId ? { partnerAccountId: q.partnerId } : {}),
    ...(q.actionTrackerId ? { eventTypeId: q.actionTrackerId } : {}),
    ...(q.orderId ? { orderId: q.orderId } : {}),
    ...(q.actionId ? { actionId: BigInt(q.actionId) } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
  };
}

/** The columns of the downloads, named as in the API (and as impact.com names them). */
export const ACTION_EXPORT_COLUMNS: Array<ExportColumn<ActionView>> = (() => {
  const money = (minor: (a: ActionView) => bigint) => (a: ActionView) => ({ minor: minor(a), currency: a.currency });
  return [
    { header: 'Id', value: (a) => a.id.toString(), width: 12, pdf: true },
    { header: 'CampaignId', value: (a) => a.programId, width: 11 },
    { header: 'CampaignName', value: (a) => a.programName, width: 24, pdf: true },
    { header: 'ActionTrackerId', value: (a) => a.eventTypeId, width: 11 },
    { header: 'EventTypeName', value: (a) => a.eventTypeName, width: 18, pdf: true },
    { header: 'MediaPartnerId', value: (a) => a.partnerAccountId, width: 11 },
    { header: 'MediaPartnerName', value: (a) => a.partnerName, width: 22, pdf: true },
    { header: 'State', value: (a) => a.state, width: 10 },
    { header: 'StatusDetail', value: (a) => a.statusDetail, width: 22, pdf: true },
    { header: 'Amount', value: money((a) => a.amountMinor), width: 12, pdf: true, alignRight: true },
    { header: 'Payout', value: money((a) => a.payoutMinor), width: 11, pdf: true, alignRight: true },
    { header: 'DeltaAmount', value: money((a) => a.amountMinor - a.originalAmountMinor), width: 12 },
    { header: 'DeltaPayout', value: money((a) => a.payoutMinor - a.originalPayoutMinor), width: 12 },
    { header: 'IntendedAmount', value: money((a) => a.originalAmountMinor), width: 14 },
    { header: 'IntendedPayout', value: money((a) => a.originalPayoutMinor), width: 14 },
    { header: 'Currency', value: (a) => a.currency, width: 10, pdf: true },
    { header: 'OrderId', value: (a) => a.orderId, width: 16, pdf: true },
    { header: 'ReferringDate', value: (a) => a.referringAt, width: 19 },
    { header: 'EventDate', value: (a) => a.eventAt, width: 19, pdf: true },
    { header: 'LockingDate', value: (a) => a.lockingAt, width: 19, pdf: true },
    { header: 'LockedDate', value: (a) => a.lockedAt, width: 19 },
    { header: 'PaymentDate', value: (a) => a.paymentDueAt, width: 19 },
    { header: 'ClearedDate', value: (a) => a.clearedAt, width: 19 },
    { header: 'PaystubId', value: (a) => (a.paystubId === null ? null : a.paystubId.toString()), width: 10 },
  ];
})();

/**
 * An account's balances per currency: the pending estimate and the overdue part of the
 * locked payouts (from the actions) beside the ledger's posted balances: payment pending
 * and available for a partner, payable for a brand (which the ledger holds as a credit).
 */
export function toBalancesDto(ledger: readonly LedgerBalance[], totals: ReadonlyMap<string, ActionTotals>): Balances {
  const currencies = [...new Set([...ledger.map((b) => b.currency), ...totals.keys()])].sort();
  return {
    Balances: currencies.map((currency) => {
      const of = (code: string) => ledger.find((b) => b.currency === currency && b.code === code)?.balanceMinor ?? 0n;
      return toBalanceDto({
        currency,
        pendingMinor: totals.get(currency)?.pendingMinor ?? 0n,
        paymentPendingMinor: of('PARTNER_PAYMENT_PENDING'),
        overdueMinor: totals.get(currency)?.overdueMinor ?? 0n,
        availableMinor: of('PARTNER_AVAILABLE'),
        payableMinor: -of('BRAND_PAYABLE'),
      });
    }),
  };
}
