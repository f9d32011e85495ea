import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { errorDetail } from '../../api/client';
import { ME_KEY, useAccount, useAccountApi, useAccountKey, useSession } from '../../api/session';
import type { Role } from '@contract/enums';
import type { ChangeRoleBody, Invitation, InviteBody, InviteResult, Member } from '@contract/users';
import { columnsFor, DataTable } from '../../components/DataTable';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Badge, Card, CopyField, Field, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDate } from '../../lib/format';
import { label } from '../../lib/labels';

const NO_MEMBERS: Member[] = [];
const NO_INVITATIONS: Invitation[] = [];
const memberCol = columnsFor<Member>();
const invitationCol = columnsFor<Invitation>();

function InviteUserDialog({ onClose }: { onClose: () => void }) {
  const account = useAccount();
  const http = useAccountApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('USER');
  const [result, setResult] = useState<InviteResult | null>(null);

  const invite = useMutation({
    mutationFn: () => http.post<InviteResult>('/api/v1/users/invitations', { Email: email, Role: role } satisfies InviteBody),
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'users'] });
      setResult(data);
    },
  });

  // Nobody joins without accepting: the answer is an invitation whether or not the e-mail
  // already has a Lockstep login (and does not say which).
  if (result) {
    return (
      <Dialog
        title="Invitation sent"
        testId="invite-result"
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          Share this link with <strong>{email}</strong>. They join {account.Name} as {role === 'ADMIN' ? 'an admin' : 'a user'} once
          they accept: someone new to Lockstep chooses a name and password; someone who already has a login confirms with its
          password, or accepts from their pending invitations after logging in. The link works once and expires in 7 days.
        </p>
        <div className="form">
          <CopyField label="Invitation link" value={result.AcceptUrl} testId="accept-url" />
          <Notice kind="warning">This link is shown only now. If it gets lost, revoke the invitation and invite again.</Notice>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      title={`Invite a user to ${account.Name}`}
      testId="invite-dialog"
      onClose={onClose}
      onSubmit={() => invite.mutate()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={invite.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={invite.isPending || !email.trim()}>
            {invite.isPending ? 'Inviting…' : 'Invite'}
          </button>
        </>
      }
    >
      <div className="form">
        <Field label="E-mail" hint="They get an invitation link and join when they accept it.">
          <input className="input" type="email" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Role">
          <select className="select" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="USER">User: works in the account</option>
            <option value="ADMIN">Admin: also manages users and API credentials</option>
          </select>
        </Field>
        {invite.isError ? <ErrorMessage>{errorDetail(invite.error)}</ErrorMessage> : null}
      </div>
    </Dialog>
  );
}

const LAST_ADMIN_REASON = 'The last admin cannot be removed: make another member an admin first.';

export function UsersPage() {
  const account = useAccount();
  const { me } = useSession();
  const http = useAccountApi();
  const key = useAccountKey();
  const queryClient = useQueryClient();
  const toast = useToast();
  const isAdmin = account.Role === 'ADMIN';
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  const members = useQuery({ queryKey: key('users'), queryFn: () => http.get<Member[]>('/api/v1/users') });
  const invitations = useQuery({
    queryKey: key('users', 'invitations'),
    queryFn: () => http.get<Invitation[]>('/api/v1/users/invitations'),
    enabled: isAdmin,
  });

  const refreshAfterChange = async (userId: number) => {
    await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'users'] });
    // Your own role or membership changed: the account list and switcher must follow.
    if (userId === me.User.Id) await queryClient.invalidateQueries({ queryKey: ME_KEY });
  };

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) => http.patch(`/api/v1/users/${member.UserId}`, { Role: role } satisfies ChangeRoleBody),
    onSuccess: async (_data, { member, role }) => {
      toast.success(`${member.Name} is now ${role === 'ADMIN' ? 'an admin' : 'a user'} of ${account.Name}.`);
      await refreshAfterChange(member.UserId);
    },
    onError: (error) => toast.error(errorDetail(error)),
  });

  const { mutate: mutateRole, isPending: rolePending } = changeRole;
  const adminCount = (members.data ?? []).filter((m) => m.Role === 'ADMIN').length;
  const columns = useMemo(
    () => [
      memberCol.accessor('Name', {
        header: 'Name',
        cell: ({ row }) => (
          <span className="nowrap">
            <strong>{row.original.Name}</strong>
            {row.original.UserId === me.User.Id ? (
              <>
                {' '}
                <Badge tone="blue">You</Badge>
              </>
            ) : null}
          </span>
        ),
      }),
      memberCol.accessor('Email', { header: 'E-mail' }),
      memberCol.accessor('Role', {
        header: 'Role',
        meta: { width: 150 },
        cell: ({ row }) => {
          const m = row.original;
          if (!isAdmin) return <Badge tone={m.Role === 'ADMIN' ? 'violet' : 'gray'}>{label.role(m.Role)}</Badge>;
          return (
            <select
              className="select select-sm"
              aria-label={`Role of ${m.Name}`}
              value={m.Role}
              disabled={rolePending}
              onChange={(e) => mutateRole({ member: m, role: e.target.value as Role })}
            >
              <option value="ADMIN">Admin</option>
              <option value="USER" disabled={m.Role === 'ADMIN' && adminCount === 1}>
                User{m.Role === 'ADMIN' && adminCount === 1 ? ' (the account needs another admin first)' : ''}
              </option>
            </select>
          );
        },
      }),
      memberCol.accessor('JoinedDate', {
        header: 'Joined',
        cell: (info) => formatDate(info.getValue(), account.TimeZone),
        meta: { className: 'nowrap', width: 120 },
      }),
      ...(isAdmin
        ? [
            memberCol.display({
              id: 'actions',
              header: () => <span className="visually-hidden">Actions</span>,
              meta: { align: 'right', width: 100 },
              cell: ({ row }) => {
                // An account keeps at least one admin: the server refuses removing the last one,
                // so the button says why before anyone confirms anything.
                const last = row.original.Role === 'ADMIN' && adminCount === 1;
                const reasonId = `last-admin-${row.original.UserId}`;
                return (
                  <span className="row-actions row-actions-stacked">
                    <button
                      type="button"
                      className="btn btn-sm btn-danger-ghost"
                      aria-label={`Remove ${row.original.Name}`}
                      aria-describedby={last ? reasonId : undefined}
                      disabled={last}
                      title={last ? LAST_ADMIN_REASON : undefined}
                      onClick={() => setRemoving(row.original)}
                    >
                      Remove
                    </button>
                    {last ? (
                      <span id={reasonId} className="muted small" data-testid="last-admin-reason">
                        {LAST_ADMIN_REASON}
                      </span>
                    ) : null}
                  </span>
                );
              },
            }),
          ]
        : []),
    ],
    [isAdmin, me.User.Id, account.TimeZone, mutateRole, rolePending, adminCount],
  );

  const invitationColumns = useMemo(
    () => [
      invitationCol.accessor('Email', { header: 'E-mail' }),
      invitationCol.accessor('Role', { header: 'Role', cell: (info) => label.role(info.getValue()), meta: { width: 100 } }),
      invitationCol.accessor('CreatedDate', { header: 'Invited', cell: (info) => formatDate(info.getValue(), account.TimeZone), meta: { width: 120 } }),
      invitationCol.accessor('ExpirationDate', { header: 'Expires', cell: (info) => formatDate(info.getValue(), account.TimeZone), meta: { width: 120 } }),
      invitationCol.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { align: 'right', width: 100 },
        cell: ({ row }) => (
          <button type="button" className="btn btn-sm" aria-label={`Revoke invitation of ${row.original.Email}`} onClick={() => setRevoking(row.original)}>
            Revoke
          </button>
        ),
      }),
    ],
    [account.TimeZone],
  );

  return (
    <div className="page">
      <PageHeader
        title="Users"
        subtitle={`People who can work in ${account.Name}.`}
        actions={
          isAdmin ? (
            <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
              Invite user
            </button>
          ) : null
        }
      />
      {!isAdmin ? (
        <Notice>You can see who has access to {account.Name}. Only admins can invite users, change roles or remove users.</Notice>
      ) : null}
      <div className="stack">
        <Card title="Members">
          <DataTable
            label="Users"
            testId="users-table"
            columns={columns}
            data={members.data ?? NO_MEMBERS}
            getRowId={(m) => String(m.UserId)}
            rowTestId={(m) => `user-row-${m.Email}`}
            itemName={['user', 'users']}
            loading={members.isPending}
            error={members.error}
            onRetry={() => void members.refetch()}
            search={{ placeholder: 'Search name or e-mail' }}
            initialSorting={[{ id: 'Name', desc: false }]}
          />
        </Card>
        {isAdmin ? (
          <Card title="Pending invitations">
            <DataTable
              label="Pending invitations"
              testId="invitations-table"
              columns={invitationColumns}
              data={invitations.data ?? NO_INVITATIONS}
              getRowId={(i) => String(i.Id)}
              itemName={['pending invitation', 'pending invitations']}
              loading={invitations.isPending}
              error={invitations.error}
              emptyMessage="No pending invitations."
              hideFooter={(invitations.data?.length ?? 0) <= 10}
            />
          </Card>
        ) : null}
      </div>
      {inviting ? <InviteUserDialog onClose={() => setInviting(false)} /> : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.Name}?`}
          confirmLabel="Remove user"
          danger
          testId="remove-user-dialog"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await http.del(`/api/v1/users/${removing.UserId}`);
            toast.success(`${removing.Name} no longer has access to ${account.Name}.`);
            await refreshAfterChange(removing.UserId);
          }}
        >
          {removing.Name} ({removing.Email}) loses access to {account.Name} at once, and the API tokens they issued for it
          stop working.
        </ConfirmDialog>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title="Revoke invitation?"
          confirmLabel="Revoke invitation"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await http.del(`/api/v1/users/invitations/${revoking.Id}`);
            toast.success(`The invitation of ${revoking.Email} was revoked.`);
            await queryClient.invalidateQueries({ queryKey: ['account', account.Id, 'users', 'invitations'] });
          }}
        >
          The invitation link sent to {revoking.Email} stops working.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
