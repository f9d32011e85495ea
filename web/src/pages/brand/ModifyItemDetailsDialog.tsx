import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useActionCommands } from '../../api/actions';
import { errorDetail } from '../../api/client';
import { useAccount } from '../../api/session';
import type { Action, ActionDetail, ModifyBody, ModifyItemsBody } from '@contract/actions';
import type { ChangeReasonCode } from '@contract/enums';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Notice } from '../../components/Feedback';
import { RefusalSupport } from '../support/AskSupport';
import { Badge, Field } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { amountProblem, formatMoney, isZeroAmount, normalizeAmount } from '../../lib/money';
import { actionSummary, ReasonSelect } from './ReasonSelect';

interface ItemDraft {
  amount: string;
  reject: boolean;
}

/** The value after `ms` without a change (the dry run is asked for once typing pauses). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * "Modify Item Details": per item, reject it or give it a new amount; for an action
 * without items, a new sale amount. The payout is recomputed by the server from the
 * contract's terms, and shown before saving: the same request as a dry run
 * (`?dryRun=true`), which saves nothing. All the changes go in one request
 * (modify-items) with the chosen reason, and the server keeps all of them or none.
 * Items are numbered from 1, as in the API and in files (Sku1 is item 1).
 */
export function ModifyItemDetailsDialog({ action, onClose }: { action: Action; onClose: () => void }) {
  const account = useAccount();
  const commands = useActionCommands();
  const toast = useToast();
  const c = action.Currency;
  const hasItems = action.Items.length > 0;
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  const [amount, setAmount] = useState(action.Amount);
  const [items, setItems] = useState<ItemDraft[]>(() => action.Items.map((item) => ({ amount: item.Amount, reject: false })));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState<unknown>(null);
  const [showProblems, setShowProblems] = useState(false);

  const setItem = (index: number, change: Partial<ItemDraft>) =>
    setItems((list) => list.map((draft, i) => (i === index ? { ...draft, ...change } : draft)));

  const liveItems = action.Items.filter((item) => !item.Rejected);
  const rejecting = action.Items.filter((item, i) => !item.Rejected && items[i]?.reject);
  const changedItems = action.Items.filter((item, i) => {
    const draft = items[i];
    return draft && !item.Rejected && !draft.reject && !amountProblem(draft.amount, c) && normalizeAmount(draft.amount, c) !== normalizeAmount(item.Amount, c);
  });
  const itemProblems = action.Items.map((item, i) => {
    const draft = items[i];
    return draft && !item.Rejected && !draft.reject ? amountProblem(draft.amount, c) : null;
  });
  const amountError = hasItems ? null : amountProblem(amount, c);
  const amountChanged = !hasItems && !amountError && normalizeAmount(amount, c) !== normalizeAmount(action.Amount, c);
  const rejectsAll = hasItems && liveItems.length > 0 && rejecting.length === liveItems.length;
  const reversesOrder = !hasItems && amountChanged && isZeroAmount(amount) && !isZeroAmount(action.IntendedAmount);
  const nothingChanged = hasItems ? rejecting.length === 0 && changedItems.length === 0 : !amountError && !amountChanged;
  const unchangedText = hasItems
    ? `Nothing to save yet: every item keeps its amount (sale amount ${formatMoney(action.Amount, c)}, payout ${formatMoney(action.Payout, c)}). Reject an item or give one a new amount.`
    : `Nothing to save yet: ${formatMoney(amount || '0', c)} is the sale amount the action already has (payout ${formatMoney(action.Payout, c)}). Enter a different amount; 0 reverses the action.`;

  // The request as it would be sent, for the server's dry run (the reason does not change
  // the amounts; one is needed for the request to be valid).
  const itemsBody = (why: ChangeReasonCode): ModifyItemsBody => ({
    Reason: why,
    Items: [
      ...rejecting.map((item) => ({ Index: item.Index, Reject: true as const })),
      ...changedItems.map((item) => ({ Index: item.Index, Amount: normalizeAmount(items[item.Index - 1]!.amount, c) })),
    ],
  });
  const amountBody = (why: ChangeReasonCode): ModifyBody => ({ Reason: why, Amount: normalizeAmount(amount, c) });
  const previewable = !nothingChanged && !amountError && !itemProblems.some(Boolean);
  const draft = useSettled(previewable ? JSON.stringify(hasItems ? itemsBody(reason || 'OTHER') : amountBody(reason || 'OTHER')) : null, 300);
  const preview = useQuery({
    queryKey: ['account', account.Id, 'action-preview', action.Id, draft],
    queryFn: () => commands.preview(action.Id, hasItems ? 'modify-items' : 'modify', JSON.parse(draft!) as ModifyBody | ModifyItemsBody),
    enabled: draft !== null && previewable,
    retry: false,
    staleTime: 10_000,
  });

  const submit = async () => {
    setShowProblems(true);
    setError(null);
    // Nothing changed is said first: no reason makes an unchanged amount worth saving.
    if (nothingChanged) return setError(unchangedText);
    if (!reason) return setError('Choose the reason for the modification: the partner sees it.');
    if (amountError || itemProblems.some(Boolean)) return setError('Correct the amounts marked above.');
    setPending(true);
    const done: string[] = [
      ...rejecting.map((item) => `item ${item.Index} rejected`),
      ...(changedItems.length
        ? [`${changedItems.length === 1 ? `item ${changedItems[0]!.Index}` : `${changedItems.length} items`} re-priced`]
        : []),
    ];
    let result: ActionDetail;
    try {
      result = hasItems ? await commands.modifyItems(action.Id, itemsBody(reason)) : await commands.modify(action.Id, amountBody(reason));
    } catch (e) {
      setPending(false);
      // The server applies all of the changes or none of them: nothing was saved.
      setError(errorDetail(e));
      setRefused(e);
      return;
    }
    toast.success(
      `Action ${action.Id} modified${done.length ? ` (${done.join(', ')})` : ''}: sale amount ${formatMoney(result.Amount, c)}, payout ${formatMoney(result.Payout, c)}, ${result.StatusDetail}.`,
    );
    onClose();
  };

  return (
    <Dialog
      title="Modify Item Details"
      size="lg"
      testId="modify-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={pending}>
            {pending ? 'Saving…' : 'Modify'}
          </button>
        </>
      }
    >
      <p className="muted">
        Action <strong className="mono">{action.Id}</strong> · {actionSummary(action, account.TimeZone)}. Sale amount{' '}
        {formatMoney(action.Amount, c)}, payout {formatMoney(action.Payout, c)}.
      </p>
      {hasItems ? (
        <div className="table-scroll modify-items">
          <table className="mini-table" aria-label="Items to modify">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">SKU</th>
                <th scope="col">Category</th>
                <th scope="col" className="align-right">Qty</th>
                <th scope="col" className="align-right">Amount</th>
                <th scope="col">New amount ({c})</th>
                <th scope="col">Reject item</th>
              </tr>
            </thead>
            <tbody>
              {action.Items.map((item, i) => {
                const draft = items[i]!;
                const problem = showProblems ? itemProblems[i] : null;
                return (
                  <tr key={item.Index} className={item.Rejected || draft.reject ? 'item-rejected' : undefined} data-testid={`modify-item-${item.Index}`}>
                    <td className="num muted">{item.Index}</td>
                    <td className="mono">{item.Sku ?? '—'}</td>
                    <td>{item.Category ?? '—'}</td>
                    <td className="align-right num">{item.Quantity}</td>
                    <td className="align-right num">{formatMoney(item.Amount, c)}</td>
                    <td>
                      {item.Rejected ? (
                        <Badge tone="red">Rejected</Badge>
                      ) : (
                        <>
                          <input
                            className={`input input-sm input-num ${problem ? 'input-invalid' : ''}`}
                            inputMode="decimal"
                            aria-label={`New amount of item ${item.Index}`}
                            aria-invalid={problem ? true : undefined}
                            value={draft.reject ? '0' : draft.amount}
                            disabled={draft.reject || pending}
                            onChange={(e) => setItem(i, { amount: e.target.value })}
                          />
                          {problem ? <div className="field-error">{problem}</div> : null}
                        </>
                      )}
                    </td>
                    <td>
                      {item.Rejected ? (
                        <span className="muted small">already rejected</span>
                      ) : (
                        <label className="checkbox">
                          <input
                            type="checkbox"
                            checked={draft.reject}
                            disabled={pending}
                            onChange={(e) => setItem(i, { reject: e.target.checked })}
                            aria-label={`Reject item ${item.Index}`}
                          />
                          <span aria-hidden="true">Reject</span>
                        </label>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="modify-amount">
          <h3 className="subhead">Modify Sales Amount</h3>
          <Field
            label={`New sale amount (${c})`}
            hint={showProblems && amountError ? undefined : `Now ${formatMoney(action.Amount, c)}${action.Amount !== action.IntendedAmount ? `, originally ${formatMoney(action.IntendedAmount, c)}` : ''}. 0 reverses the action.`}
          >
            <input
              className={`input input-num ${showProblems && amountError ? 'input-invalid' : ''}`}
              inputMode="decimal"
              value={amount}
              disabled={pending}
              aria-invalid={showProblems && amountError ? true : undefined}
              onChange={(e) => setAmount(e.target.value)}
            />
          </Field>
          {showProblems && amountError ? <div className="field-error">{amountError}</div> : null}
        </div>
      )}
      <Field label="Reason for Modification/Rejection">
        <ReasonSelect value={reason} onChange={setReason} />
      </Field>
      <p className="muted small">The payout is recomputed from the partner’s contract terms. Every change is kept in the action’s modification history.</p>
      <div className="modify-preview" aria-live="polite" data-testid="modify-preview">
        {nothingChanged ? (
          <p className="muted small" data-testid="modify-unchanged">
            {unchangedText}
          </p>
        ) : !previewable ? null : preview.error ? (
          <ErrorMessage>{errorDetail(preview.error)}</ErrorMessage>
        ) : preview.data && draft !== null && !preview.isFetching ? (
          <p>
            After this change: sale amount <strong className="num">{formatMoney(preview.data.Amount, c)}</strong>, payout{' '}
            <strong className="num">{formatMoney(preview.data.Payout, c)}</strong> (now {formatMoney(preview.data.PayoutBefore, c)}; {formatMoney(preview.data.DeltaPayout, c)})
            {preview.data.State === 'REVERSED' ? ', and the action is reversed' : ''}. Computed by the server from the contract’s terms; nothing is saved until you
            press Modify.
          </p>
        ) : (
          <p className="muted small">Computing the new payout…</p>
        )}
      </div>
      {rejectsAll ? <Notice kind="warning">Rejecting every item reverses the action.</Notice> : null}
      {reversesOrder ? <Notice kind="warning">A sale amount of 0 reverses the action.</Notice> : null}
      {error ? <ErrorMessage>{error}</ErrorMessage> : null}
      {error && refused ? <RefusalSupport error={refused} actionIds={[action.Id]} /> : null}
    </Dialog>
  );
}
