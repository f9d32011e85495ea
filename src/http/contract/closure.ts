/** Partner account closure: whether each account may be closed now, and what blocks it. */
import { z } from 'zod';

export const closureEligibilityDto = z
  .object({
    AccountId: z.number().int(),
    Name: z.string(),
    Eligible: z.boolean(),
    Blockers: z.array(z.string()).describe('What stands in the way, in words; empty when the account may be closed'),
    ActiveContracts: z.array(z.object({ ContractId: z.number().int(), CampaignId: z.number().int(), CampaignName: z.string() })),
    Funds: z.array(
      z.object({
        Currency: z.string(),
        Available: z.string(),
        PaymentPending: z.string(),
        Overdue: z.string(),
        Threshold: z.string().nullable().describe("The withdrawal threshold in this currency (the partner's withdrawal settings); null without settings"),
        ManualPaystub: z
          .object({
            Possible: z.boolean().describe('True when the available balance covers the fee and leaves a remainder'),
            Method: z.string().nullable(),
            Fee: z.string().nullable(),
            Net: z.string().nullable().describe('What the partner would receive'),
            Refusal: z.string().nullable().describe('Why a manual paystub would be refused, when it would'),
          })
          .nullable()
          .describe('What a manual paystub of the available balance would pay now; null when nothing is available'),
      }),
    ),
    OverdueFrom: z
      .array(z.object({ BrandId: z.number().int(), BrandName: z.string(), Currency: z.string(), Overdue: z.string(), Contact: z.string().nullable().describe("The brand's contact: an admin's e-mail") }))
      .describe('The brands whose statements are overdue, with whom to contact'),
    PendingActions: z.number().int().describe('Pending actions that would still earn'),
    PendingPayouts: z.array(
      z.object({ Currency: z.string(), Payout: z.string(), Count: z.number().int(), FirstLockingDate: z.string().nullable(), LastLockingDate: z.string().nullable() }),
    ),
    ClosedDate: z.string().nullable().describe('When the account was closed; null while it is open'),
  })
  .meta({ id: 'ClosureEligibility' });
export type ClosureEligibilityItem = z.infer<typeof closureEligibilityDto>;

export const closureEligibilityListDto = z.object({ Items: z.array(closureEligibilityDto) });

export const closureEligibilityQuery = z
  .object({
    accountIds: z
      .string()
      .regex(/^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9}){0,49}$/, 'comma-separated account ids (at most 50)')
      .optional()
      .describe('The partner accounts to check (ones you administer); the current account when left out'),
  })
  .strict();


/** The final review of a closure ticket: each named account re-checked now, and the login the requester asked to delete. */
export const closureReviewDto = z
  .object({
    TicketId: z.string(),
    Items: z.array(closureEligibilityDto),
    DeleteMemberAccount: z
      .object({ UserId: z.number().int(), Name: z.string() })
      .nullable()
      .describe("The requester's own login, when the ticket asks for it to be deleted with the accounts"),
  })
  .meta({ id: 'ClosureReview' });
export type ClosureReview = z.infer<typeof closureReviewDto>;
