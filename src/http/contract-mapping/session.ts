import type { Me, MyInvitation as MyInvitationDto } from '../contract/session.js';
import type { MyInvitation } from '../../modules/accounts/my-invitations.js';
import { landingAccountId } from '../../modules/accounts/last-account.js';
import type { listMembershipsOfUser } from '../../modules/accounts/queries.js';

type Membership = Awaited<ReturnType<typeof listMembershipsOfUser>>[number];

export function toMeDto(
  user: { userId: number; email: string; name: string; isOperator: boolean },
  memberships: readonly Membership[],
  lastAccountId: number | null = null,
): Me {
  return {
    DefaultAccountId: landingAccountId(memberships, lastAccountId),
    User: { Id: user.userId, Email: user.email, Name: user.name, IsOperator: user.isOperator },
    Accounts: memberships.map((m) => ({
      Id: m.accountId,
      Name: m.accountName,
      Kind: m.accountKind,
      Role: m.role,
      TimeZone: m.accountTimeZone,
      Currency: m.accountCurrency,
    })),
  };
}

export function toMyInvitationDto(i: MyInvitation): MyInvitationDto {
  return {
    Id: i.id,
    AccountId: i.accountId,
    AccountName: i.accountName,
    AccountKind: i.accountKind,
    Role: i.role,
    InvitedByName: i.invitedByName,
    CreatedDate: i.createdAt.toISOString(),
    ExpirationDate: i.expiresAt.toISOString(),
  };
}
