/** Users of an account (admins): members, roles, invitations. */
import { z } from 'zod';
import { ROLES } from '../../modules/accounts/types.js';
import { isoDate } from './common.js';

export const role = z.enum(ROLES);

export const memberDto = z.object({ UserId: z.number().int(), Email: z.string(), Name: z.string(), Role: role, JoinedDate: isoDate });
export type Member = z.infer<typeof memberDto>;

export const invitationDto = z.object({ Id: z.number().int(), Email: z.string(), Role: role, CreatedDate: isoDate, ExpirationDate: isoDate });
export type Invitation = z.infer<typeof invitationDto>;

export const inviteBody = z.object({ Email: z.string().max(254), Role: role }).strict();
export type InviteBody = z.infer<typeof inviteBody>;

/** Always an invitation: the invitee accepts it, whether they have a login or not. */
export const inviteResultDto = z.object({
  Status: z.literal('INVITED'),
  InvitationId: z.number().int(),
  AcceptUrl: z.string().describe('Shown once: send it to the invitee'),
});
export type InviteResult = z.infer<typeof inviteResultDto>;

export const changeRoleBody = z.object({ Role: role }).strict();
export type ChangeRoleBody = z.infer<typeof changeRoleBody>;
