/** The user menu's Profile and Change password dialogs (PATCH /me, POST /me/password). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChangePasswordBody, ChangeProfileBody, PasswordChanged, Profile } from '@contract/profile';
import { api, errorDetail } from '../api/client';
import { ME_KEY, useSession } from '../api/session';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/Feedback';
import { Field } from '../components/Form';
import { useToast } from '../components/Toast';

const MIN_PASSWORD_LENGTH = 10;

function Footer({ onClose, pending, submitLabel }: { onClose: () => void; pending: boolean; submitLabel: string }) {
  return (
    <>
      <button type="button" className="btn" onClick={onClose} disabled={pending}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </>
  );
}

export function ProfileDialog({ onClose }: { onClose: () => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(me.User.Name);
  const save = useMutation({
    mutationFn: () => api.patch<Profile>('/api/v1/me', { Name: name } satisfies ChangeProfileBody),
    onSuccess: async (profile) => {
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
      toast.success(`Your name is now ${profile.Name}.`);
      onClose();
    },
  });
  return (
    <Dialog title="Profile" onClose={onClose} size="sm" testId="profile-dialog" onSubmit={() => save.mutate()} footer={<Footer onClose={onClose} pending={save.isPending} submitLabel="Save" />}>
      <Field label="Name" hint="How the accounts you belong to and the action histories show you.">
        <input className="input" required maxLength={200} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="E-mail" hint="Your login. To use another e-mail, ask an admin to invite it.">
        <input className="input" value={me.User.Email} readOnly />
      </Field>
      {save.isError ? <ErrorMessage>{errorDetail(save.error)}</ErrorMessage> : null}
    </Dialog>
  );
}

export function PasswordDialog({ onClose }: { onClose: () => void }) {
  const { me } = useSession();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => api.post<PasswordChanged>('/api/v1/me/password', { CurrentPassword: current, NewPassword: next } satisfies ChangePasswordBody),
    onSuccess: (result) => {
      toast.success(
        result.EndedSessions
          ? `Password changed. ${result.EndedSessions} other session${result.EndedSessions === 1 ? ' was' : 's were'} logged out.`
          : 'Password changed.',
      );
      onClose();
    },
  });
  return (
    <Dialog
      title="Change password"
      onClose={onClose}
      size="sm"
      testId="password-dialog"
      onSubmit={() => {
        setMismatch(next !== repeat);
        if (next === repeat) change.mutate();
      }}
      footer={<Footer onClose={onClose} pending={change.isPending} submitLabel="Change password" />}
    >
      {/* The login's e-mail, for password managers. */}
      <input type="email" className="visually-hidden" autoComplete="username" value={me.User.Email} readOnly tabIndex={-1} aria-hidden="true" />
      <Field label="Current password">
        <input className="input" type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      </Field>
      <Field label="New password" hint={`At least ${MIN_PASSWORD_LENGTH} characters. Your other sessions are logged out; this one stays.`}>
        <input className="input" type="password" required minLength={MIN_PASSWORD_LENGTH} maxLength={256} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
      </Field>
      <Field label="Repeat the new password">
        <input className="input" type="password" required autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </Field>
      {mismatch ? <ErrorMessage>The new password and its repetition differ.</ErrorMessage> : null}
      {change.isError ? <ErrorMessage>{errorDetail(change.error)}</ErrorMessage> : null}
    </Dialog>
  );
}
