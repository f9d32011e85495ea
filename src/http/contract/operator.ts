/** The operator console (platform support): accounts, and what only support does to actions. */
import { z } from 'zod';
import { OPERATOR_ACCOUNT_SORTS } from './enums.js';
import { ACCOUNT_KINDS } from '../../modules/accounts/types.js';
import { accountDto } from './accounts.js';
import { changeReason } from './actions.js';
import { pageQueryShape, rowId, sortQuery } from './common.js';

export const operatorAccountDto = accountDto.extend({ Members: z.number().int().describe('Users of the account') });
export type OperatorAccount = z.infer<typeof operatorAccountDto>;

export const operatorAccountsQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(OPERATOR_ACCOUNT_SORTS),
    kind: z.enum(ACCOUNT_KINDS).optional(),
    q: z.string().max(200).optional().describe('Part of the name or the Account SID'),
  })
  .strict();

export const createAccountBody = z
  .object({
    Kind: z.enum(ACCOUNT_KINDS),
    Name: z.string().max(200),
    TimeZone: z.string().max(64).describe('IANA, e.g. America/New_York'),
    Currency: z.string().max(3).describe('ISO 4217, e.g. USD'),
    Admin: z
      .object({ Email: z.string().max(254), Name: z.string().max(200), Password: z.string().max(256).optional() })
      .strict()
      .describe('The first admin: an existing login (by e-mail) or a new one, who then needs a password'),
  })
  .strict();
export type CreateAccountBody = z.infer<typeof createAccountBody>;

export const createdAccountDto = z.object({ Id: z.number().int(), AccountSid: z.string(), AdminUserId: z.number().int() });
export type CreatedAccount = z.infer<typeof createdAccountDto>;

/** POST /operator/actions/:id/reattribute: to another partner, under its contract in force at the event date. */
export const reattributeBody = z.object({ MediaPartnerId: rowId().describe('The partner to attribute the action to'), Reason: changeReason }).strict();
export type ReattributeBody = z.infer<typeof reattributeBody>;

/** POST /operator/actions/:id/reverse-cpc. */
export const reverseCpcBody = z.object({ Reason: changeReason }).strict();
export type ReverseCpcBody = z.infer<typeof reverseCpcBody>;
