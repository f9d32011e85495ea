/** Contracts: a partner's acceptance of a program's template terms, the Contract History report, a brand's partners. */
import { z } from 'zod';
import { CONTRACT_SORTS } from './enums.js';
import { CHANGE_REASON_CODES } from '../../modules/actions/types.js';
import { CONTRACT_STATUSES, MAX_EXPIRY_YEARS_AHEAD, TERMINATION_REASONS } from '../../modules/contracts/types.js';
import { isoDate, pageQueryShape, rowId, rowIdText, sortQuery } from './common.js';
import { termsDto } from './programs.js';
import { WORK_ITEM_STATES } from '../../worker/states.js';

export const contractDto = z
  .object({
    Id: z.number().int(),
    CampaignId: z.number().int().describe('The program'),
    CampaignName: z.string(),
    ProgramTimeZone: z.string().describe("The program's time zone (IANA): the contract's dates are shown in it to both parties"),
    Currency: z.string(),
    BrandAccountId: z.number().int(),
    BrandName: z.string(),
    MediaPartnerId: z.number().int().describe('The partner account'),
    MediaPartnerName: z.string(),
    TemplateTermsId: z.number().int(),
    TemplateTermsName: z.string(),
    Status: z.enum(CONTRACT_STATUSES),
    StartDate: isoDate,
    EndDate: isoDate.nullable(),
    TerminationReason: z.enum(TERMINATION_REASONS),
    Terms: termsDto.describe('The terms the partner accepted, as they were then'),
    CreatedDate: isoDate,
  })
  .meta({ id: 'Contract' });
export type Contract = z.infer<typeof contractDto>;


/** The filters of Contract History, its list and its downloads. */
export const contractHistoryFilterShape = {
  programId: rowIdText().optional(),
  partnerAccountId: rowIdText().optional(),
  status: z.enum(['ALL', 'ACTIVE', 'EXPIRED']).default('ALL').describe('ACTIVE = current active contracts only'),
  terminationReason: z.enum(TERMINATION_REASONS).optional(),
  sort: sortQuery(CONTRACT_SORTS),
  order: z.enum(['asc', 'desc']).optional(),
};
export const contractHistoryQuery = z.object({ ...pageQueryShape, ...contractHistoryFilterShape }).strict();
export const contractExportQuery = z.object(contractHistoryFilterShape).strict();

/** POST /contracts: accept a program's template terms (partners). */
export const acceptTermsBody = z.object({ TemplateTermsId: rowId() }).strict();
export type AcceptTermsBody = z.infer<typeof acceptTermsBody>;

export const expireContractBody = z
  .object({
    On: z.string().max(10).optional().describe(`YYYY-MM-DD, today or later (at most ${MAX_EXPIRY_YEARS_AHEAD} years ahead); omit to expire now`),
    ReversePendingActions: z.boolean().optional().describe('Brands: also reverse all existing pending actions'),
    ReversalReason: z.enum(CHANGE_REASON_CODES).optional(),
  })
  .strict()
  .nullish()
  .describe('Optional; an empty body expires now');
export type ExpireContractBody = NonNullable<z.infer<typeof expireContractBody>>;

export const expiredContractDto = contractDto.extend({
  ReversedActions: z.number().int().describe('Pending actions reversed with the expiry'),
  UnreversedActions: z.number().int().describe('Pending actions that could not be reversed (cost-per-click actions need an operator)'),
  ReversalState: z
    .enum(WORK_ITEM_STATES)
    .optional()
    .describe('With ReversePendingActions: DONE when every pending action was handled; otherwise the reversals go on in the background (see the operator console)'),
  ReversalWorkItemId: z.string().optional().describe("With ReversePendingActions: the flow's work item"),
});
export type ExpiredContract = z.infer<typeof expiredContractDto>;

/** GET /partners (brands): the partners the brand works or has worked with. */
export const brandPartnerDto = z.object({
  MediaPartnerId: z.number().int(),
  MediaPartnerName: z.string(),
  ActiveContracts: z.number().int(),
  Contracts: z.number().int(),
  FirstContractDate: isoDate,
});
export type BrandPartner = z.infer<typeof brandPartnerDto>;
