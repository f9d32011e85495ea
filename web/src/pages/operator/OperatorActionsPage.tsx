/**
 * Operator console → Actions: find an action by its id (from a ticket), see its details and
 * modification history, and do what only support does: re-attribute a pending action to
 * another partner, reverse a pending cost-per-click action, or correct a locked action's
 * payout after the lock (a separate adjustment billed on the brand's next statement).
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, errorDetail } from '../../api/client';
import type { Action, ActionDetail } from '@contract/actions';
import type { Page } from '@contract/common';
import type { ChangeReasonCode } from '@contract/enums';
import type { Correction, CorrectionBody } from '@contract/corrections';
import type { OperatorAccount, ReattributeBody, ReverseCpcBody } from '@contract/operator';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorMessage, Loading, Notice, QueryError } from '../../components/Feedback';
import { Details, PageHeader } from '../../components/Form';
import { useToast } from '../../components/Toast';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatMoney, formatSignedMoney } from '../../lib/money';
import { positiveIntParam, useSearchState } from '../../lib/searchState';
import { actionSummary, ReasonSelect } from '../brand/ReasonSelect';
import { correctionsKey } from '../shared/actions/ActionCorrections';
import { ActionDetailsContent } from '../shared/actions/ActionDetailsDrawer';
import { reasonLabel, statusDetailLabel } from '../../lib/labels';

/** Operators have no account: dates are shown in UTC, as on the Accounts page. */
const TZ = 'UTC';

type OperatorOperation = 'reattribute' | 'reverse-cpc' | 'correct';

interface Availability {
  enabled: boolean;
  reason?: string;
}

/**
 * What support may do with the action now: the server decides (the action's AllowedOperations
 * for an operator), and its refusals are shown. When an operation is not allowed, this only
 * puts the reason into words, from what the page shows of the action.
 */
export function operatorAvailability(a: Action, op: OperatorOperation, now = Date.now()): Availability {
  if (a.AllowedOperations.includes(op === 'reattribute' ? 'REATTRIBUTE' : 'REVERSE_CPC')) return { enabled: true };
  if (a.State === 'APPROVED') return { enabled: false, reason: 'Locked (approved): a locked action is never changed.' };
  if (a.State === 'REVERSED') return { enabled: false, reason: 'Reversed: only pending actions are re-attributed or reversed.' };
  if (Date.parse(a.LockingDate) <= now) {
    return { enabled: false, reason: `Reached its locking date (${formatDate(a.LockingDate, TZ)}): it can no longer be changed.` };
  }
  if (op === 'reverse-cpc' && a.EventKind !== 'CLICK') {
    return { enabled: false, reason: 'Reverse CPC is for cost-per-click actions; the brand reverses other actions itself.' };
  }
  return { enabled: false, reason: 'Not possible for this action now.' };
}

function actionKey(id: string) {
  return ['operator', 'actions', id] as const;
}

function useOperatorAction(id: string) {
  return useQuery({
    queryKey: actionKey(id),
    queryFn: () => api.get<ActionDetail>(`/api/v1/actions/${id}`),
    enabled: id !== '',
    staleTime: 0,
  });
}

/** The action id field: a number, looked up on Enter or with the button. */
function FindAction({ current, onFind }: { current: string; onFind: (id: string) => void }) {
  const [text, setText] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = text.trim();
    if (!/^[1-9]\d{0,17}$/.test(id)) {
      setError('An action id is a number, e.g. 1042.');
      return;
    }
    setError(null);
    onFind(id);
  };
  return (
    <search aria-label="Find an action">
      <form className="card lookup" onSubmit={submit}>
        <div className="lookup-field">
          <label htmlFor="operator-action-id" className="filter-label">
            Action Id
          </label>
          <input
            id="operator-action-id"
            className={`input mono lookup-input ${error ? 'input-invalid' : ''}`}
            inputMode="numeric"
            autoComplete="off"
            placeholder="e.g. 1042"
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby="operator-action-id-hint"
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <button type="submit" className="btn btn-primary">
          Find action
        </button>
        <div className="lookup-hint" id="operator-action-id-hint">
          {error ? <span className="field-error">{error}</span> : 'The Action Id a brand or partner quotes: it is in their lists, details panels and CSV exports.'}
        </div>
      </form>
    </search>
  );
}

interface TwoStepDialogProps {
  title: string;
  testId: string;
  onClose: () => void;
  /** Step 1: the choices; returns an error to show, or null to go on. */
  form: ReactNode;
  validate: () => string | null;
  /** Step 2: what will happen, to confirm. */
  review: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  danger?: boolean;
  perform: () => Promise<void>;
}

/** Choose, then confirm: support's changes affect a brand and partners directly. */
function TwoStepDialog({ title, testId, onClose, form, validate, review, confirmLabel, pendingLabel, danger, perform }: TwoStepDialogProps) {
  const [step, setStep] = useState<'form' | 'review'>('form');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (step === 'form') {
      const problem = validate();
      setError(problem);
      if (!problem) setStep('review');
      return;
    }
    setPending(true);
    setError(null);
    try {
      await perform();
    } catch (e) {
      setError(errorDetail(e));
      setPending(false);
    }
  };
  return (
    <Dialog
      title={title}
      size="md"
      testId={testId}
      onClose={onClose}
      onSubmit={() => void submit()}
      footer={
        step === 'form' ? (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary">
              Continue
            </button>
          </>
        ) : (
          <>
            <button
              type="button"
              className="btn"
              disabled={pending}
              onClick={() => {
                setError(null);
                setStep('form');
              }}
            >
              Back
            </button>
            <button type="submit" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={pending}>
              {pending ? pendingLabel : confirmLabel}
            </button>
          </>
        )
      }
    >
      <ol className="steps" aria-label="Steps">
        <li className={step === 'form' ? 'step step-current' : 'step step-done'} aria-current={step === 'form' ? 'step' : undefined}>
          1. Choose
        </li>
        <li className={step === 'review' ? 'step step-current' : 'step'} aria-current={step === 'review' ? 'step' : undefined}>
          2. Confirm
        </li>
      </ol>
      {step === 'form' ? form : review}
      {error ? <ErrorMessage>{error}</ErrorMessage> : null}
    </Dialog>
  );
}

function ActionFacts({ action: a }: { action: Action }) {
  return (
    <p className="operator-action-facts">
      {actionSummary(a, TZ)} ({a.CampaignName}):{' '}
      {a.EventKind === 'CLICK' ? null : (
        <>
          sale amount <strong>{formatMoney(a.Amount, a.Currency)}</strong>,{' '}
        </>
      )}
      payout <strong>{formatMoney(a.Payout, a.Currency)}</strong>, locks {formatDateTime(a.LockingDate, TZ)} UTC.
    </p>
  );
}

/** Partners matching a search, as radio buttons; the action's own partner and closed accounts cannot be chosen. */
function PartnerPicker({ action, value, onChange }: { action: Action; value: OperatorAccount | null; onChange: (partner: OperatorAccount) => void }) {
  const [q, setQ] = useState('');
  const query = { kind: 'PARTNER', q: q.trim(), page: 1, pageSize: 8, sort: 'Name', order: 'asc' };
  const partners = useQuery({
    queryKey: ['operator', 'accounts', query],
    queryFn: () => api.get<Page<OperatorAccount>>('/api/v1/operator/accounts', query),
    placeholderData: keepPreviousData,
  });
  const items = partners.data?.Items ?? [];
  return (
    <fieldset className="partner-picker">
      <legend>New partner</legend>
      <input
        type="search"
        className="input"
        aria-label="Search partners"
        placeholder="Search partners by name or Account SID"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <div className={`partner-options ${partners.isFetching ? 'is-refreshing' : ''}`} role="radiogroup" aria-label="Partners">
        {partners.isPending ? (
          <Loading label="Loading partners…" />
        ) : partners.isError ? (
          <QueryError error={partners.error} onRetry={() => void partners.refetch()} />
        ) : items.length === 0 ? (
          <p className="muted small partner-options-empty">No partner account matches “{q.trim()}”.</p>
        ) : (
          items.map((p) => {
            const current = p.Id === action.MediaPartnerId;
            const closed = p.Status === 'CLOSED';
            return (
              <label key={p.Id} className={`partner-option ${value?.Id === p.Id ? 'partner-option-selected' : ''} ${current || closed ? 'partner-option-disabled' : ''}`}>
                <input type="radio" name="partner" checked={value?.Id === p.Id} disabled={current || closed} onChange={() => onChange(p)} />
                <span className="partner-option-name">{p.Name}</span>
                <span className="muted small">
                  #{p.Id} · {p.Currency}
                  {current ? ' · credited now' : closed ? ' · closed' : ''}
                </span>
              </label>
            );
          })
        )}
        {partners.data && partners.data.Total > items.length ? (
          <p className="muted small partner-options-more">
            {partners.data.Total - items.length} more: refine the search.
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}

function ReattributeDialog({ action: a, onClose, onDone }: { action: ActionDetail; onClose: () => void; onDone: (after: ActionDetail, partner: OperatorAccount) => void }) {
  const [partner, setPartner] = useState<OperatorAccount | null>(null);
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  return (
    <TwoStepDialog
      title={`Re-attribute action ${a.Id}`}
      testId="reattribute-dialog"
      onClose={onClose}
      validate={() => (!partner ? 'Choose the partner to credit the action to.' : !reason ? 'Choose the reason for the re-attribution.' : null)}
      form={
        <div className="form">
          <ActionFacts action={a} />
          <PartnerPicker action={a} value={partner} onChange={setPartner} />
          <div className="field">
            <label htmlFor="reattribute-reason">Reason</label>
            <ReasonSelect id="reattribute-reason" value={reason} onChange={setReason} />
          </div>
        </div>
      }
      review={
        <div className="confirm-text" data-testid="reattribute-review">
          <p>
            Credit action {a.Id} to <strong>{partner?.Name}</strong> instead of <strong>{a.MediaPartnerName}</strong>?
          </p>
          <Details
            className="review-details"
            items={[
              ['From', `${a.MediaPartnerName} (${a.MediaPartnerId})`],
              ['To', partner ? `${partner.Name} (${partner.Id})` : ''],
              ['Reason', reason ? `${reason} · ${reasonLabel(reason)}` : ''],
              ['Event date', `${formatDateTime(a.EventDate, TZ)} UTC`],
            ]}
          />
          <Notice kind="info">
            The action stays pending under {partner?.Name}’s contract with {a.CampaignName} in force at the event date: its payout and
            locking date follow that contract. {a.MediaPartnerName} no longer sees it. It is refused if {partner?.Name} had no contract
            then.
          </Notice>
        </div>
      }
      confirmLabel="Re-attribute"
      pendingLabel="Re-attributing…"
      perform={async () => {
        const after = await api.post<ActionDetail>(`/api/v1/operator/actions/${a.Id}/reattribute`, {
          MediaPartnerId: partner!.Id,
          // The dialog's first step does not go on without a reason.
          Reason: reason as ChangeReasonCode,
        } satisfies ReattributeBody);
        onDone(after, partner!);
      }}
    />
  );
}

function ReverseCpcDialog({ action: a, onClose, onDone }: { action: ActionDetail; onClose: () => void; onDone: (after: ActionDetail) => void }) {
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  return (
    <TwoStepDialog
      title={`Reverse CPC action ${a.Id}`}
      testId="reverse-cpc-dialog"
      onClose={onClose}
      danger
      validate={() => (!reason ? 'Choose the reason for the reversal: the brand and the partner see it.' : null)}
      form={
        <div className="form">
          <ActionFacts action={a} />
          <div className="field">
            <label htmlFor="reverse-cpc-reason">Reason</label>
            <ReasonSelect id="reverse-cpc-reason" value={reason} onChange={setReason} />
            <div className="field-hint">
              {reason ? `The partner sees the action as ${statusDetailLabel(`Reversed/${reason}`)} (Reversed/${reason}).` : 'The partner sees the action as reversed, with this reason.'}
            </div>
          </div>
        </div>
      }
      review={
        <div className="confirm-text" data-testid="reverse-cpc-review">
          <p>
            Reverse cost-per-click action {a.Id} of <strong>{a.MediaPartnerName}</strong> with reason <strong>{reason}</strong>?
          </p>
          <Notice kind="warning">
            {a.MediaPartnerName} earns nothing for it: its payout of {formatMoney(a.Payout, a.Currency)} is no longer owed by the brand.
          </Notice>
        </div>
      }
      confirmLabel="Reverse CPC action"
      pendingLabel="Reversing…"
      perform={async () => {
        onDone(await api.post<ActionDetail>(`/api/v1/operator/actions/${a.Id}/reverse-cpc`, { Reason: reason as ChangeReasonCode } satisfies ReverseCpcBody));
      }}
    />
  );
}

/** A post-lock correction: a signed amount in the action's currency, a reason and a note; billed on the brand's next statement. */
function CorrectDialog({ action: a, onClose, onDone }: { action: ActionDetail; onClose: () => void; onDone: (correction: Correction) => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState<ChangeReasonCode | ''>('');
  const [note, setNote] = useState('');
  const more = !amount.trim().startsWith('-');
  return (
    <TwoStepDialog
      title={`Correct locked action ${a.Id}`}
      testId="correct-dialog"
      onClose={onClose}
      validate={() =>
        !/^[-+]?\d+(\.\d+)?$/.test(amount.trim()) || /^[-+]?0+(\.0+)?$/.test(amount.trim())
          ? `Give the correction as a signed amount in ${a.Currency}: 5.00 pays the partner more, -5.00 claws back.`
          : !reason
            ? 'Choose the reason: the brand and the partner see it.'
            : null
      }
      form={
        <div className="form">
          <ActionFacts action={a} />
          <div className="field">
            <label htmlFor="correct-amount">Amount ({a.Currency})</label>
            <input id="correct-amount" className="input" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="5.00 or -5.00" />
            <div className="field-hint">The locked action does not change: the correction is its own line on the brand's next statement.</div>
          </div>
          <div className="field">
            <label htmlFor="correct-reason">Reason</label>
            <ReasonSelect id="correct-reason" value={reason} onChange={setReason} />
          </div>
          <div className="field">
            <label htmlFor="correct-note">Note</label>
            <input id="correct-note" className="input" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Why, e.g. the ticket" />
          </div>
        </div>
      }
      review={
        <div className="confirm-text" data-testid="correct-review">
          <p>
            {more ? 'Pay' : 'Claw back from'} <strong>{a.MediaPartnerName}</strong> {formatSignedMoney(amount.trim(), a.Currency)} on action {a.Id} (payout{' '}
            {formatMoney(a.Payout, a.Currency)}), reason <strong>{reason}</strong>?
          </p>
          <Notice kind="info">
            {more ? 'The brand is billed it' : 'The brand is credited it'} on its next statement; the partner's balance changes when that statement is paid.
          </Notice>
        </div>
      }
      confirmLabel="Record correction"
      pendingLabel="Recording…"
      perform={async () => {
        const body: CorrectionBody = { Amount: amount.trim(), Currency: a.Currency, Reason: reason as ChangeReasonCode, ...(note.trim() ? { Note: note.trim() } : {}) };
        onDone(await api.post<Correction>(`/api/v1/operator/actions/${a.Id}/corrections`, body));
      }}
    />
  );
}

/** Partner ids a re-attribution in the history names. */
function reattributedPartnerIds(a: ActionDetail): number[] {
  const ids = new Set<number>();
  for (const m of a.Modifications) {
    if (m.Operation !== 'REATTRIBUTE' || !m.Detail) continue;
    for (const key of ['FromMediaPartnerId', 'ToMediaPartnerId'] as const) {
      const v = m.Detail[key];
      if (typeof v === 'number') ids.add(v);
    }
  }
  return [...ids];
}

/**
 * Names of the partners a re-attribution moved an action between: the history names them by
 * account id only, so they are looked up (once, only for actions that were re-attributed)
 * in the partner accounts.
 */
function usePartnerNames(action: ActionDetail | undefined, known: ReadonlyMap<number, string>) {
  const unknown = action ? reattributedPartnerIds(action).filter((id) => id !== action.MediaPartnerId && !known.has(id)) : [];
  const query = { kind: 'PARTNER', page: 1, pageSize: 500, sort: 'Id', order: 'asc' };
  const partners = useQuery({
    queryKey: ['operator', 'accounts', query],
    queryFn: () => api.get<Page<OperatorAccount>>('/api/v1/operator/accounts', query),
    enabled: unknown.length > 0,
    staleTime: 60_000,
  });
  return (partnerId: number) => known.get(partnerId) ?? partners.data?.Items.find((p) => p.Id === partnerId)?.Name;
}

function OperatorActionView({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const detail = useOperatorAction(id);
  const [operation, setOperation] = useState<OperatorOperation | null>(null);
  // Names of partners seen here, for the re-attributions in the history (which name partners by id).
  const [names, setNames] = useState<ReadonlyMap<number, string>>(() => new Map());
  const a = detail.data;
  const partnerName = usePartnerNames(a, names);

  if (detail.isPending) return <Loading label={`Looking up action ${id}…`} />;
  if (detail.isError) {
    // An unknown id is an answer, not a failure to retry.
    const final = detail.error instanceof ApiError && detail.error.status >= 400 && detail.error.status < 500;
    return <QueryError error={detail.error} onRetry={final ? undefined : () => void detail.refetch()} />;
  }
  if (!a) return null;

  const done = (after: ActionDetail, message: string, extraNames: Array<[number, string]> = []) => {
    queryClient.setQueryData(actionKey(id), after);
    void queryClient.invalidateQueries({ queryKey: actionKey(id) });
    setNames((old) => new Map([...old, [a.MediaPartnerId, a.MediaPartnerName], ...extraNames]));
    setOperation(null);
    toast.success(message);
  };

  const reattribute = operatorAvailability(a, 'reattribute');
  const reverseCpc = operatorAvailability(a, 'reverse-cpc');
  const blocked = [...new Set([reattribute.reason, a.EventKind === 'CLICK' ? reverseCpc.reason : undefined].filter(Boolean))];

  return (
    <section className="card" data-testid="operator-action" aria-labelledby="operator-action-title">
      <div className="card-header operator-action-header">
        <div>
          <h2 className="card-title" id="operator-action-title">
            Action {a.Id}
            {a.EventKind === 'CLICK' ? <span className="kind-mini">CPC</span> : null}
          </h2>
          <div className="muted small">
            {a.CampaignName} · {a.EventTypeName} · {a.MediaPartnerName}
          </div>
        </div>
        <fieldset className="card-actions" aria-label="Operations">
          <button type="button" className="btn btn-sm" disabled={!reattribute.enabled} title={reattribute.reason} onClick={() => setOperation('reattribute')}>
            Re-attribute…
          </button>
          <button
            type="button"
            className="btn btn-sm"
            disabled={a.State !== 'APPROVED'}
            title={a.State === 'APPROVED' ? undefined : 'Only a locked action is corrected; change a pending one with its own operations.'}
            onClick={() => setOperation('correct')}
          >
            Correct…
          </button>
          <button
            type="button"
            className="btn btn-sm btn-danger-ghost"
            disabled={!reverseCpc.enabled}
            title={reverseCpc.reason}
            onClick={() => setOperation('reverse-cpc')}
          >
            Reverse CPC…
          </button>
        </fieldset>
      </div>
      <div className="card-body">
        <ActionDetailsContent
          action={a}
          timeZone={TZ}
          showPartner
          refreshing={detail.isFetching}
          notice={blocked.length ? <p className="muted small drawer-blocked" data-testid="operations-blocked">{blocked.join(' ')}</p> : null}
          partnerName={partnerName}
        />
      </div>
      {operation === 'reattribute' ? (
        <ReattributeDialog
          action={a}
          onClose={() => setOperation(null)}
          onDone={(after, partner) =>
            done(after, `Action ${a.Id} re-attributed to ${partner.Name}: payout ${formatMoney(after.Payout, after.Currency)}, locks ${formatDate(after.LockingDate, TZ)}.`, [
              [partner.Id, partner.Name],
            ])
          }
        />
      ) : null}
      {operation === 'correct' ? (
        <CorrectDialog
          action={a}
          onClose={() => setOperation(null)}
          onDone={(correction) => {
            void queryClient.invalidateQueries({ queryKey: correctionsKey(null, a.Id) });
            setOperation(null);
            toast.success(`Correction ${correction.Id} of ${formatSignedMoney(correction.Amount, correction.Currency)} recorded: billed on the brand's next statement.`);
          }}
        />
      ) : null}
      {operation === 'reverse-cpc' ? (
        <ReverseCpcDialog action={a} onClose={() => setOperation(null)} onDone={(after) => done(after, `Action ${a.Id} reversed: ${statusDetailLabel(after.StatusDetail)}.`)} />
      ) : null}
    </section>
  );
}

export function OperatorActionsPage() {
  const { get, update } = useSearchState();
  const id = positiveIntParam(get('id'));
  return (
    <div className="page">
      <PageHeader
        title="Actions"
        subtitle="Find an action by its id: its details and modification history. Re-attribute a pending action to another partner, reverse a pending cost-per-click action, or correct a locked action's payout. Dates in UTC."
      />
      <Notice>Operator console: you act as platform support. Changes here affect customers directly.</Notice>
      <FindAction key={`find-${id}`} current={id} onFind={(next) => update({ id: next })} />
      {id ? (
        <OperatorActionView key={`action-${id}`} id={id} />
      ) : (
        <EmptyState title="Find an action">
          Enter the id of the action a ticket is about. Re-attribution (to a partner with a contract in force at the event date) and CPC
          reversal apply to pending actions before their locking date.
        </EmptyState>
      )}
    </div>
  );
}
