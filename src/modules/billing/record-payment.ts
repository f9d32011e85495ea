import { conflict, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { formatMinor, MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import { credentialIdOf, type Actor } from '../accounts/actor.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { postTransfers } from '../ledger/post-transfers.js';
import { getStatementOrThrow, PAYMENT_COLUMNS, type PaymentRow, type StatementRow } from './queries.js';
import type { PaymentSource } from './types.js';
import { recordResourceEvents } from '../../outbox/resources.js';

export interface PaymentInput {
  /** A decimal amount in the statement's currency ("1250.00"). */
  amount: string;
  /** The day the money arrived (YYYY-MM-DD). */
  receivedOn: string;
  /** The bank's reference: a payment is recorded once per reference (the brand's idempotency key). */
  reference: string;
}

export interface RecordedPayment {
  payment: PaymentRow;
  statement: StatementRow;
  /** True when this reference was recorded before with the same amount: nothing changed. */
  repeated: boolean;
  /** True when this payment paid the statement in full: its actions are to clear. */
  paidInFull: boolean;
}

const REFERENCE = /^[\x21-\x7e](?:[\x20-\x7e]{0,98}[\x21-\x7e])?$/;

/**
 * Records a brand's payment against a statement, in the caller's transaction: the
 * statement row is locked first, so two payments at once (or the same one twice) apply
 * one after the other. A reference is recorded once per brand: the same reference with
 * the same amount for the same statement is the first answer again (a retry), with
 * anything else a 409. A payment may be partial; one that would pay more than is still
 * owed is refused with how much that is. The money is posted to the ledger (the brand's
 * payable is settled by what it paid in); the caller starts the clearing when the
 * statement is paid in full.
 */
export async function recordPaymentInTx(
  tx: Sql,
  actor: Actor,
  statementId: number,
  input: PaymentInput,
  source: PaymentSource,
  now: Date,
): Promise<RecordedPayment> {
  const reference = input.reference.trim();
  if (!REFERENCE.test(reference)) {
    throw invalid('Reference: give the bank reference of the payment, 1 to 100 printable characters (letters, digits, punctuation).');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.receivedOn) || Number.isNaN(Date.parse(`${input.receivedOn}T00:00:00Z`)) ||
      new Date(`${input.receivedOn}T00:00:00Z`).toISOString().slice(0, 10) !== input.receivedOn) {
    throw invalid(`ReceivedDate: ${input.receivedOn} is not a date (YYYY-MM-DD).`);
  }
  // Who may see the statement may record against it (an operator any, a brand its own).
  await getStatementOrThrow(tx, actor, statementId, now);
  await tx.query('select id from statements where id = $1 for update', [statementId]);
  const statement = await getStatementOrThrow(tx, actor, statementId, now);
  let amountMinor: bigint;
  try {
    amountMinor = parseAmountMinorOrThrow(input.amount, statement.currency);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(`Amount: ${error.message}`);
    throw error;
  }
  if (amountMinor <= 0n) throw invalid(`Amount: a payment is more than zero (got ${input.amount}).`);

  const { rows: earlier } = await tx.query<PaymentRow>(
    `select ${PAYMENT_COLUMNS} from brand_payments where brand_account_id = $1 and reference = $2`,
    [statement.brandAccountId, reference],
  );
  const first = earlier[0];
  if (first) {
    if (first.statementId === statementId && first.amountMinor === amountMinor) {
      return { payment: first, statement, repeated: true, paidInFull: false };
    }
    throw conflict(
      `The reference ${reference} was recorded already, for ${formatMinor(first.amountMinor, first.currency)} ${first.currency} on statement ${first.statementId}` +
        ` on ${first.recordedAt.toISOString().slice(0, 10)}; a reference is recorded once. Check the bank reference of this payment.`,
    );
  }
  const owed = statement.totalMinor - statement.paidMinor;
  if (owed <= 0n) throw conflict(`Statement ${statement.number} is paid in full; nothing is owed on it.`);
  if (amountMinor > owed) {
    throw conflict(
      `A payment of ${formatMinor(amountMinor, statement.currency)} would pay ${formatMinor(amountMinor - owed, statement.currency)} ${statement.currency} more than the ` +
        `${formatMinor(owed, statement.currency)} still owed on statement ${statement.number}; record the amount owed, and return the rest to the brand.`,
    );
  }
  const { rows } = await tx.query<PaymentRow>(
    `insert into brand_payments (statement_id, brand_account_id, amount_minor, currency, received_on, reference, source, recorded_by_user_id, recorded_at)
     values ($1, $2, $3, $4, $5::date, $6, $7, $8, $9)
     returning ${PAYMENT_COLUMNS}`,
    [statementId, statement.brandAccountId, amountMinor.toString(), statement.currency, input.receivedOn, reference, source, actor.userId, now],
  );
  const paidInFull = amountMinor === owed;
  await tx.query(`update statements set paid_minor = paid_minor + $2, paid_at = case when $3 then $4::timestamptz else paid_at end where id = $1`, [
    statementId,
    amountMinor.toString(),
    paidInFull,
    now,
  ]);
  if (paidInFull) await recordResourceEvents(tx, 'statement', [{ id: statementId, type: 'statement.paid' }], now);
  await postTransfers(tx, [
    {
      debit: { code: 'BRAND_PAID', ownerAccountId: statement.brandAccountId },
      credit: { code: 'BRAND_PAYABLE', ownerAccountId: statement.brandAccountId },
      amountMinor,
      currency: statement.currency,
      kind: 'BRAND_PAYMENT',
      reference: `statement:${statementId}`,
      at: now,
    },
  ]);
  await recordAuditEvent(tx, {
    at: now,
    actorUserId: actor.userId,
    actorCredentialId: credentialIdOf(actor),
    accountId: statement.brandAccountId,
    action: 'statement.payment_recorded',
    subject: `statement:${statementId}`,
    detail: { paymentId: rows[0]!.id, amountMinor: amountMinor.toString(), reference, source, paidInFull },
  });
  return { payment: rows[0]!, statement: await getStatementOrThrow(tx, actor, statementId, now), repeated: false, paidInFull };
}

/** Marks a statement's clearing done (every action on it cleared, every partner's payout available). */
export async function markStatementCleared(tx: Sql, statementId: number, now: Date): Promise<void> {
  await tx.query('update statements set cleared_at = $2 where id = $1 and cleared_at is null', [statementId, now]);
}
