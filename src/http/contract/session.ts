/** Session: logging in and out, who is logged in, and invitations from the invitee's side. */
import { z } from 'zod';
import { ACCOUNT_KINDS, ROLES } from '../../modules/accounts/types.js';
import { isoDate } from './common.js';

export const logInBody = z.object({ Email: z.string().max(254), Password: z.string().max(256) }).strict();
export type LogInBody = z.infer<typeof logInBody>;

export const meAccountDto = z.object({
  Id: z.number().int(),
  Name: z.string(),
  Kind: z.enum(ACCOUNT_KINDS),
  Role: z.enum(ROLES),
  TimeZone: z.string(),
  Currency: z.string(),
});
export type MeAccount = z.infer<typeof meAccountDto>;

export const meDto = z.object({
  User: z.object({ Id: z.number().int(), Email: z.string(), Name: z.string(), IsOperator: z.boolean() }),
  Accounts: z.array(meAccountDto),
  DefaultAccountId: z
    .number()
    .int()
    .nullable()
    .describe('The account to open after logging in: the one last used (PUT /me/account), else the first the user administers, else the first; null without accounts'),
}).meta({ id: 'Me' });
export type Me = z.infer<typeof meDto>;

/** PUT /me/account: the account the user now works in, remembered for their next login. */
export const meAccountBody = z.object({ AccountId: z.number().int().min(1).max(2_147_483_647) }).strict();
export type MeAccountBody = z.infer<typeof meAccountBody>;

export const invitationTokenParams = z.object({ token: z.string().min(10).max(200) }).strict();

/** GET /invitations/:token: what an invitation link is for. */
export const invitationInfoDto = z.object({
  Id: z.number().int(),
  Email: z.string(),
  AccountName: z.string(),
  Role: z.enum(ROLES),
  HasLogin: z.boolean().describe('The e-mail has a Lockstep login: accepting takes its password (or its session), not a new name'),
});
export type InvitationInfo = z.infer<typeof invitationInfoDto>;

export const acceptInvitationBody = z
  .object({ Token: z.string().min(10).max(200), Name: z.string().max(200).optional(), Password: z.string().max(256) })
  .strict();
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBody>;

/** GET /me/invitations: an invitation addressed to the logged-in user. */
export const myInvitationDto = z.object({
  Id: z.number().int(),
  AccountId: z.number().int(),
  AccountName: z.string(),
  AccountKind: z.enum(ACCOUNT_KINDS),
  Role: z.enum(ROLES),
  InvitedByName: z.string(),
  CreatedDate: isoDate,
  ExpirationDate: isoDate,
});
export type MyInvitation = z.infer<typeof myInvitationDto>;
