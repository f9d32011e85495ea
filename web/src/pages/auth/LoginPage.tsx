import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, errorDetail } from '../../api/client';
import { ME_KEY, useMeQuery } from '../../api/session';
import type { LogInBody, Me } from '@contract/session';
import { ErrorMessage, Loading } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { AuthLayout } from './AuthLayout';

/** Only same-site paths are followed after login. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const me = useMeQuery();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const logIn = useMutation({
    mutationFn: () => api.post<Me>('/api/v1/session', { Email: email, Password: password } satisfies LogInBody),
    onSuccess: (data) => {
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, data);
      navigate(next, { replace: true });
    },
  });

  if (me.isPending) return <Loading />;
  if (me.data && !logIn.isPending) return <Navigate to={next} replace />;

  return (
    <AuthLayout title="Log in" subtitle="Use the e-mail and password of your Lockstep login.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          logIn.mutate();
        }}
      >
        <Field label="E-mail">
          <input
            className="input"
            type="email"
            name="email"
            autoComplete="username"
            required
            // biome-ignore lint/a11y/noAutofocus: the page is this form alone, so typing starts in the first field to fill
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password">
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {logIn.isError ? <ErrorMessage>{errorDetail(logIn.error)}</ErrorMessage> : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={logIn.isPending}>
          {logIn.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}
