import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, errorDetail } from '../../api/client';
import { ME_KEY, rememberAccount, useMeQuery } from '../../api/session';
import type { AcceptInvitationBody, InvitationInfo, Me } from '@contract/session';
import { ErrorMessage, Loading, Notice } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { AuthLayout } from './AuthLayout';

const MIN_PASSWORD = 10;

function asRole(role: string): string {
  return role === 'ADMIN' ? 'an admin' : 'a user';
}

/**
 * The invitation link. Who opens it decides what it asks: a logged-in invitee joins with
 * one click (their session is consent enough); someone logged in as another user is told
 * so; an e-mail that already has a login gives that login's password; a new e-mail
 * chooses a name and password.
 */
export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const me = useMeQuery();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.get<InvitationInfo>(`/api/v1/invitations/${encodeURIComponent(token)}`),
    enabled: token.length >= 10,
    retry: false,
  });

  const enter = (joinedMe: Me) => {
    const joined = joinedMe.Accounts.find((a) => a.Name === invitation.data?.AccountName);
    // The account just joined is the one to work in now, and at the next login.
    if (joined) void rememberAccount(joined.Id);
    queryClient.clear();
    queryClient.setQueryData(ME_KEY, joined ? { ...joinedMe, DefaultAccountId: joined.Id } : joinedMe);
    navigate('/', { replace: true });
  };

  const accept = useMutation({
    mutationFn: () =>
      api.post<Me>(
        '/api/v1/invitations/accept',
        (invitation.data?.HasLogin ? { Token: token, Password: password } : { Token: token, Name: name, Password: password }) satisfies AcceptInvitationBody,
      ),
    onSuccess: enter,
  });
  const acceptAsMe = useMutation({
    mutationFn: () => api.post<Me>(`/api/v1/me/invitations/${invitation.data!.Id}/accept`),
    onSuccess: enter,
  });
  const decline = useMutation({
    mutationFn: () => api.post(`/api/v1/me/invitations/${invitation.data!.Id}/decline`),
    onSuccess: () => {
      toast.info(`You declined the invitation to ${invitation.data!.AccountName}.`);
      navigate('/', { replace: true });
    },
  });
  const logOut = useMutation({
    mutationFn: () => api.del('/api/v1/session'),
    onSuccess: () => {
      queryClient.setQueryData(ME_KEY, null);
    },
  });

  if (token.length < 10) {
    return (
      <AuthLayout title="Invitation link incomplete">
        <ErrorMessage>This invitation link is missing its token. Open the full link you were sent.</ErrorMessage>
        <Link to="/login">Go to the login page</Link>
      </AuthLayout>
    );
  }
  if (invitation.isPending || me.isPending) return <Loading label="Checking your invitation…" />;
  if (invitation.isError) {
    return (
      <AuthLayout title="Invitation not valid">
        <ErrorMessage>{errorDetail(invitation.error)}</ErrorMessage>
        <p>
          <Link to="/login">Go to the login page</Link>
        </p>
      </AuthLayout>
    );
  }
  const info = invitation.data;
  const subtitle = (
    <>
      You were invited to <strong data-testid="invitation-account">{info.AccountName}</strong> as {asRole(info.Role)}.
    </>
  );
  const user = me.data?.User;

  if (user && user.Email.toLowerCase() === info.Email.toLowerCase()) {
    const busy = acceptAsMe.isPending || decline.isPending;
    return (
      <AuthLayout title={`Join ${info.AccountName}`} subtitle={subtitle}>
        <div className="form">
          <p>
            You are logged in as <strong data-testid="invitation-email">{user.Email}</strong>, the e-mail this invitation is for.
          </p>
          {acceptAsMe.isError ? <ErrorMessage>{errorDetail(acceptAsMe.error)}</ErrorMessage> : null}
          {decline.isError ? <ErrorMessage>{errorDetail(decline.error)}</ErrorMessage> : null}
          <button type="button" className="btn btn-primary btn-block" disabled={busy} onClick={() => acceptAsMe.mutate()}>
            {acceptAsMe.isPending ? 'Joining…' : `Join ${info.AccountName}`}
          </button>
          <button type="button" className="btn btn-block" disabled={busy} onClick={() => decline.mutate()}>
            Decline
          </button>
        </div>
      </AuthLayout>
    );
  }

  if (user) {
    return (
      <AuthLayout title={`Join ${info.AccountName}`} subtitle={subtitle}>
        <div className="form">
          <Notice kind="warning">
            This invitation is for <strong data-testid="invitation-email">{info.Email}</strong>, but you are logged in as{' '}
            <strong>{user.Email}</strong>. Log out to accept it with the login of {info.Email}, or ask the admin who invited you
            to invite {user.Email} instead.
          </Notice>
          {logOut.isError ? <ErrorMessage>{errorDetail(logOut.error)}</ErrorMessage> : null}
          <button type="button" className="btn btn-primary btn-block" disabled={logOut.isPending} onClick={() => logOut.mutate()}>
            Log out
          </button>
          <Link to="/">Back to Lockstep</Link>
        </div>
      </AuthLayout>
    );
  }

  const tooShort = !info.HasLogin && password.length > 0 && password.length < MIN_PASSWORD;
  return (
    <AuthLayout
      title={`Join ${info.AccountName}`}
      subtitle={
        <>
          {subtitle}{' '}
          {info.HasLogin
            ? 'This e-mail already has a Lockstep login: enter its password to join.'
            : 'Choose your name and a password to finish.'}
        </>
      }
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          accept.mutate();
        }}
      >
        <Field label="E-mail">
          <input
            className="input"
            type="email"
            value={info.Email}
            readOnly
            autoComplete="username"
            data-testid="invitation-email"
          />
        </Field>
        {info.HasLogin ? (
          <Field label="Password">
            <input
              className="input"
              type="password"
              autoComplete="current-password"
              required
              // biome-ignore lint/a11y/noAutofocus: the page is this form alone, so typing starts in the first field to fill
              autoFocus
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
        ) : (
          <>
            <Field label="Your name">
              <input
                className="input"
                autoComplete="name"
                required
                // biome-ignore lint/a11y/noAutofocus: the page is this form alone, so typing starts in the first field to fill
                autoFocus
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </Field>
            <Field label="Password" hint={`At least ${MIN_PASSWORD} characters.`}>
              <input
                className="input"
                type="password"
                autoComplete="new-password"
                required
                minLength={MIN_PASSWORD}
                value={password}
                aria-invalid={tooShort || undefined}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
          </>
        )}
        {accept.isError ? <ErrorMessage>{errorDetail(accept.error)}</ErrorMessage> : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
          {accept.isPending ? 'Joining…' : `Join ${info.AccountName}`}
        </button>
      </form>
    </AuthLayout>
  );
}
