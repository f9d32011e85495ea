import type { AccountDetails } from '../contract/accounts.js';
import type { ApiToken } from '../contract/credentials.js';
import type { Invitation, Member } from '../contract/users.js';
import type { OPERATOR_ACCOUNT_SORTS } from '../contract/enums.js';
import type { OperatorAccount } from '../contract/operator.js';
import type { ApiTokenSummary } from '../../modules/accounts/api-tokens.js';
import type { PendingInvitation } from '../../modules/accounts/members.js';
import type { AccountRow, MemberRow } from '../../modules/accounts/queries.js';
import { isoOrNull } from './common.js';

/** The operators' account list: its sort fields, as the API names them, to the service's keys. */
export const ACCOUNT_SORT_KEYS = { Id: 'id', Name: 'name', CreatedDate: 'createdAt', Kind: 'kind' } as const satisfies Record<
  (typeof OPERATOR_ACCOUNT_SORTS)[number],
  string
>;

export function toAccountDto(a: AccountRow): AccountDetails {
  return {
    Id: a.id,
    Kind: a.kind,
    Name: a.name,
    TimeZone: a.timeZone,
    Currency: a.currency,
    AccountSid: a.sid,
    Status: a.status,
    CreatedDate: a.createdAt.toISOString(),
  };
}

export function toOperatorAccountDto(a: AccountRow & { members: number }): OperatorAccount {
  return { ...toAccountDto(a), Members: a.members };
}

export function toMemberDto(m: MemberRow): Member {
  return { UserId: m.userId, Email: m.email, Name: m.name, Role: m.role, JoinedDate: m.joinedAt.toISOString() };
}

export function toInvitationDto(i: PendingInvitation): Invitation {
  return { Id: i.id, Email: i.email, Role: i.role, CreatedDate: i.createdAt.toISOString(), ExpirationDate: i.expiresAt.toISOString() };
}

export function toApiTokenDto(t: ApiTokenSummary): ApiToken {
  return {
    Id: t.id,
    Label: t.label,
    Hint: t.hint,
    CreatedBy: t.createdBy,
    CreatedByName: t.createdByName,
    CreatedDate: t.createdAt.toISOString(),
    LastUsedDate: isoOrNull(t.lastUsedAt),
  };
}
