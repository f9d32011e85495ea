/** API credentials (admins): the Account SID and its Auth Tokens. */
import { z } from 'zod';
import { isoDate } from './common.js';

export const apiTokenDto = z.object({
  Id: z.number().int(),
  Label: z.string(),
  Hint: z.string().describe('The last characters of the token'),
  CreatedBy: z.number().int().describe('The user who issued it'),
  CreatedByName: z.string(),
  CreatedDate: isoDate,
  LastUsedDate: isoDate.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenDto>;

export const credentialsDto = z.object({ AccountSid: z.string(), Tokens: z.array(apiTokenDto) });
export type Credentials = z.infer<typeof credentialsDto>;

export const issueTokenBody = z.object({ Label: z.string().max(100).optional() }).strict();
export type IssueTokenBody = z.infer<typeof issueTokenBody>;

export const issuedTokenDto = z.object({
  Id: z.number().int(),
  AccountSid: z.string(),
  AuthToken: z.string().describe('Shown once; only a hash is stored'),
});
export type IssuedToken = z.infer<typeof issuedTokenDto>;
