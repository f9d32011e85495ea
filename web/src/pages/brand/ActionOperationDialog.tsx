import { useState } from 'react';
import { useActionCommands } from '../../api/actions';
import { errorDetail } from '../../api/client';
import { useAccount } from '../../api/session';
import type { Action, ActionDetail } from '@contract/actions';
import type { ChangeReasonCode } from '@contract/enums';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDate } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import type { BrandOperation } from '../shared/actions/availability';
import { reasonLabel, statusDetailLabel } from '../../lib/labels';
import { ModifyItemDetailsDialog } from './ModifyItemDetailsDialog';
import { RefusalSupport } from '../support/AskSupport';
import { actionSummary, ReasonSelect } from './ReasonSelect';

export interface PendingOperation {
  op: BrandOperation;
  action: Action;
}

function ReverseActionDialog({ action, onClose, onDone }: { action: Action; onClose: () => void; onDone: (a: ActionDetail) => void }) {
  const account = useAccount();
  const commands = useActionCommands();
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    if (!reason) {
      setError(new Error('Choose the reason for the reversal: the partner sees it.'));
      return;
    }
    setPending(true);
    setError(null);
    try {
      onDone(await commands.reverse(action.Id, reason));
    } catch (e) {
      setError(e);
      setPending(false);
    }
  };
  return (
    <Dialog
      title={`Reverse action ${action.Id}`}
      testId="reverse-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={pending}>
            {pending ? 'Reversing…' : 'Reverse'}
          </button>
        </>
      }
    >
      <p>
        {actionSummary(action, account.TimeZone)}: sale amount <strong>{formatMoney(action.Amount, action.Currency)}</strong>, payout{' '}
        <strong>{formatMoney(action.Payout, action.Currency)}</strong>.
      </p>
      <Field label="Reason" hint={reason ? `The partner sees the action as ${statusDetailLabel(`Reversed/${reason}`)} (Reversed/${reason}).` : 'The partner sees the action as reversed, with this reason.'}>
        <ReasonSelect value={reason} onChange={setReason} />
      </Field>
      <Notice kind="info">The partner earns nothing for a reversed action. Until its locking date you can still approve it to restore it.</Notice>
      {error ? <ErrorMessage>{errorDetail(error)}</ErrorMessage> : null}
      {error ? <RefusalSupport error={error} actionIds={[action.Id]} /> : null}
    </Dialog>
  );
}

/**
 * The dialog for one operation on one action, opened from a row's More menu or from the
 * details panel. Refusals (locked, CPC…) are shown with the server's detail.
 */
export function ActionOperationDialog({ operation, onClose }: { operation: PendingOperation; onClose: () => void }) {
  const account = useAccount();
  const commands = useActionCommands();
  const toast = useToast();
  const { op, action: a } = operation;
  const money = (amount: string) => formatMoney(amount, a.Currency);
  const lockingDate = formatDate(a.LockingDate, account.TimeZone);
  const refusalHelp = (error: unknown) => <RefusalSupport error={error} actionIds={[a.Id]} />;

  switch (op) {
    case 'approve':
      return (
        <ConfirmDialog
          title={`Approve action ${a.Id}?`}
          confirmLabel="Approve"
          testId="approve-dialog"
          onClose={onClose}
          errorHelp={refusalHelp}
          onConfirm={async () => {
            const done = await commands.approve(a.Id);
            toast.success(`Action ${a.Id} approved: locked with a payout of ${money(done.Payout)} (${done.StatusDetail}).`);
          }}
        >
          <p>
            {actionSummary(a, account.TimeZone)}: payout <strong>{money(a.Payout)}</strong> on a sale amount of {money(a.Amount)}.
          </p>
          <p>Approving locks it now instead of on {lockingDate}. A locked action can no longer be modified or reversed.</p>
        </ConfirmDialog>
      );
    case 'restore':
      return (
        <ConfirmDialog
          title={`Approve reversed action ${a.Id}?`}
          confirmLabel="Approve"
          testId="restore-dialog"
          onClose={onClose}
          errorHelp={refusalHelp}
          onConfirm={async () => {
            const done = await commands.restore(a.Id);
            toast.success(`Action ${a.Id} restored: ${done.StatusDetail}, payout ${money(done.Payout)}. It locks on ${formatDate(done.LockingDate, account.TimeZone)}.`);
          }}
        >
          <p>
            {actionSummary(a, account.TimeZone)} was reversed ({a.ReversalReason ? `${a.ReversalReason} · ${reasonLabel(a.ReversalReason)}` : 'no reason'}).
          </p>
          <p>Approving overrides the reversal: the action is pending again (payout {money(a.Payout)}) and locks per the contract terms on {lockingDate}.</p>
        </ConfirmDialog>
      );
    case 'reset':
      return (
        <ConfirmDialog
          title={`Reset action ${a.Id}?`}
          confirmLabel="Reset"
          testId="reset-dialog"
          onClose={onClose}
          errorHelp={refusalHelp}
          onConfirm={async () => {
            const done = await commands.reset(a.Id);
            toast.success(`Action ${a.Id} reset: ${done.StatusDetail}, sale amount ${money(done.Amount)}, payout ${money(done.Payout)}.`);
          }}
        >
          <p>
            Back to the original values: sale amount <strong>{money(a.IntendedAmount)}</strong> (now {money(a.Amount)}), payout{' '}
            <strong>{money(a.IntendedPayout)}</strong> (now {money(a.Payout)}){a.Items.length ? ', every item as tracked' : ''}.
          </p>
          <p>{a.State === 'REVERSED' ? 'The reversal is undone: the action is pending again.' : 'The action stays pending.'}</p>
        </ConfirmDialog>
      );
    case 'reverse':
      return (
        <ReverseActionDialog
          action={a}
          onClose={onClose}
          onDone={(done) => {
            toast.success(`Action ${a.Id} reversed: ${statusDetailLabel(done.StatusDetail)}.`);
            onClose();
          }}
        />
      );
    case 'modify':
      return <ModifyItemDetailsDialog action={a} onClose={onClose} />;
  }
}
