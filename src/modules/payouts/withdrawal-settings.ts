import { isDeepStrictEqual } from 'node:util';
import { DomainError, forbidden, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { formatMinor, MoneyError, parseAmountMinorOrThrow } from '../../money/index.js';
import { validateWithdrawalSettingsOrThrow, type WithdrawalDestination, type WithdrawalSettingsInput } from '../../payments/bank-details.js';
import { minWithdrawalMinor, type WithdrawalMethod } from '../../payments/fees.js';
import { accountLocalDate } from '../../payments/schedule.js';
import { requireAccountAdmin, requireAccountActor, type AccountActor, type Actor } from '../accounts/actor.js';
import { findAccount } from '../accounts/queries.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { decryptDestination, encryptDestination, maskDestination, PAYPAL_CURRENCIES, withdrawalMethodFor } from './destination.js';
import { payoutConfigOrThrow } from './payout-config.js';
import { BANK_CHANGE_HOLD_HOURS, type PaymentDay, type PaymentMethod, type PaymentSchedule } from './types.js';

/** A partner's withdrawal settings as they may be shown: the destination masked, never in clear. */
export interface WithdrawalSettingsView {
  partnerAccountId: number;
  /** The account's currency: the threshold's, and the one withdrawals are quoted in. */
  currency: string;
  timeZone: string;
  configured: boolean;
  paymentMethod: PaymentMethod | null;
  bankCountry: string | null;
  /** `•••• 3001` or `j•••@example.com`. */
  destinationMasked: string | null;
  /** The fee method of a withdrawal in the account's currency to this destination. */
  withdrawalMethod: WithdrawalMethod | null;
  /** The wire fee in the account's currency, when withdrawals there are wires. */
  wireFeeMinor: bigint | null;
  schedule: PaymentSchedule | null;
  thresholdMinor: bigint | null;
  paymentDay: PaymentDay | null;
  /** Withdrawals wait until then after a change of bank details; null when no hold is on. */
  holdUntil: Date | null;
  destinationChangedAt: Date | null;
  updatedAt: Date | null;
}

/** What a partner admin sends: a new destination (optional after the first time) and the autopay schedule. */
export interface WithdrawalSettingsChange {
  /** The destination as typed, in impact.com's field names; absent: keep the current one. */
  destination?: WithdrawalSettingsInput;
  schedule: PaymentSchedule;
  /** BALANCE_THRESHOLD: a decimal amount in the account's currency, at least 10.00. */
  threshold?: string;
  /** FIXED_DAY: the 1st or the 15th. */
  paymentDay?: number;
}

/** The stored row, for this module's services. */
export interface WithdrawalSettingsRow {
  partnerAccountId: number;
  paymentMethod: PaymentMethod;
  bankCountry: string | null;
  destinationSecret: string;
  destinationMasked: string;
  schedule: PaymentSchedule;
  thresholdMinor: bigint | null;
  paymentDay: PaymentDay | null;
  scheduleSince: string;
  destinationChangedAt: Date;
  holdUntil: Date | null;
  version: number;
  updatedAt: Date;
}

export const SETTINGS_COLUMNS = `partner_account_id as "partnerAccountId", payment_method as "paymentMethod", bank_country as "bankCountry",
  destination_secret as "destinationSecret", destination_masked as "destinationMasked", schedule, threshold_minor as "thresholdMinor",
  payment_day as "paymentDay", schedule_since::text as "scheduleSince", destination_changed_at as "destinationChangedAt",
  hold_until as "holdUntil", version, updated_at as "updatedAt"`;

export async function findWithdrawalSettings(sql: Sql, partnerAccountId: number, options: { forUpdate?: boolean } = {}): Promise<WithdrawalSettingsRow | undefined> {
  const { rows } = await sql.query<WithdrawalSettingsRow>(
    `select ${SETTINGS_COLUMNS} from withdrawal_settings where partner_account_id = $1${options.forUpdate ? ' for update' : ''}`,
    [partnerAccountId],
  );
  return rows[0];
}

/**
 * The settings rows of many partners, locked in partner order (a payout run's chunk): the
 * order two runs take them in, so they never deadlock; a bank change that holds one makes
 * the chunk wait for it, and one that comes later waits for the chunk.
 */
export async function lockWithdrawalSettings(tx: Sql, partnerAccountIds: readonly number[]): Promise<Map<number, WithdrawalSettingsRow>> {
  if (partnerAccountIds.length === 0) return new Map();
  const { rows } = await tx.query<WithdrawalSettingsRow>(
    `select ${SETTINGS_COLUMNS} from withdrawal_settings where partner_account_id = any($1::int[]) order by partner_account_id for update`,
    [partnerAccountIds],
  );
  return new Map(rows.map((row) => [row.partnerAccountId, row]));
}

function requirePartner(actor: Actor): AccountActor {
  const account = requireAccountActor(actor);
  if (account.accountKind !== 'PARTNER') throw forbidden('Withdrawal settings belong to partner accounts; the current account is a brand.');
  return account;
}

/** The partner's settings, masked; any user of the partner account may read them. */
export async function getWithdrawalSettings(sql: Sql, actor: Actor, now: Date): Promise<WithdrawalSettingsView> {
  const partner = requirePartner(actor);
  return viewOf(sql, partner.accountId, await findWithdrawalSettings(sql, partner.accountId), now);
}

async function viewOf(sql: Sql, partnerAccountId: number, row: WithdrawalSettingsRow | undefined, now: Date): Promise<WithdrawalSettingsView> {
  const account = (await findAccount(sql, partnerAccountId))!;
  const config = payoutConfigOrThrow();
  const method = row ? methodOfRow(row, account.currency) : null;
  return {
    partnerAccountId,
    currency: account.currency,
    timeZone: account.timeZone,
    configured: row !== undefined,
    paymentMethod: row?.paymentMethod ?? null,
    bankCountry: row?.bankCountry ?? null,
    destinationMasked: row?.destinationMasked ?? null,
    withdrawalMethod: method,
    wireFeeMinor: method === 'WIRE' ? (config.wireFeesMinor[account.currency] ?? null) : null,
    schedule: row?.schedule ?? null,
    thresholdMinor: row?.thresholdMinor ?? null,
    paymentDay: row?.paymentDay ?? null,
    holdUntil: row?.holdUntil && row.holdUntil > now ? row.holdUntil : null,
    destinationChangedAt: row?.destinationChangedAt ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** The fee method of the stored destination for a currency (decrypting it: the method depends on the account's kind). */
export function methodOfRow(row: Pick<WithdrawalSettingsRow, 'destinationSecret'>, currency: string): WithdrawalMethod {
  return withdrawalMethodFor(decryptDestination(payoutConfigOrThrow().secretsKey(), row.destinationSecret), currency);
}

/**
 * bank-details.ts names the field of a refusal in `extra.field`; the API reports it as a
 * validation error of that body field, as it does its schema's own.
 */
function asFieldError(error: unknown): unknown {
  if (error instanceof DomainError && error.code === 'validation' && typeof error.extra.field === 'string') {
    return invalid(error.message, { errors: [{ field: `body.${error.extra.field}`, message: error.message }] });
  }
  return error;
}

function fieldError(field: string, message: string): DomainError {
  return invalid(message, { errors: [{ field: `body.${field}`, message }] });
}

function destinationOrThrow(input: WithdrawalSettingsInput, currency: string): WithdrawalDestination {
  let destination: WithdrawalDestination;
  try {
    destination = validateWithdrawalSettingsOrThrow(input);
  } catch (error) {
    throw asFieldError(error);
  }
  // The bank files carry the name in Latin letters (SEPA) or as typed: it needs a letter or a digit.
  if (destination.method === 'BANK_TRANSFER' && !/[\p{L}\p{N}]/u.test(destination.holderName)) {
    throw fieldError('BeneficiaryAccountName', "BeneficiaryAccountName: enter the account holder's name with its letters, exactly as your bank has it.");
  }
  if (destination.method === 'PAYPAL' && !PAYPAL_CURRENCIES.has(currency)) {
    throw fieldError(
      'PaymentMethod',
      `PaymentMethod: PayPal does not pay out in ${currency}, this account's currency; choose BANK_TRANSFER (PayPal pays in ${[...PAYPAL_CURRENCIES].join(', ')}).`,
    );
  }
  return destination;
}

function scheduleOrThrow(change: WithdrawalSettingsChange, currency: string): { thresholdMinor: bigint | null; paymentDay: PaymentDay | null } {
  if (change.schedule === 'BALANCE_THRESHOLD') {
    if (change.paymentDay !== undefined && change.paymentDay !== 0) {
      throw fieldError('PaymentDay', 'PaymentDay is for FIXED_DAY; leave it out (or 0) with BALANCE_THRESHOLD.');
    }
    if (change.threshold === undefined || change.threshold.trim() === '') {
      throw fieldError('PaymentThreshold', `PaymentThreshold is required with BALANCE_THRESHOLD: the balance in ${currency} at which a withdrawal starts, at least ${formatMinor(minWithdrawalMinor(currency), currency)}.`);
    }
    let thresholdMinor: bigint;
    try {
      thresholdMinor = parseAmountMinorOrThrow(change.threshold.trim(), currency);
    } catch (error) {
      if (error instanceof MoneyError) throw fieldError('PaymentThreshold', `PaymentThreshold: ${error.message}`);
      throw error;
    }
    const minimum = minWithdrawalMinor(currency);
    if (thresholdMinor < minimum) {
      throw fieldError(
        'PaymentThreshold',
        `PaymentThreshold: ${formatMinor(thresholdMinor, currency)} ${currency} is below the minimum withdrawal of ${formatMinor(minimum, currency)} ${currency}; set ${formatMinor(minimum, currency)} or more.`,
      );
    }
    return { thresholdMinor, paymentDay: null };
  }
  if (change.schedule === 'FIXED_DAY') {
    if (change.threshold !== undefined && change.threshold.trim() !== '') {
      throw fieldError('PaymentThreshold', 'PaymentThreshold is for BALANCE_THRESHOLD; leave it out with FIXED_DAY.');
    }
    if (change.paymentDay !== 1 && change.paymentDay !== 15) {
      throw fieldError('PaymentDay', 'PaymentDay: with FIXED_DAY, withdrawals are paid on the 1st or the 15th of the month; choose 1 or 15.');
    }
    return { thresholdMinor: null, paymentDay: change.paymentDay };
  }
  throw fieldError('PaymentSchedulingType', 'PaymentSchedulingType: use BALANCE_THRESHOLD or FIXED_DAY.');
}

/**
 * Checks a change as saving it would (who may, the destination, the schedule) without
 * saving anything: a form's mistakes are reported before the password is asked for.
 */
export async function checkWithdrawalSettingsChangeOrThrow(sql: Sql, actor: Actor, change: WithdrawalSettingsChange): Promise<void> {
  const partner = requireAccountAdmin(requirePartner(actor));
  const { currency } = (await findAccount(sql, partner.accountId))!;
  if (change.destination) destinationOrThrow(change.destination, currency);
  scheduleOrThrow(change, currency);
}

export interface SavedWithdrawalSettings {
  settings: WithdrawalSettingsView;
  /** True when the destination changed: withdrawals are held until settings.holdUntil. */
  destinationChanged: boolean;
}

/**
 * Saves a partner's withdrawal settings (partner admins), in the caller's transaction,
 * with the row locked: a payout run that holds the row pays the old destination and
 * commits first; one that comes after sees the hold. A new destination (validated and
 * normalized, then stored only encrypted) holds withdrawals for 48 hours, unless it is
 * the one already stored or the first one the partner sets. The caller has confirmed the user's password when a destination
 * is given (src/flows/change-withdrawal-settings.ts). Changing the schedule restarts it.
 */
export async function saveWithdrawalSettingsInTx(tx: Sql, actor: Actor, change: WithdrawalSettingsChange, now: Date): Promise<SavedWithdrawalSettings> {
  const partner = requireAccountAdmin(requirePartner(actor));
  const account = (await findAccount(tx, partner.accountId))!;
  const { currency } = account;
  const key = payoutConfigOrThrow().secretsKey();
  const current = await findWithdrawalSettings(tx, partner.accountId, { forUpdate: true });
  const schedule = scheduleOrThrow(change, currency);

  let destination: { secret: string; masked: string; method: PaymentMethod; bankCountry: string | null } | null = null;
  let destinationChanged = false;
  if (change.destination) {
    const next = destinationOrThrow(change.destination, currency);
    destinationChanged = !current || !isDeepStrictEqual(decryptDestination(key, current.destinationSecret), next);
    destination = {
      secret: destinationChanged ? encryptDestination(key, next) : current!.destinationSecret,
      masked: maskDestination(next),
      method: next.method,
      bankCountry: next.method === 'BANK_TRANSFER' ? next.bankCountry : null,
    };
  } else if (!current) {
    throw fieldError('PaymentMethod', 'PaymentMethod is required: say where withdrawals go (BANK_TRANSFER with the bank details, or PAYPAL with its e-mail address).');
  }

  const today = accountLocalDate(now, account.timeZone);
  const scheduleChanged =
    !current || current.schedule !== change.schedule || current.paymentDay !== schedule.paymentDay || current.thresholdMinor !== schedule.thresholdMinor;
  // A change of the destination holds withdrawals; the first one set does not (there was
  // nowhere else for the money to go, and the password was asked for all the same).
  const holdUntil = destinationChanged && current ? new Date(now.getTime() + BANK_CHANGE_HOLD_HOURS * 3_600_000) : (current?.holdUntil ?? null);
  await tx.query(
    `insert into withdrawal_settings (partner_account_id, payment_method, bank_country, destination_secret, destination_masked, schedule,
        threshold_minor, payment_day, schedule_since, destination_changed_at, hold_until, version, updated_at, updated_by_user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10, $11, 1, $12, $13)
     on conflict (partner_account_id) do update set
       payment_method = excluded.payment_method, bank_country = excluded.bank_country, destination_secret = excluded.destination_secret,
       destination_masked = excluded.destination_masked, schedule = excluded.schedule, threshold_minor = excluded.threshold_minor,
       payment_day = excluded.payment_day, schedule_since = excluded.schedule_since, destination_changed_at = excluded.destination_changed_at,
       hold_until = excluded.hold_until, version = withdrawal_settings.version + 1, updated_at = excluded.updated_at,
       updated_by_user_id = excluded.updated_by_user_id`,
    [
      partner.accountId,
      destination?.method ?? current!.paymentMethod,
      destination ? destination.bankCountry : current!.bankCountry,
      destination?.secret ?? current!.destinationSecret,
      destination?.masked ?? current!.destinationMasked,
      change.schedule,
      schedule.thresholdMinor?.toString() ?? null,
      schedule.paymentDay,
      scheduleChanged ? today : current!.scheduleSince,
      destinationChanged ? now : (current?.destinationChangedAt ?? now),
      holdUntil,
      now,
      partner.userId,
    ],
  );
  // A new schedule starts afresh: a threshold seen under the old one is seen again.
  if (scheduleChanged) await tx.query('update payout_schedule_states set threshold_reached_on = null where partner_account_id = $1', [partner.accountId]);
  // Masked values only: the audit log is read by people who must not see bank details.
  await recordAuditEvent(tx, {
    at: now,
    actorUserId: partner.userId,
    accountId: partner.accountId,
    action: 'withdrawal_settings.changed',
    subject: `withdrawal_settings:${partner.accountId}`,
    detail: {
      destinationChanged,
      paymentMethod: destination?.method ?? current!.paymentMethod,
      destination: destination?.masked ?? current!.destinationMasked,
      schedule: change.schedule,
      thresholdMinor: schedule.thresholdMinor?.toString() ?? null,
      paymentDay: schedule.paymentDay,
      holdUntil: destinationChanged && holdUntil ? holdUntil.toISOString() : null,
    },
  });
  return { settings: await viewOf(tx, partner.accountId, await findWithdrawalSettings(tx, partner.accountId), now), destinationChanged };
}
