import { useState } from 'react';
import { useActionCommands } from '../../api/actions';
import { errorDetail } from '../../api/client';
import type { BulkOperation, BulkResult } from '@contract/actions';
import type { ChangeReasonCode } from '@contract/enums';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { AskSupportLink, supportFor } from '../support/AskSupport';
import { ReasonSelect } from './ReasonSelect';

const DONE_VERB: Record<BulkOperation, string> = {
  APPROVE: 'approved',
  REVERSE: 'reversed',
  RESTORE: 'restored',
  RESET: 'reset',
};

export interface BulkReport {
  operation: BulkOperation;
  result: BulkResult;
}

/** "18 approved, 2 refused" */
export function bulkSummary({ operation, result }: BulkReport): string {
  return `${result.Succeeded} ${DONE_VERB[operation]}${result.Failed ? `, ${result.Failed} refused` : ''}`;
}

const SHOWN_REFUSALS = 12;

/** The outcome of a bulk operation, action by action: nothing refused goes unmentioned. */
export function BulkOutcome({ report, onDismiss }: { report: BulkReport; onDismiss: () => void }) {
  const [all, setAll] = useState(false);
  const refused = report.result.Outcomes.filter((o) => !o.Ok);
  const shown = all ? refused : refused.slice(0, SHOWN_REFUSALS);
  return (
    <div className={`bulk-outcome ${refused.length ? 'bulk-outcome-mixed' : 'bulk-outcome-ok'}`} role="status" data-testid="bulk-outcome">
      <div className="bulk-outcome-head">
        <strong data-testid="bulk-summary">
          {bulkSummary(report)}
          {refused.length ? ':' : '.'}
        </strong>
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      </div>
      {refused.length ? (
        <ul className="bulk-refusals">
          {shown.map((o) => (
            <li key={o.ActionId} data-testid={`bulk-refusal-${o.ActionId}`}>
              <span className="mono">Action {o.ActionId}</span>
              {o.Refusal ? <span className="code">{o.Refusal}</span> : null}
              <span>{o.Message}</span>
            </li>
          ))}
          {refused.length > shown.length ? (
            <li>
              <button type="button" className="btn btn-link btn-sm" onClick={() => setAll(true)}>
                Show {refused.length - shown.length} more
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
      {SUPPORTED_REFUSALS.map((code) => {
        const ids = refused.filter((o) => o.Refusal === code).map((o) => o.ActionId);
        const help = ids.length ? supportFor(code, ids) : null;
        return help ? (
          <p key={code} className="small">
            {code === 'cpc_needs_operator' ? `${ids.length} cost-per-click ${ids.length === 1 ? 'action needs' : 'actions need'} support to be reversed.` : `${ids.length} ${ids.length === 1 ? 'action has' : 'actions have'} reached the limit of modifications.`}{' '}
            <AskSupportLink type={help.type} subject={help.subject} message={help.message} actionIds={ids} />
          </p>
        ) : null;
      })}
    </div>
  );
}

/** Refusals a support ticket can lift, offered below the list. */
const SUPPORTED_REFUSALS = ['cpc_needs_operator', 'modification_limit'] as const;

interface BulkDialogProps {
  operation: BulkOperation;
  actionIds: string[];
  onClose: () => void;
  onDone: (report: BulkReport) => void;
}

const TITLES: Record<BulkOperation, (n: number) => string> = {
  APPROVE: (n) => `Approve ${n} selected ${n === 1 ? 'action' : 'actions'}?`,
  REVERSE: (n) => `Reverse ${n} selected ${n === 1 ? 'action' : 'actions'}`,
  RESTORE: (n) => `Approve ${n} reversed ${n === 1 ? 'action' : 'actions'}?`,
  RESET: (n) => `Reset ${n} selected ${n === 1 ? 'action' : 'actions'}?`,
};

const EXPLANATIONS: Record<BulkOperation, string> = {
  APPROVE: 'Approved actions lock now instead of on their locking date, and can no longer be modified or reversed.',
  REVERSE: 'The partners earn nothing for reversed actions and see the reason you choose. Cost-per-click actions are refused: reversing them needs support.',
  RESTORE: 'Approving a reversed action overrides the reversal: it is pending again and locks per the contract terms.',
  RESET: 'Each action goes back to its original amount, payout and items, and is pending.',
};

const BUTTONS: Record<BulkOperation, string> = {
  APPROVE: 'Approve',
  REVERSE: 'Reverse',
  RESTORE: 'Approve',
  RESET: 'Reset',
};

/** Confirms a bulk operation (with a reason for reversals) and reports each action's outcome. */
export function BulkDialog({ operation, actionIds, onClose, onDone }: BulkDialogProps) {
  const commands = useActionCommands();
  const toast = useToast();
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const n = actionIds.length;

  const submit = async () => {
    if (operation === 'REVERSE' && !reason) {
      setError('Choose the reason for the reversal: the partners see it.');
      return;
    }
    setPending(true);
    setError(null);
    try {
      const result = await commands.bulk(operation, actionIds, operation === 'REVERSE' ? (reason as ChangeReasonCode) : undefined);
      const report = { operation, result };
      if (result.Failed) toast.error(`${bulkSummary(report)}. See the list above the table for why.`);
      else toast.success(`${bulkSummary(report)}.`);
      onDone(report);
    } catch (e) {
      setError(errorDetail(e));
      setPending(false);
    }
  };

  return (
    <Dialog
      title={TITLES[operation](n)}
      size="sm"
      testId="bulk-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className={`btn ${operation === 'REVERSE' ? 'btn-danger' : 'btn-primary'}`} disabled={pending}>
            {pending ? 'Working…' : `${BUTTONS[operation]} ${n}`}
          </button>
        </>
      }
    >
      <p>{EXPLANATIONS[operation]}</p>
      {operation === 'REVERSE' ? (
        <Field label="Reason">
          <ReasonSelect value={reason} onChange={setReason} />
        </Field>
      ) : null}
      {n > 1000 ? <Notice kind="info">Large selections take a moment; each action gets its own outcome.</Notice> : null}
      {error ? <ErrorMessage>{error}</ErrorMessage> : null}
    </Dialog>
  );
}
