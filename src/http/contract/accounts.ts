/** Accounts: the current account (GET /account); operators' account list is in operator.ts. */
import { z } from 'zod';
import { ACCOUNT_KINDS, ACCOUNT_STATUSES } from '../../modules/accounts/types.js';
import { isoDate } from './common.js';

export const accountDto = z.object({
  Id: z.number().int(),
  Kind: z.enum(ACCOUNT_KINDS),
  Name: z.string(),
  TimeZone: z.string(),
  Currency: z.string(),
  AccountSid: z.string().describe('Account SID: the user name of HTTP Basic API credentials'),
  Status: z.enum(ACCOUNT_STATUSES),
  CreatedDate: isoDate,
}).meta({ id: 'Account' });
export type AccountDetails = z.infer<typeof accountDto>;
