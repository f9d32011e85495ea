/**
 * Step 3: one closure ticket naming every chosen account, possible once each of them is
 * eligible. The user may also ask for their own login to be deleted with the accounts.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { TICKET_LIMITS } from '@contract/enums';
import type { TicketDetail } from '@contract/tickets';
import { closureKeys, openTicket, useWaitingTickets, type ClosureEligibilityItem } from '../../../api/closure';
import { useAccount, useSession } from '../../../api/session';
import { ConfirmDialog } from '../../../components/Dialog';
import { Notice } from '../../../components/Feedback';
import { Card, Field } from '../../../components/Form';
import { TicketNote } from './ClearFundsStep';
import { ClosureStatusList } from './ClosureStatusList';

export function RequestClosureStep({ items, actingAccountId }: { items: ClosureEligibilityItem[]; actingAccountId: number }) {
  const account = useAccount();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const waiting = useWaitingTickets(actingAccountId, 'ACCOUNT_CLOSURE');
  const [deleteLogin, setDeleteLogin] = useState(false);
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [opened, setOpened] = useState<TicketDetail | null>(null);
  const ids = items.map((i) => i.AccountId);
  const names = items.map((i) => i.Name).join(', ');
  const blocked = items.filter((i) => !i.Eligible);
  const already = (waiting.data ?? []).filter((t) => t.AccountIds.some((id) => ids.includes(id)));
  // The user's other accounts: deleting the login ends their access to those too.
  const others = me.Accounts.filter((a) => !ids.includes(a.Id)).map((a) => a.Name);

  const file = async () => {
    const ticket = await openTicket(actingAccountId, {
      Type: 'ACCOUNT_CLOSURE',
      Subject: items.length === 1 ? `Close ${names}` : `Close ${items.length} accounts: ${names}`,
      Message: [
        `Please close ${items.map((i) => `${i.Name} (account ${i.AccountId})`).join(', ')}. I understand that closing is irreversible.`,
        deleteLogin ? `Please also delete my own login (${me.User.Email}).` : 'Keep my own login.',
        note.trim(),
      ]
        .filter(Boolean)
        .join('\n\n'),
      AccountIds: ids,
      DeleteMemberAccount: deleteLogin,
    });
    setOpened(ticket);
    await queryClient.invalidateQueries({ queryKey: closureKeys.all });
  };

  return (
    <Card title="Step 3: Ask for the closure" testId="closure-step-3">
      <p>One ticket asks the support team to close every account you chose. An operator checks each one again (steps 1 and 2) before closing it.</p>
      <ClosureStatusList items={items} timeZone={account.TimeZone} testId="closure-eligibility" />
      <Notice kind="warning">
        <strong>Closing is irreversible.</strong> The accounts' users lose access and their API credentials stop working; the personal data (names, e-mails, bank
        details) is erased and cannot be retrieved; contracts still open end, and links track nothing. Brands keep their records of past actions, without your personal
        data.
      </Notice>
      {opened ? (
        <TicketNote ticket={opened} accountId={actingAccountId}>
          Your closure request is sent. An operator reviews each account and closes it; the ticket says what was done.
        </TicketNote>
      ) : already.length ? (
        already.map((t) => (
          <TicketNote key={t.Id} ticket={t} accountId={actingAccountId}>
            A closure of {t.AccountIds.filter((id) => ids.includes(id)).map((id) => items.find((i) => i.AccountId === id)?.Name ?? `#${id}`).join(', ')} is already asked
            for: an operator reviews it, no need to ask again.
          </TicketNote>
        ))
      ) : (
        <form
          className="closure-request"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirming(true);
          }}
        >
          <label className="checkbox">
            <input type="checkbox" checked={deleteLogin} onChange={(e) => setDeleteLogin(e.target.checked)} />
            <span>
              Also delete my own login ({me.User.Email})
              {others.length ? `: I will no longer be able to log in, also not to ${others.join(', ')}` : ': I will no longer be able to log in'}
            </span>
          </label>
          <Field label="Anything the support team should know (optional)">
            <textarea className="input" rows={3} value={note} maxLength={TICKET_LIMITS.messageChars - 400} onChange={(e) => setNote(e.target.value)} />
          </Field>
          {blocked.length ? (
            <Notice kind="warning">
              <span data-testid="closure-blocked">
                Not yet: {blocked.map((i) => i.Name).join(', ')} {blocked.length === 1 ? 'is' : 'are'} blocked (see above). Clear steps 1 and 2 first.
              </span>
            </Notice>
          ) : null}
          <div className="button-row">
            <button type="submit" className="btn btn-danger" disabled={blocked.length > 0 || waiting.isPending}>
              Request the closure of {items.length === 1 ? names : `${items.length} accounts`}
            </button>
          </div>
        </form>
      )}
      {confirming ? (
        <ConfirmDialog title={`Close ${items.length === 1 ? names : `${items.length} accounts`} for good?`} confirmLabel="Send the closure request" danger testId="closure-confirm" onConfirm={file} onClose={() => setConfirming(false)}>
          <p>
            Once the support team closes <strong>{names}</strong>, it cannot be undone: nobody can log in to {items.length === 1 ? 'it' : 'them'} again and the personal data
            cannot be retrieved.
            {deleteLogin ? ` Your login (${me.User.Email}) is deleted too.` : ''}
          </p>
        </ConfirmDialog>
      ) : null}
    </Card>
  );
}
