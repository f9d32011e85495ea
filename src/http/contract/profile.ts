import { z } from 'zod';
import { MAX_USER_NAME_LENGTH } from '../../modules/accounts/types.js';

/** The user menu's Profile: the logged-in user's own name. */
export const changeProfileBody = z.object({ Name: z.string().max(MAX_USER_NAME_LENGTH).describe('Your name, as the accounts you belong to show it') }).strict();
export type ChangeProfileBody = z.infer<typeof changeProfileBody>;

export const profileDto = z.object({ Id: z.number().int(), Email: z.string(), Name: z.string() }).meta({ id: 'Profile' });
export type Profile = z.infer<typeof profileDto>;

/** The user menu's Change password: the current password, then the new one. */
export const changePasswordBody = z
  .object({
    CurrentPassword: z.string().max(256).describe('The password you log in with now'),
    NewPassword: z.string().max(256).describe('At least 10 characters'),
  })
  .strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const passwordChangedDto = z
  .object({ EndedSessions: z.number().int().describe('Your other sessions (other browsers and devices) that were logged out; this one stays') })
  .meta({ id: 'PasswordChanged' });
export type PasswordChanged = z.infer<typeof passwordChangedDto>;
