/**
 * Actions (impact.com's names): Pending Payouts and a partner's actions, one action with its
 * items and modification history, the brand's operations on actions, bulk operations.
 */
import { z } from 'zod';
import {
  ACTION_STATES,
  BULK_OPERATIONS,
  CHANGE_REASON_CODES,
  MAX_BULK_ACTIONS,
  MODIFICATION_OPERATIONS,
  PENDING_SCREEN_STATUSES,
} from '../../modules/actions/types.js';
import { EVENT_TYPE_KINDS } from '../../modules/programs/types.js';
import { filterDateTime, isoDate, rowIdText, sortQuery } from './common.js';
import { ACTION_SORTS, REQUESTABLE_OPERATIONS } from './enums.js';

/** A reason code of a reversal or a modification. */
export const changeReason = z.enum(CHANGE_REASON_CODES).describe('Reason code');

/** An action's id in a path: a number of up to 18 digits. */
export const actionIdParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'an action id is a number') }).strict();
/**
 * An item by its number in its action: 1 is the first, as in the UI and in files (`Sku1`);
 * an action has at most 1,000 items.
 */
const itemIndex = () => z.number().int().min(1).max(1000).describe('The item: 1 is the first item');

export const actionItemDto = z.object({
  Index: z.number().int().describe('The item\'s number: 1 is the first (Sku1 in a returns file)'),
  Sku: z.string().nullable(),
  Category: z.string().nullable(),
  Quantity: z.number().int(),
  Amount: z.string().describe("Decimal string in the action's currency, e.g. \"129.99\""),
  OriginalQuantity: z.number().int().nullable(),
  OriginalAmount: z.string().nullable(),
  Rejected: z.boolean(),
});
export type ActionItem = z.infer<typeof actionItemDto>;

export const actionDto = z
  .object({
    Id: z.string(),
    CampaignId: z.number().int(),
    CampaignName: z.string(),
    ProgramTimeZone: z
      .string()
      .describe("The program's time zone (IANA): its locking and payment dates are reckoned in it, and both parties see its dates in it"),
    ActionTrackerId: z.number().int(),
    EventTypeName: z.string(),
    EventKind: z.enum(EVENT_TYPE_KINDS),
    MediaPartnerId: z.number().int(),
    MediaPartnerName: z.string(),
    ContractId: z.number().int(),
    State: z.enum(ACTION_STATES),
    StatusDetail: z.string().describe('Pending, Approved/Payment Pending, Approved/Paid, Approved/Overdue, Reversed/<reason>'),
    ReversalReason: z.string().nullable(),
    Amount: z.string(),
    Payout: z.string(),
    DeltaAmount: z.string(),
    DeltaPayout: z.string(),
    IntendedAmount: z.string(),
    IntendedPayout: z.string(),
    Currency: z.string(),
    OrderId: z.string().nullable(),
    ClickId: z.string().nullable(),
    ReferringDate: isoDate.nullable(),
    EventDate: isoDate,
    LockingDate: isoDate,
    LockedDate: isoDate.nullable(),
    PaymentDate: isoDate.nullable(),
    ClearedDate: isoDate.nullable(),
    PaystubId: z.string().nullable().describe('The paystub that paid it (a withdrawal); null until paid, and again if the bank returned the payment'),
    ModificationCount: z.number().int(),
    Items: z.array(actionItemDto),
    CreatedDate: isoDate,
    UpdatedDate: isoDate,
    AllowedOperations: z
      .array(z.enum(REQUESTABLE_OPERATIONS))
      .describe(
        'What the caller may do with the action now, by the state machine (approve, reverse, … for its brand; reattribute and reverse CPC for operators; nothing for partners). ' +
          'RESET is listed only when the action differs from its original values. The server still decides each request.',
      ),
  })
  .meta({ id: 'Action' });
export type Action = z.infer<typeof actionDto>;

/** What a modification record may tell beyond its before and after (stored with the change). */
export const modificationDetailDto = z
  .object({
    ItemIndex: z.number().int().optional().describe('REJECT_ITEM: the item (1 is the first)'),
    LastItem: z.boolean().optional().describe('REJECT_ITEM: it was the last item left, so the action was reversed'),
    RequestedAmount: z.string().optional().describe('MODIFY_AMOUNT to 0: a reversal'),
    MediaPartnerId: z.number().int().optional().describe('REATTRIBUTE: the partner asked for'),
    FromMediaPartnerId: z.number().int().optional(),
    ToMediaPartnerId: z.number().int().optional(),
    FromContractId: z.number().int().optional(),
    ToContractId: z.number().int().optional(),
    Source: z.string().optional().describe('CREATE: where the action came from (CLICK for cost-per-click)'),
  })
  .catchall(z.unknown());
export type ModificationDetail = z.infer<typeof modificationDetailDto>;

/** One change of an action: who, when, why, amount and payout before and after. */
export const modificationDto = z
  .object({
    Seq: z.number().int(),
    Date: isoDate,
    Operation: z.enum(MODIFICATION_OPERATIONS),
    ActorKind: z.enum(['BRAND', 'PARTNER', 'OPERATOR', 'SYSTEM']),
    ActorUserId: z.number().int().nullable(),
    ActorName: z
      .string()
      .nullable()
      .describe('Who made the change: the member\'s name, or "API: <label>" for an API credential. Null for partners: they see that the brand changed the action, not who'),
    ActorCredentialId: z
      .number()
      .int()
      .nullable()
      .describe('The API credential (Settings → API credentials) that made the change; null when a person did in the web UI, and for partners'),
    Reason: z.string().nullable(),
    StateBefore: z.enum(ACTION_STATES).nullable(),
    StateAfter: z.enum(ACTION_STATES),
    AmountBefore: z.string().nullable(),
    AmountAfter: z.string(),
    PayoutBefore: z.string().nullable(),
    PayoutAfter: z.string(),
    DeltaAmount: z.string(),
    DeltaPayout: z.string(),
    Detail: modificationDetailDto.nullable(),
  })
  .meta({ id: 'Modification' });
export type Modification = z.infer<typeof modificationDto>;

export const actionDetailDto = actionDto.extend({ Modifications: z.array(modificationDto) }).meta({ id: 'ActionDetail' });
export type ActionDetail = z.infer<typeof actionDetailDto>;

/** GET /actions: counting stops at 10,000 (TotalCapped). */
export const actionPageDto = z.object({
  Items: z.array(actionDto),
  Page: z.number().int(),
  PageSize: z.number().int(),
  Total: z.number().int(),
  TotalCapped: z.boolean().describe('More than Total match: counting stopped there'),
});
export type ActionPage = z.infer<typeof actionPageDto>;

/** The filters of the actions list and its downloads (query parameters, camelCase). */
export const actionFilterShape = {
  sort: sortQuery(ACTION_SORTS),
  order: z.enum(['asc', 'desc']).optional(),
  state: z.enum(ACTION_STATES).optional(),
  statusDetail: z
    .string()
    .max(60)
    .optional()
    .describe('Pending, Approved/Payment Pending, Approved/Paid, Approved/Overdue, Reversed, Reversed/<reason>'),
  pendingStatus: z
    .enum(PENDING_SCREEN_STATUSES)
    .optional()
    .describe("The partner's Pending screen: NOT_YET_LOCKED, LOCKED (not yet due), OVERDUE, or ALL money not yet available"),
  programId: rowIdText().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code, e.g. USD')
    .optional()
    .describe('The actions in one currency (ISO 4217); money sorts are by currency, then amount'),
  partnerId: rowIdText().optional(),
  actionTrackerId: rowIdText().optional(),
  orderId: z.string().max(64).optional(),
  actionId: z.string().regex(/^\d{1,18}$/).optional(),
  from: filterDateTime().optional().describe('Event date from (inclusive)'),
  to: filterDateTime().optional().describe('Event date to (exclusive)'),
};
export const actionListQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
    ...actionFilterShape,
  })
  .strict();
export const actionExportQuery = z.object(actionFilterShape).strict();
export type ActionExportQuery = z.infer<typeof actionExportQuery>;

/** GET /actions/totals: per currency, every action the filters match (not a page). */
export const actionTotalsDto = z.object({
  Totals: z.array(
    z.object({
      Currency: z.string(),
      Count: z.number().int(),
      Amount: z.string().describe('The sale amounts added up, in this currency'),
      Payout: z.string().describe('The payouts added up, in this currency'),
    }),
  ),
});
export type ActionTotals = z.infer<typeof actionTotalsDto>;

/** GET /actions/ids: "select all N matching" for a bulk operation. */
export const actionIdsDto = z.object({
  Ids: z.array(z.string()).describe('In id order, at most Limit'),
  Limit: z.number().int().describe('The bulk limit: one bulk request takes this many'),
  More: z.boolean().describe('More actions match than Limit: narrow the filters, or act on these first'),
});
export type ActionIds = z.infer<typeof actionIdsDto>;

export const reverseBody = z.object({ Reason: changeReason }).strict();
export type ReverseBody = z.infer<typeof reverseBody>;

export const modifyBody = z
  .object({
    Reason: changeReason,
    Amount: z.string().max(30).optional().describe('The new order amount'),
    Items: z.array(z.object({ Index: itemIndex(), Amount: z.string().max(30) }).strict()).max(1000).optional().describe('New amounts for items'),
  })
  .strict();
export type ModifyBody = z.infer<typeof modifyBody>;

export const rejectItemBody = z.object({ ItemIndex: itemIndex(), Reason: changeReason }).strict();
export type RejectItemBody = z.infer<typeof rejectItemBody>;

/** Modify Item Details: per item, a new amount or a rejection, with one reason. */
export const modifyItemsBody = z
  .object({
    Reason: changeReason,
    Items: z
      .array(
        z
          .object({
            Index: itemIndex(),
            Amount: z.string().max(30).optional().describe('The new amount of the item'),
            Reject: z.literal(true).optional().describe('Reject the item: its quantity becomes 0'),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();
export type ModifyItemsBody = z.infer<typeof modifyItemsBody>;

/** `?dryRun=true` on modify and modify-items: answer what the change would do, and save nothing. */
export const dryRunQuery = z
  .object({
    dryRun: z
      .enum(['true', 'false'])
      .optional()
      .describe('true: plan the change with the contract\'s terms and answer the result (DryRun: true) without saving anything'),
  })
  .strict();

/** A step of a previewed change: what the action would be after it. */
const previewStepDto = z.object({
  Operation: z.enum(MODIFICATION_OPERATIONS),
  State: z.enum(ACTION_STATES),
  Amount: z.string(),
  Payout: z.string(),
});

/** The answer of a dry run: the action as the change would leave it, nothing saved. */
export const actionPreviewDto = z
  .object({
    DryRun: z.literal(true),
    ActionId: z.string(),
    Currency: z.string(),
    StateBefore: z.enum(ACTION_STATES),
    State: z.enum(ACTION_STATES),
    ReversalReason: z.string().nullable(),
    AmountBefore: z.string(),
    Amount: z.string(),
    PayoutBefore: z.string(),
    Payout: z.string(),
    DeltaAmount: z.string(),
    DeltaPayout: z.string(),
    Items: z.array(actionItemDto),
    Steps: z.array(previewStepDto).describe('Each change in the order it would be applied (rejections first, then new amounts)'),
  })
  .meta({ id: 'ActionPreview' });
export type ActionPreview = z.infer<typeof actionPreviewDto>;

export { BULK_OPERATIONS, type BulkOperation } from '../../modules/actions/types.js';

export const bulkBody = z
  .object({
    Operation: z.enum(BULK_OPERATIONS),
    ActionIds: z.array(z.string().regex(/^\d{1,18}$/)).min(1).max(MAX_BULK_ACTIONS),
    Reason: changeReason.optional().describe('REVERSE only, and required there'),
  })
  .strict();
export type BulkBody = z.infer<typeof bulkBody>;

export const bulkOutcomeDto = z.object({
  ActionId: z.string(),
  Ok: z.boolean(),
  State: z.enum(ACTION_STATES).optional().describe('Its state afterwards'),
  Refusal: z.string().optional().describe('Why it was refused: locked, wrong_state, cpc_needs_operator, not_found, …'),
  Message: z.string().optional(),
});
export type BulkOutcome = z.infer<typeof bulkOutcomeDto>;

export const bulkResultDto = z.object({ Succeeded: z.number().int(), Failed: z.number().int(), Outcomes: z.array(bulkOutcomeDto) });
export type BulkResult = z.infer<typeof bulkResultDto>;
