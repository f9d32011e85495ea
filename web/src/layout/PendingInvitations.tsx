import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorDetail } from '../api/client';
import { ME_KEY, useSession } from '../api/session';
import type { Me, MyInvitation } from '@contract/session';
import { useToast } from '../components/Toast';
import { humanize } from '../lib/format';

export const MY_INVITATIONS_KEY = ['me', 'invitations'] as const;

/**
 * Invitations addressed to the logged-in user, above every page until they answer them:
 * joining an account always takes the invitee's own consent, and a user who already has
 * a login accepts here with one click (no link, no password).
 */
export function PendingInvitations() {
  const { isOperator, switchAccount } = useSession();
  const queryClient = useQueryClient();
  const toast = useToast();
  const invitations = useQuery({
    queryKey: MY_INVITATIONS_KEY,
    queryFn: () => api.get<MyInvitation[]>('/api/v1/me/invitations'),
    // Operators cannot be members of an account.
    enabled: !isOperator,
    staleTime: 60_000,
  });

  const accept = useMutation({
    mutationFn: (invitation: MyInvitation) => api.post<Me>(`/api/v1/me/invitations/${invitation.Id}/accept`),
    onSuccess: async (me, invitation) => {
      queryClient.setQueryData(ME_KEY, me);
      switchAccount(invitation.AccountId);
      toast.success(`You joined ${invitation.AccountName}; you are now working in it.`);
      await queryClient.invalidateQueries({ queryKey: MY_INVITATIONS_KEY });
    },
    onError: (error) => toast.error(errorDetail(error)),
  });
  const decline = useMutation({
    mutationFn: (invitation: MyInvitation) => api.post(`/api/v1/me/invitations/${invitation.Id}/decline`),
    onSuccess: async (_data, invitation) => {
      toast.info(`You declined the invitation to ${invitation.AccountName}.`);
      await queryClient.invalidateQueries({ queryKey: MY_INVITATIONS_KEY });
    },
    onError: (error) => toast.error(errorDetail(error)),
  });

  if (isOperator || !invitations.data?.length) return null;
  const busy = accept.isPending || decline.isPending;
  return (
    <section aria-label="Your invitations" data-testid="my-invitations" style={{ paddingTop: 16, marginBottom: -8 }}>
      {invitations.data.map((invitation) => (
        <div key={invitation.Id} className="alert alert-info" data-testid={`my-invitation-${invitation.AccountName}`}>
          <span>
            {invitation.InvitedByName} invited you to join <strong>{invitation.AccountName}</strong> (
            {humanize(invitation.AccountKind).toLowerCase()}) as {invitation.Role === 'ADMIN' ? 'an admin' : 'a user'}.
          </span>
          <span style={{ display: 'flex', gap: 8 }}>
            <button
              type="button"
              className="btn btn-sm btn-primary"
              disabled={busy}
              aria-label={`Join ${invitation.AccountName}`}
              onClick={() => accept.mutate(invitation)}
            >
              Join
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={busy}
              aria-label={`Decline the invitation to ${invitation.AccountName}`}
              onClick={() => decline.mutate(invitation)}
            >
              Decline
            </button>
          </span>
        </div>
      ))}
    </section>
  );
}
