import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, errorDetail } from '../../api/client';
import { ME_KEY, rememberAccount } from '../../api/session';
import type { InvitationInfo, Me } from '../../api/types';
import { ErrorMessage, Loading } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { humanize } from '../../lib/format';
import { AuthLayout } from './AuthLayout';

const MIN_PASSWORD = 10;

export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.get<InvitationInfo>(`/api/v1/invitations/${encodeURIComponent(token)}`),
    enabled: token.length >= 10,
    retry: false,
  });

  const accept = useMutation({
    mutationFn: () => api.post<Me>('/api/v1/invitations/accept', { token, name, password }),
    onSuccess: (me) => {
      const joined = me.accounts.find((a) => a.name === invitation.data?.accountName);
      if (joined) rememberAccount(joined.id);
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, me);
      navigate('/', { replace: true });
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
  if (invitation.isPending) return <Loading label="Checking your invitation…" />;
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
  const tooShort = password.length > 0 && password.length < MIN_PASSWORD;

  return (
    <AuthLayout
      title={`Join ${info.accountName}`}
      subtitle={
        <>
          You were invited to <strong data-testid="invitation-account">{info.accountName}</strong> as{' '}
          {humanize(info.role).toLowerCase() === 'admin' ? 'an admin' : 'a user'}. Choose your name and a password to
          finish.
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
          <input className="input" type="email" value={info.email} readOnly data-testid="invitation-email" />
        </Field>
        <Field label="Your name">
          <input className="input" autoComplete="name" required autoFocus value={name} onChange={(e) => setName(e.target.value)} />
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
        {accept.isError ? <ErrorMessage>{errorDetail(accept.error)}</ErrorMessage> : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
          {accept.isPending ? 'Joining…' : `Join ${info.accountName}`}
        </button>
      </form>
    </AuthLayout>
  );
}
