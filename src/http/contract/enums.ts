/**
 * The enums of the wire contract as values, for code that needs them at run time (the web
 * UI's selects and filters). Only the modules' leaf type files are imported here, never
 * zod, so a browser bundle that imports this file gets a few arrays and nothing else.
 */

/** The fields a list sorts by (`sort=`), named as the list's items name them. */
export const CONTRACT_SORTS = ['Id', 'StartDate', 'EndDate', 'CampaignName', 'MediaPartnerName', 'BrandName', 'TerminationReason'] as const;
export const LINK_SORTS = ['Id', 'CreatedDate', 'Label', 'CampaignName', 'MediaPartnerName'] as const;
export const OPERATOR_ACCOUNT_SORTS = ['Id', 'Name', 'CreatedDate', 'Kind'] as const;
export const CONVERSION_SORTS = ['CreatedDate', 'EventDate', 'Id', 'OrderId'] as const;
export const ACTION_SORTS = [
  'EventDate',
  'LockingDate',
  'Amount',
  'Payout',
  'Id',
  'MediaPartnerName',
  'EventTypeName',
  'CampaignName',
  'OrderId',
  'State',
] as const;

export { ACCOUNT_KINDS, ACCOUNT_STATUSES, ROLES } from '../../modules/accounts/types.js';
export { MOVEMENT_TYPES } from '../../modules/ledger/types.js';
export type { MovementType } from '../../modules/ledger/types.js';
export type { AccountKind, AccountStatus, Role } from '../../modules/accounts/types.js';
export {
  ACTION_OPERATIONS,
  ACTION_STATES,
  APPROVED_STATUS_DETAILS,
  CHANGE_REASON_CODES,
  MODIFICATION_OPERATIONS,
  PENDING_SCREEN_STATUSES,
  REQUESTABLE_OPERATIONS,
  STATUS_DETAILS,
} from '../../modules/actions/types.js';
export type { ActionState, ChangeReasonCode, ModificationOperation, Operation, PendingScreenStatus, RequestableOperation } from '../../modules/actions/types.js';
export { CONTRACT_STATUSES, TERMINATION_REASONS } from '../../modules/contracts/types.js';
export type { ContractStatus, TerminationReason } from '../../modules/contracts/types.js';
export { REJECT_REASONS } from '../../modules/conversions/types.js';
export { STATEMENT_STATUSES } from '../../modules/billing/types.js';
export type { StatementStatus } from '../../modules/billing/types.js';
export { PAYMENT_METHODS, PAYMENT_SCHEDULES, PAYOUT_FILE_FORMATS, PAYOUT_HOLD_REASONS, PAYOUT_RUN_STATUSES, PAYSTUB_STATUSES } from '../../modules/payouts/types.js';
export type { PaymentMethod, PaymentSchedule, PaystubStatus, PayoutFileFormat, PayoutHoldReason, PayoutRunStatus } from '../../modules/payouts/types.js';
export type { RejectReason } from '../../modules/conversions/types.js';
export { EVENT_TYPE_KINDS, PROGRAM_STATUSES, RETURNS_PROCESSING, TEMPLATE_TERMS_STATUSES } from '../../modules/programs/types.js';
export type { EventTypeKind, ProgramStatus, ReturnsProcessing, TemplateTermsStatus } from '../../modules/programs/types.js';
export { WORK_ITEM_STATES } from '../../worker/states.js';
/** Whether each Returns Processing option's channel takes files (the UI's "not running yet"). */
export { RETURNS_CHANNEL_RUNNING } from '../../modules/programs/returns-settings.js';
export type { WorkItemState } from '../../worker/states.js';
export { SETTABLE_TICKET_STATUSES, TICKET_LIMITS, TICKET_STATUSES, TICKET_TYPES } from '../../modules/tickets/types.js';
export type { TicketStatus, TicketType } from '../../modules/tickets/types.js';
export { BATCH_STATUSES, RETURNS_OUTCOMES } from '../../modules/returns/types.js';
export type { BatchStatus, ReturnsOutcome } from '../../modules/returns/types.js';
export { DATE_RANGES, DAYS_OF_WEEK, EXPORT_STATES, SCHEDULE_FREQUENCIES, SCHEDULE_STATES } from '../../modules/reports/types.js';
export type { DateRange, ExportFileFormat, ExportState, ScheduleFrequency, ScheduleState } from '../../modules/reports/types.js';
