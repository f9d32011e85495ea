/**
 * What a withdrawal costs the partner, per method, in minor units of the account's
 * currency. The fee is taken from the withdrawn amount: the partner receives the gross
 * minus the fee. Every amount is a bigint of minor units and the one percentage (PayPal's)
 * is rounded exactly once, by percentOfMinor.
 */
import { invalid } from '../core/errors.js';
import { currencyExponent, formatMinor, percentOfMinor } from '../money/index.js';

export type WithdrawalMethod = 'EFT' | 'WIRE' | 'PAYPAL';
export const WITHDRAWAL_METHODS: readonly WithdrawalMethod[] = ['EFT', 'WIRE', 'PAYPAL'];

/** The smallest withdrawal, in whole units of the account's currency (10.00). */
export const MIN_WITHDRAWAL_UNITS = 10n;
/** PayPal's fee: this percent of the gross ... */
export const PAYPAL_FEE_PERCENT = '2';
/** ... and at most this many whole units of the currency (20.00). */
export const PAYPAL_FEE_CAP_UNITS = 20n;

/** Whole units of a currency in its minor units: 10 USD is 1000, 10 JPY is 10, 10 KWD is 10000. */
function unitsToMinor(units: bigint, currency: string): bigint {
  return units * 10n ** BigInt(currencyExponent(currency));
}

/** The minimum withdrawal, 10.00 in the account's currency, in its minor units. */
export function minWithdrawalMinor(currency: string): bigint {
  return unitsToMinor(MIN_WITHDRAWAL_UNITS, currency);
}

/** The highest PayPal fee, 20.00 in the currency, in its minor units. */
export function paypalFeeCapMinor(currency: string): bigint {
  return unitsToMinor(PAYPAL_FEE_CAP_UNITS, currency);
}

export interface WithdrawalFeeRequest {
  method: WithdrawalMethod;
  currency: string;
  /** The amount withdrawn from the balance, before the fee. */
  grossMinor: bigint;
  /** The configured wire fee per currency, in minor units; only WIRE reads it. */
  wireFeesMinor?: Readonly<Record<string, bigint>>;
}

/**
 * The fee of one withdrawal. EFT (a transfer within the account's own clearing) is free;
 * WIRE is the fixed fee configured for the currency; PAYPAL is 2% of the gross, rounded
 * half up to the minor unit once, and capped at 20.00 in the currency.
 */
export function withdrawalFeeMinor(request: WithdrawalFeeRequest): bigint {
  const { method, currency, grossMinor } = request;
  currencyExponent(currency);
  if (grossMinor < 0n) throw invalid(`A withdrawal of ${formatMinor(grossMinor, currency)} ${currency} is negative; withdraw an amount above zero.`);
  switch (method) {
    case 'EFT':
      return 0n;
    case 'WIRE': {
      const fees = request.wireFeesMinor ?? {};
      const fee = Object.hasOwn(fees, currency) ? fees[currency] : undefined;
      if (fee === undefined) {
        throw invalid(`No wire fee is configured for ${currency}; configure one before offering wire withdrawals in ${currency}.`);
      }
      if (fee < 0n) throw invalid(`The wire fee configured for ${currency} is negative (${formatMinor(fee, currency)}); configure 0 or more.`);
      return fee;
    }
    case 'PAYPAL': {
      // Half-up and half-away-from-zero agree here, since the gross is never negative.
      const fee = percentOfMinor(grossMinor, PAYPAL_FEE_PERCENT);
      const cap = paypalFeeCapMinor(currency);
      // Math.min takes no bigints.
      if (fee > cap) return cap;
      return fee;
    }
    default:
      throw invalid(`${JSON.stringify(method)} is not a withdrawal method; use EFT, WIRE or PAYPAL.`);
  }
}

export interface WithdrawalQuote {
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
}

/**
 * The gross, fee and net of a withdrawal, refusing one below the minimum (10.00) or one
 * whose fee would leave the partner nothing.
 */
export function quoteWithdrawalOrThrow(request: WithdrawalFeeRequest): WithdrawalQuote {
  const { currency, grossMinor } = request;
  const minimum = minWithdrawalMinor(currency);
  if (grossMinor < minimum) {
    throw invalid(
      `A withdrawal of ${formatMinor(grossMinor, currency)} ${currency} is below the minimum of ${formatMinor(minimum, currency)} ${currency}; wait until the balance reaches it.`,
    );
  }
  const feeMinor = withdrawalFeeMinor(request);
  const netMinor = grossMinor - feeMinor;
  if (netMinor <= 0n) {
    throw invalid(
      `The ${request.method} fee of ${formatMinor(feeMinor, currency)} ${currency} takes all of the ${formatMinor(grossMinor, currency)} ${currency} withdrawn; choose another method or withdraw more.`,
    );
  }
  return { grossMinor, feeMinor, netMinor };
}
