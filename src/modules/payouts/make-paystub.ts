import { conflict, DomainError, invalid, notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { formatMinor } from '../../money/index.js';
import { quoteWithdrawalOrThrow, withdrawalFeeMinor, type WithdrawalMethod } from '../../payments/fees.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { postTransfers } from '../ledger/post-transfers.js';
import { postTransferSetsSetBased } from '../ledger/post-transfers-set-based.js';
import type { AutopayState } from './autopay.js';
import { decryptDestination, fileFormatFor, PAYPAL_CURRENCIES, withdrawalMethodFor } from './destination.js';
import { payoutConfigOrThrow } from './payout-config.js';
import type { PaystubKind, PaystubStatus, PayoutFileFormat, PayoutHoldReason } from './types.js';
import type { WithdrawalSettingsRow } from './withdrawal-settings.js';
import { recordResourceEvents } from '../../outbox/resources.js';

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

/**
 * The manual paystub a partner would get now, with everything that stands in its way
 * checked in one place (grantManualPaystub performs it; the closure wizard shows it):
 * withdrawal settings on file (a 409 without), no 48-hour hold after a change of bank
 * details (a 409 during it), and the quote's own rules (quoteManualPaystubOrThrow).
 */
export function manualPaystubQuoteForOrThrow(
  accountName: string,
  settings: WithdrawalSettingsRow | undefined,
  currency: string,
  grossMinor: bigint,
  now: Date,
): PaystubQuote & { settings: WithdrawalSettingsRow } {
  if (!settings) throw conflict(`${accountName} has no withdrawal settings: a partner admin must say where the money goes (Settings → Withdrawal settings) first.`);
  if (settings.holdUntil && settings.holdUntil > now) {
    throw conflict(`Withdrawals of ${accountName} are held until ${settings.holdUntil.toISOString()} after a change of bank details; a manual paystub can be made after that.`);
  }
  return { ...quoteManualPaystubOrThrow(settings, currency, grossMinor), settings };
}

/** Paystub ids taken ahead of their rows: their actions are marked with them first. */
export async function nextPaystubIds(tx: Sql, count: number): Promise<bigint[]> {
  if (count === 0) return [];
  const { rows } = await tx.query<{ id: string }>(`select nextval(pg_get_serial_sequence('paystubs', 'id'))::text as id from generate_series(1, $1::int)`, [count]);
  return rows.map((row) => BigInt(row.id));
}

export interface NewPaystub {
  id: bigint;
  partnerAccountId: number;
  currency: string;
  settings: WithdrawalSettingsRow;
  quote: PaystubQuote;
  actionCount: number;
}

/**
 * Writes paystubs and their postings, set-based, in the caller's transaction (which holds
 * the partners' settings rows and funds accounts, locked by lockPartnersFunds): for each, the net moves from available
 * to paid and the fee from available to the platform's fees, both under the reference
 * `paystub:<id>` (one statement per kind of transfer, however many paystubs). The
 * destination is copied as it is stored (encrypted), so the bank file pays where the
 * settings pointed at this moment, whatever changes later.
 */
export async function createPaystubsInTx(
  tx: Sql,
  input: { runId: number; kind: PaystubKind; now: Date; userId: number | null; paystubs: readonly NewPaystub[] },
): Promise<void> {
  const { paystubs, now } = input;
  if (paystubs.length === 0) return;
  const column = <T>(f: (p: NewPaystub) => T) => paystubs.map(f);
  await tx.query(
    `insert into paystubs (id, run_id, partner_account_id, currency, kind, method, payment_method, file_format, destination_secret,
        destination_masked, gross_minor, fee_minor, net_minor, action_count, status, created_at, created_by_user_id)
     overriding system value
     select u.id, $1, u.partner, u.currency, $2, u.method, u.payment_method, u.file_format, u.secret, u.masked, u.gross, u.fee, u.net,
            u.actions, 'PROCESSING', $3, $4
       from unnest($5::bigint[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::bigint[], $14::bigint[], $15::bigint[], $16::int[])
            as u(id, partner, currency, method, payment_method, file_format, secret, masked, gross, fee, net, actions)`,
    [
      input.runId,
      input.kind,
      now,
      input.userId,
      column((p) => p.id.toString()),
      column((p) => p.partnerAccountId),
      column((p) => p.currency),
      column((p) => p.quote.method),
      column((p) => p.settings.paymentMethod),
      column((p) => p.quote.fileFormat),
      column((p) => p.settings.destinationSecret),
      column((p) => p.settings.destinationMasked),
      column((p) => p.quote.grossMinor.toString()),
      column((p) => p.quote.feeMinor.toString()),
      column((p) => p.quote.netMinor.toString()),
      column((p) => p.actionCount),
    ],
  );
  await recordResourceEvents(tx, 'paystub', paystubs.map((p) => ({ id: p.id, type: 'paystub.created' as const })), now);
  const owners = column((p) => ({ debitOwner: p.partnerAccountId, creditOwner: p.partnerAccountId, currency: p.currency }));
  const legs = [
    { kind: 'PAYSTUB', credit: 'PARTNER_PAID', amount: (p: NewPaystub) => p.quote.netMinor },
    { kind: 'PAYSTUB_FEE', credit: 'PLATFORM_FEES', amount: (p: NewPaystub) => p.quote.feeMinor },
  ] as const;
  await postTransferSetsSetBased(
    tx,
    legs.map((leg) => ({
      kind: leg.kind,
      debit: 'PARTNER_AVAILABLE',
      credit: leg.credit,
      at: now,
      owners,
      // The caller holds the partners' funds accounts (lockPartnersFunds).
      accountsLocked: true,
      source: {
        with: '',
        rows: `(select null::bigint as action_id, u.amount_minor, u.currency, u.owner as debit_owner, u.owner as credit_owner, 'paystub:' || u.id as reference
                  from unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[]) as u(id, owner, currency, amount_minor))`,
        withReference: true,
        params: [column((p) => p.id.toString()), column((p) => p.partnerAccountId), column((p) => p.currency), column((p) => leg.amount(p).toString())],
      },
    })),
  );
  if (input.kind === 'MANUAL') {
    for (const p of paystubs) {
      await recordAuditEvent(tx, {
        at: now,
        actorUserId: input.userId,
        accountId: p.partnerAccountId,
        action: 'paystub.manual',
        subject: `paystub:${p.id}`,
        detail: { currency: p.currency, grossMinor: p.quote.grossMinor.toString(), feeMinor: p.quote.feeMinor.toString(), method: p.quote.method },
      });
    }
  }
}

const pairKey = (partnerAccountId: number, currency: string) => `${partnerAccountId}|${currency}`;

/** The autopay states of many partners and currencies, keyed `partner|currency`; a pair never paid or seen is left out. */
export async function findScheduleStates(tx: Sql, pairs: ReadonlyArray<{ partnerAccountId: number; currency: string }>): Promise<Map<string, AutopayState>> {
  if (pairs.length === 0) return new Map();
  const { rows } = await tx.query<AutopayState & { partner: number; currency: string }>(
    `select s.partner_account_id as partner, s.currency, s.threshold_reached_on::text as "thresholdReachedOn", s.last_autopay_on::text as "lastAutopayOn"
       from payout_schedule_states s join unnest($1::int[], $2::text[]) as u(partner, currency) on s.partner_account_id = u.partner and s.currency = u.currency`,
    [pairs.map((p) => p.partnerAccountId), pairs.map((p) => p.currency)],
  );
  return new Map(rows.map((row) => [pairKey(row.partner, row.currency), { thresholdReachedOn: row.thresholdReachedOn, lastAutopayOn: row.lastAutopayOn }]));
}

/** Keeps the autopay states of many partners and currencies, in one statement; unchanged ones are not rewritten. */
export async function saveScheduleStates(
  tx: Sql,
  states: ReadonlyArray<{ partnerAccountId: number; currency: string; state: AutopayState }>,
): Promise<void> {
  if (states.length === 0) return;
  await tx.query(
    `insert into payout_schedule_states (partner_account_id, currency, threshold_reached_on, last_autopay_on)
     select * from unnest($1::int[], $2::text[], $3::date[], $4::date[])
     on conflict (partner_account_id, currency) do update
       set threshold_reached_on = excluded.threshold_reached_on, last_autopay_on = excluded.last_autopay_on
     where payout_schedule_states.threshold_reached_on is distinct from excluded.threshold_reached_on
        or payout_schedule_states.last_autopay_on is distinct from excluded.last_autopay_on`,
    [states.map((s) => s.partnerAccountId), states.map((s) => s.currency), states.map((s) => s.state.thresholdReachedOn), states.map((s) => s.state.lastAutopayOn)],
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
  await recordResourceEvents(tx, 'paystub', [{ id: input.paystubId, type: 'paystub.failed' }], input.now);
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
