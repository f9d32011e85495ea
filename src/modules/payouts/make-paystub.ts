import { conflict, DomainError, invalid, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { formatMinor } from '../../money/index.js';
import { quoteWithdrawalOrThrow, withdrawalFeeMinor, type WithdrawalMethod } from '../../payments/fees.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { postTransfers } from '../ledger/post-transfers.js';
import type { AutopayState } from './autopay.js';
import { decryptDestination, fileFormatFor, PAYPAL_CURRENCIES, withdrawalMethodFor } from './destination.js';
import { payoutConfigOrThrow } from './payout-config.js';
import type { PaystubKind, PaystubStatus, PayoutFileFormat, PayoutHoldReason } from './types.js';
import type { WithdrawalSettingsRow } from './withdrawal-settings.js';

export interface PaystubQuote {
  method: WithdrawalMethod;
  fileFormat: PayoutFileFormat;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
}

/** The method and file of a payment in `currency` to the stored destination. */
function routeOf(settings: Pick<WithdrawalSettingsRow, 'destinationSecret'>, currency: string): { method: WithdrawalMethod; fileFormat: PayoutFileFormat } {
  const destination = decryptDestination(payoutConfigOrThrow().secretsKey(), settings.destinationSecret);
  return { method: withdrawalMethodFor(destination, currency), fileFormat: fileFormatFor(destination, currency) };
}

/**
 * An autopay's quote: the whole available balance, at least 10.00, less the method's fee,
 * leaving something to send; otherwise the reason it is held.
 */
export function quoteAutopay(settings: WithdrawalSettingsRow, currency: string, grossMinor: bigint): PaystubQuote | { hold: PayoutHoldReason } {
  const route = routeOf(settings, currency);
  if (route.method === 'PAYPAL' && !PAYPAL_CURRENCIES.has(currency)) return { hold: 'CURRENCY_NOT_PAID_BY_METHOD' };
  try {
    const quote = quoteWithdrawalOrThrow({ method: route.method, currency, grossMinor, wireFeesMinor: payoutConfigOrThrow().wireFeesMinor });
    return { ...route, ...quote };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { hold: /No wire fee is configured/.test(error.message) ? 'NO_WIRE_FEE' : 'FEE_TAKES_ALL' };
  }
}

/**
 * A manual paystub's quote: granted whatever the threshold or the minimum, as long as the
 * balance covers the method's fee and leaves a remainder; the refusal says by how much it
 * falls short.
 */
export function quoteManualPaystubOrThrow(settings: WithdrawalSettingsRow, currency: string, grossMinor: bigint): PaystubQuote {
  const route = routeOf(settings, currency);
  const money = (minor: bigint) => `${formatMinor(minor, currency)} ${currency}`;
  if (route.method === 'PAYPAL' && !PAYPAL_CURRENCIES.has(currency)) {
    throw invalid(`PayPal does not pay out in ${currency}: the partner's ${currency} balance needs a bank transfer (withdrawal settings), or a forfeit.`);
  }
  if (grossMinor <= 0n) throw invalid(`There is no available balance in ${currency} to pay out (${money(grossMinor)}).`);
  let feeMinor: bigint;
  try {
    feeMinor = withdrawalFeeMinor({ method: route.method, currency, grossMinor, wireFeesMinor: payoutConfigOrThrow().wireFeesMinor });
  } catch (error) {
    if (error instanceof DomainError) throw invalid(`A manual paystub cannot be made: ${error.message}`);
    throw error;
  }
  if (grossMinor <= feeMinor) {
    throw invalid(
      `The available balance of ${money(grossMinor)} does not cover the ${route.method} fee of ${money(feeMinor)} and leave a remainder: ` +
        `it falls short by ${money(feeMinor - grossMinor + 1n)}. Wait for more funds, change the payment method, or forfeit the balance.`,
      { shortfall: formatMinor(feeMinor - grossMinor + 1n, currency) },
    );
  }
  return { ...route, grossMinor, feeMinor, netMinor: grossMinor - feeMinor };
}

/** A paystub id taken ahead of its row: its actions are marked with it first. */
export async function nextPaystubId(tx: Sql): Promise<bigint> {
  const { rows } = await tx.query<{ id: bigint }>(`select nextval(pg_get_serial_sequence('paystubs', 'id')) as id`);
  return BigInt(rows[0]!.id);
}

export interface NewPaystub {
  id: bigint;
  runId: number;
  partnerAccountId: number;
  currency: string;
  kind: PaystubKind;
  settings: WithdrawalSettingsRow;
  quote: PaystubQuote;
  actionCount: number;
  now: Date;
  userId: number | null;
}

/**
 * Writes a paystub and its postings, in the caller's transaction (which holds the
 * partner's settings row and funds accounts): the net moves from available to paid and the
 * fee from available to the platform's fees, both under the reference `paystub:<id>`. The
 * destination is copied as it is stored (encrypted), so the bank file pays where the
 * settings pointed at this moment, whatever changes later.
 */
export async function createPaystubInTx(tx: Sql, p: NewPaystub): Promise<void> {
  const { quote } = p;
  await tx.query(
    `insert into paystubs (id, run_id, partner_account_id, currency, kind, method, payment_method, file_format, destination_secret,
        destination_masked, gross_minor, fee_minor, net_minor, action_count, status, created_at, created_by_user_id)
     overriding system value
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'PROCESSING', $15, $16)`,
    [
      p.id.toString(),
      p.runId,
      p.partnerAccountId,
      p.currency,
      p.kind,
      quote.method,
      p.settings.paymentMethod,
      quote.fileFormat,
      p.settings.destinationSecret,
      p.settings.destinationMasked,
      quote.grossMinor.toString(),
      quote.feeMinor.toString(),
      quote.netMinor.toString(),
      p.actionCount,
      p.now,
      p.userId,
    ],
  );
  const reference = `paystub:${p.id}`;
  const partner = p.partnerAccountId;
  await postTransfers(tx, [
    {
      debit: { code: 'PARTNER_AVAILABLE', ownerAccountId: partner },
      credit: { code: 'PARTNER_PAID', ownerAccountId: partner },
      amountMinor: quote.netMinor,
      currency: p.currency,
      kind: 'PAYSTUB',
      reference,
      at: p.now,
    },
    {
      debit: { code: 'PARTNER_AVAILABLE', ownerAccountId: partner },
      credit: { code: 'PLATFORM_FEES', ownerAccountId: partner },
      amountMinor: quote.feeMinor,
      currency: p.currency,
      kind: 'PAYSTUB_FEE',
      reference,
      at: p.now,
    },
  ]);
  if (p.kind === 'MANUAL') {
    await recordAuditEvent(tx, {
      at: p.now,
      actorUserId: p.userId,
      accountId: partner,
      action: 'paystub.manual',
      subject: reference,
      detail: { currency: p.currency, grossMinor: quote.grossMinor.toString(), feeMinor: quote.feeMinor.toString(), method: quote.method },
    });
  }
}

export async function findScheduleState(tx: Sql, partnerAccountId: number, currency: string): Promise<AutopayState> {
  const { rows } = await tx.query<AutopayState>(
    `select threshold_reached_on::text as "thresholdReachedOn", last_autopay_on::text as "lastAutopayOn"
       from payout_schedule_states where partner_account_id = $1 and currency = $2`,
    [partnerAccountId, currency],
  );
  return rows[0] ?? { thresholdReachedOn: null, lastAutopayOn: null };
}

export async function saveScheduleState(tx: Sql, partnerAccountId: number, currency: string, state: AutopayState): Promise<void> {
  await tx.query(
    `insert into payout_schedule_states (partner_account_id, currency, threshold_reached_on, last_autopay_on)
     values ($1, $2, $3::date, $4::date)
     on conflict (partner_account_id, currency) do update
       set threshold_reached_on = excluded.threshold_reached_on, last_autopay_on = excluded.last_autopay_on
     where payout_schedule_states.threshold_reached_on is distinct from excluded.threshold_reached_on
        or payout_schedule_states.last_autopay_on is distinct from excluded.last_autopay_on`,
    [partnerAccountId, currency, state.thresholdReachedOn, state.lastAutopayOn],
  );
}

/** A paystub's row locked for a change of its status (a failure), with what a failure needs. */
export async function lockPaystubOrThrow(
  tx: Sql,
  paystubId: bigint,
): Promise<{ id: bigint; partnerAccountId: number; currency: string; status: PaystubStatus; grossMinor: bigint }> {
  const { rows } = await tx.query<{ id: bigint; partnerAccountId: number; currency: string; status: PaystubStatus; grossMinor: bigint }>(
    `select id, partner_account_id as "partnerAccountId", currency, status, gross_minor as "grossMinor" from paystubs where id = $1 for update`,
    [paystubId.toString()],
  );
  if (!rows[0]) throw notFound(`Paystub ${paystubId} does not exist.`);
  return rows[0];
}

/**
 * Records a paystub the bank returned, in the caller's transaction (which posts the
 * correcting transfers and unpays its actions). Only a SENT paystub can fail; the reason
 * is shown to the partner.
 */
export async function markPaystubFailedInTx(tx: Sql, input: { paystubId: bigint; reason: string; userId: number; now: Date }): Promise<void> {
  const reason = input.reason.trim();
  if (reason === '') throw invalid('Reason: say why the bank returned the payment (the partner sees it), e.g. "Account closed".');
  const { rows } = await tx.query<{ partnerAccountId: number }>(
    `update paystubs set status = 'FAILED', failed_at = $2, failed_by_user_id = $3, failure_reason = $4 where id = $1 and status = 'SENT'
     returning partner_account_id as "partnerAccountId"`,
    [input.paystubId.toString(), input.now, input.userId, reason],
  );
  if (!rows[0]) throw conflict(`Paystub ${input.paystubId} is not SENT; only a sent paystub can be returned by the bank.`);
  await recordAuditEvent(tx, {
    at: input.now,
    actorUserId: input.userId,
    accountId: rows[0].partnerAccountId,
    action: 'paystub.failed',
    subject: `paystub:${input.paystubId}`,
    detail: { reason },
  });
}

/**
 * Records a forfeit of a partner's whole available balance in a currency and posts it
 * (available → forfeited, reference `forfeit:<id>`), in the caller's transaction, which
 * holds the partner's funds accounts and settles the actions. Who, when and why are kept.
 */
export async function recordForfeitInTx(
  tx: Sql,
  input: { partnerAccountId: number; currency: string; amountMinor: bigint; reason: string; userId: number; now: Date },
): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `insert into balance_forfeits (partner_account_id, currency, amount_minor, action_count, reason, forfeited_by_user_id, forfeited_at)
     values ($1, $2, $3, 0, $4, $5, $6) returning id`,
    [input.partnerAccountId, input.currency, input.amountMinor.toString(), input.reason, input.userId, input.now],
  );
  const id = rows[0]!.id;
  await postTransfers(tx, [
    {
      debit: { code: 'PARTNER_AVAILABLE', ownerAccountId: input.partnerAccountId },
      credit: { code: 'PARTNER_FORFEITED', ownerAccountId: input.partnerAccountId },
      amountMinor: input.amountMinor,
      currency: input.currency,
      kind: 'FORFEIT',
      reference: `forfeit:${id}`,
      at: input.now,
    },
  ]);
  await recordAuditEvent(tx, {
    at: input.now,
    actorUserId: input.userId,
    accountId: input.partnerAccountId,
    action: 'balance.forfeited',
    subject: `forfeit:${id}`,
    detail: { currency: input.currency, amountMinor: input.amountMinor.toString(), reason: input.reason },
  });
  return id;
}

export async function setForfeitActionCount(tx: Sql, forfeitId: number, count: number): Promise<void> {
  await tx.query('update balance_forfeits set action_count = $2 where id = $1', [forfeitId, count]);
}
