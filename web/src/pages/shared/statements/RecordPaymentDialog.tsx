/**
 * Record a payment against a statement: an operator records money received from the
 * brand, a brand admin its own payment. Amount (partial allowed, never more than owed),
 * the day the money arrived and the bank reference (recorded once: the same reference and
 * amount again answer the first payment). The server's refusals are shown in the dialog
 * (400: a field is wrong; 409: more than owed, or a reference used before); after a
 * payment the dialog shows what happened, including the clearing of a statement paid in full.
 */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../../api/client';
import { type StatementsScope, useRecordPayment } from '../../../api/statements';
import type { PaymentAnswer, Statement } from '@contract/statements';
import { Dialog } from '../../../components/Dialog';
import { ErrorMessage, Notice } from '../../../components/Feedback';
import { Details } from '../../../components/Form';
import { useToast } from '../../../components/Toast';
import { browserTimeZone, todayIn } from '../../../lib/format';
import { amountProblem, formatMoney, normalizeAmount } from '../../../lib/money';
import { compareAmounts, toMinor } from './amounts';

type FieldName = 'amount' | 'receivedDate' | 'reference';

/** The reference as the server takes it: 1 to 100 printable ASCII characters, no spaces at either end. */
const REFERENCE = /^[\x21-\x7e](?:[\x20-\x7e]{0,98}[\x21-\x7e])?$/;

/** The form's field that a problem names ("body.Amount", or a detail that starts "Amount: …"). */
function problemField(name: string): FieldName | null {
  if (/Amount$/.test(name)) return 'amount';
  if (/ReceivedDate$/.test(name)) return 'receivedDate';
  if (/Reference$/.test(name)) return 'reference';
  return null;
}

interface Refusal {
  /** What kind of refusal, in a few words, above the server's detail. */
  lead: string;
  detail: string;
  fields: Partial<Record<FieldName, string>>;
}

function refusalOf(error: unknown): Refusal {
  if (!(error instanceof ApiError)) return { lead: 'The payment was not recorded.', detail: error instanceof Error ? error.message : String(error), fields: {} };
  const { problem } = error;
  const fields: Partial<Record<FieldName, string>> = {};
  for (const e of problem.errors ?? []) {
    const field = problemField(e.field);
    if (field) fields[field] = e.message;
  }
  const named = /^(Amount|ReceivedDate|Reference):\s*(.*)$/s.exec(problem.detail);
  if (named) {
    const field = problemField(named[1]!);
    if (field && !fields[field]) fields[field] = named[2]!;
  }
  if (error.status === 409) {
    const reused = /reference/i.test(problem.detail) && /recorded already/i.test(problem.detail);
    if (reused) fields.reference = 'This reference was recorded before with another amount or statement.';
    else if (/more than/i.test(problem.detail)) fields.amount = 'More than is owed.';
    return {
      lead: reused ? 'Not recorded: this reference was used before.' : /more than/i.test(problem.detail) ? 'Not recorded: that is more than is owed.' : 'Not recorded.',
      detail: problem.detail,
      fields,
    };
  }
  if (error.status === 400) return { lead: 'Not recorded: check the payment.', detail: problem.detail, fields };
  return { lead: 'The payment was not recorded.', detail: problem.detail, fields };
}

function PaymentResult({ answer, scope }: { answer: PaymentAnswer; scope: StatementsScope }) {
  const s = answer.Statement;
  const p = answer.Payment;
  const amount = formatMoney(p.Amount, p.Currency);
  return (
    <div data-testid="payment-result">
      {answer.Repeated ? (
        <Notice>
          The payment {p.Reference} of {amount} was recorded before, on {p.ReceivedDate}: nothing changed.
        </Notice>
      ) : (
        <Notice kind="success">
          Recorded {amount} received on {p.ReceivedDate} (reference {p.Reference}).
        </Notice>
      )}
      <Details
        items={[
          ['Statement', s.Number],
          ['Paid', formatMoney(s.Paid, s.Currency)],
          ['Still owed', formatMoney(s.Owed, s.Currency)],
        ]}
      />
      {s.Status === 'PAID' ? (
        answer.ClearingState === 'DONE' || s.ClearedDate ? (
          <Notice kind="success">
            <span data-testid="clearing-result">
              Paid in full: its {s.Actions} actions cleared. They are Approved/Paid and the partners' payouts are available.
            </span>
          </Notice>
        ) : answer.ClearingWorkItemId ? (
          <Notice>
            <span data-testid="clearing-result">
              Paid in full: its {s.Actions} actions are clearing in the background (work item {answer.ClearingWorkItemId}
              {answer.ClearingState ? `, ${answer.ClearingState.toLowerCase()}` : ''}). They turn Approved/Paid when it is done.
              {scope.viewer === 'operator' ? (
                <>
                  {' '}
                  <Link to="/operator/work-items">Work items</Link>
                </>
              ) : null}
            </span>
          </Notice>
        ) : (
          <Notice>
            <span data-testid="clearing-result">Paid in full.</span>
          </Notice>
        )
      ) : (
        <p className="muted">
          {formatMoney(s.Owed, s.Currency)} is still owed, due on {s.DueOn}. The partners' payouts become available once the statement is paid in full.
        </p>
      )}
    </div>
  );
}

export function RecordPaymentDialog({ scope, statement, onClose }: { scope: StatementsScope; statement: Statement; onClose: () => void }) {
  const id = useId();
  const toast = useToast();
  const record = useRecordPayment(scope, statement.Id);
  const currency = statement.Currency;
  // Operators work in UTC on screen, but the day money arrived is the day where they are.
  const today = todayIn(scope.viewer === 'operator' ? browserTimeZone() : scope.timeZone);
  const [amount, setAmount] = useState(statement.Owed);
  const [receivedDate, setReceivedDate] = useState(today);
  const [reference, setReference] = useState('');
  const [checked, setChecked] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [answer, setAnswer] = useState<PaymentAnswer | null>(null);
  const isOperator = scope.viewer === 'operator';

  const amountError = (() => {
    const problem = amountProblem(amount, currency);
    if (problem) return problem;
    const minor = toMinor(amount, currency);
    if (minor === null || minor <= 0n) return 'A payment is more than zero.';
    if (compareAmounts(normalizeAmount(amount, currency), statement.Owed, currency) > 0) {
      return `At most ${formatMoney(statement.Owed, currency)}, what is still owed. Return the rest to the brand.`;
    }
    return null;
  })();
  const dateError = !/^\d{4}-\d{2}-\d{2}$/.test(receivedDate) ? 'Enter the day the money arrived.' : receivedDate > today ? 'The day the money arrived cannot be in the future.' : null;
  const referenceError = !reference.trim()
    ? 'Enter the bank reference of the payment.'
    : !REFERENCE.test(reference.trim())
      ? 'Use letters, digits and punctuation (no accents), at most 100 characters.'
      : null;
  const errors: Partial<Record<FieldName, string | null>> = {
    amount: (checked && amountError) || refusal?.fields.amount || null,
    receivedDate: (checked && dateError) || refusal?.fields.receivedDate || null,
    reference: (checked && referenceError) || refusal?.fields.reference || null,
  };

  const submit = () => {
    setChecked(true);
    setRefusal(null);
    if (amountError || dateError || referenceError) return;
    record.mutate(
      { Amount: normalizeAmount(amount, currency), ReceivedDate: receivedDate, Reference: reference.trim() },
      {
        onSuccess: (result) => {
          setAnswer(result);
          toast.success(
            result.Repeated
              ? `Payment ${result.Payment.Reference} was recorded before: nothing changed.`
              : `Payment of ${formatMoney(result.Payment.Amount, currency)} recorded on ${result.Statement.Number}.`,
          );
        },
        onError: (error) => setRefusal(refusalOf(error)),
      },
    );
  };

  const fieldProps = (name: FieldName) => ({
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': `${id}-${name}-hint${errors[name] ? ` ${id}-${name}-error` : ''}`,
    className: `input ${errors[name] ? 'input-invalid' : ''}`,
  });
  const fieldError = (name: FieldName) =>
    errors[name] ? (
      <div className="field-error" id={`${id}-${name}-error`}>
        {errors[name]}
      </div>
    ) : null;

  if (answer) {
    return (
      <Dialog
        title={answer.Repeated ? 'Payment already recorded' : 'Payment recorded'}
        testId="record-payment-dialog"
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <PaymentResult answer={answer} scope={scope} />
      </Dialog>
    );
  }

  return (
    <Dialog
      title={isOperator ? 'Record payment received' : 'Record a payment'}
      testId="record-payment-dialog"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} disabled={record.isPending}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={record.isPending}>
            {record.isPending ? 'Recording…' : 'Record payment'}
          </button>
        </>
      }
    >
      <p>
        {isOperator ? (
          <>
            Money received from <strong>{statement.BrandName}</strong> for statement <strong>{statement.Number}</strong>.
          </>
        ) : (
          <>
            Your payment of statement <strong>{statement.Number}</strong>.
          </>
        )}{' '}
        Owed: <strong data-testid="payment-owed">{formatMoney(statement.Owed, currency)}</strong> of {formatMoney(statement.Total, currency)}, due on {statement.DueOn}.
      </p>
      <div className="field">
        <label htmlFor={`${id}-amount`}>Amount ({currency})</label>
        <input
          id={`${id}-amount`}
          {...fieldProps('amount')}
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          maxLength={40}
          onChange={(e) => {
            setAmount(e.target.value);
            if (refusal) setRefusal({ ...refusal, fields: { ...refusal.fields, amount: undefined } });
          }}
        />
        <div className="field-hint" id={`${id}-amount-hint`}>
          A payment may be partial. Paid in full, the statement's actions clear and the partners' payouts become available.
        </div>
        {fieldError('amount')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-receivedDate`}>Received on</label>
        <input
          id={`${id}-receivedDate`}
          type="date"
          {...fieldProps('receivedDate')}
          className={`${fieldProps('receivedDate').className} input-date`}
          value={receivedDate}
          max={today}
          onChange={(e) => setReceivedDate(e.target.value)}
        />
        <div className="field-hint" id={`${id}-receivedDate-hint`}>
          The day the money arrived{isOperator ? ' on the platform account' : ''}.
        </div>
        {fieldError('receivedDate')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-reference`}>Reference</label>
        <input
          id={`${id}-reference`}
          {...fieldProps('reference')}
          className={`${fieldProps('reference').className} mono`}
          autoComplete="off"
          maxLength={100}
          placeholder="e.g. the bank transfer's reference"
          value={reference}
          onChange={(e) => {
            setReference(e.target.value);
            if (refusal) setRefusal({ ...refusal, fields: { ...refusal.fields, reference: undefined } });
          }}
        />
        <div className="field-hint" id={`${id}-reference-hint`}>
          Recorded once per brand: the same reference and amount again change nothing.
        </div>
        {fieldError('reference')}
      </div>
      {refusal ? (
        <ErrorMessage>
          <span>
            <strong>{refusal.lead}</strong> {refusal.detail}
          </span>
        </ErrorMessage>
      ) : null}
    </Dialog>
  );
}
