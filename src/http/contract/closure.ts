/** Partner account closure: whether each account may be closed now, and what blocks it. */
import { z } from 'zod';

export const closureEligibilityDto = z
  .object({
    AccountId: z.number().int(),
    Name: z.string(),
    Eligible: z.boolean(),
    Blockers: z.array(z.string()).describe('What stands in the way, in words; empty when the account may be closed'),
    ActiveContracts: z.array(z.object({ ContractId: z.number().int(), CampaignId: z.number().int(), CampaignName: z.string() })),
    Funds: z.array(z.object({ Currency: z.string(), Available: z.string(), PaymentPending: z.string(), Overdue: z.string() })),
    PendingActions: z.number().int().describe('Pending actions that would still earn'),
    PendingPayouts: z.array(z.object({ Currency: z.string(), Payout: z.string(), LastLockingDate: z.string().nullable() })),
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

