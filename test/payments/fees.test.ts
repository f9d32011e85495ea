import { describe, expect, it } from 'vitest';
import {
  MIN_WITHDRAWAL_UNITS,
  minWithdrawalMinor,
  paypalFeeCapMinor,
  quoteWithdrawalOrThrow,
  withdrawalFeeMinor,
} from '../../src/payments/fees.js';

const wireFeesMinor = { USD: 2500n, EUR: 1500n, JPY: 3000n, KWD: 7500n };

describe('withdrawalFeeMinor', () => {
  it.each<[string, bigint, bigint]>([
    // 2% of the gross, rounded half up once to the minor unit.
    ['USD', 1000n, 20n],
    ['USD', 1024n, 20n], // 20.48 cents
    ['USD', 1025n, 21n], // 20.5 cents: the tie rounds up
    ['USD', 1075n, 22n], // 21.5 cents
    ['USD', 1026n, 21n], // 20.52 cents
    ['USD', 99_975n, 2000n], // 1999.5 cents → 20.00
    ['USD', 100_000n, 2000n], // exactly the cap
    ['USD', 100_025n, 2000n], // 2000.5 cents, capped
    ['USD', 10_000_000n, 2000n],
    ['USD', 0n, 0n],
    ['USD', 24n, 0n], // 0.48 cent
    ['USD', 25n, 1n], // 0.5 cent
    // JPY has no decimals: 2% in whole yen, capped at 20 yen.
    ['JPY', 1000n, 20n],
    ['JPY', 975n, 20n], // 19.5 yen
    ['JPY', 974n, 19n], // 19.48 yen
    ['JPY', 925n, 19n], // 18.5 yen
    ['JPY', 1_000_000n, 20n],
    // KWD has 3 decimals: fils, capped at 20.000 KWD.
    ['KWD', 10_000n, 200n],
    ['KWD', 10_025n, 201n], // 200.5 fils
    ['KWD', 10_024n, 200n],
    ['KWD', 1_000_000n, 20_000n],
    ['KWD', 1_000_025n, 20_000n],
    ['KWD', 5_000_000n, 20_000n],
  ])('PAYPAL, %s gross %s → %s', (currency, grossMinor, fee) => {
    expect(withdrawalFeeMinor({ method: 'PAYPAL', currency, grossMinor })).toBe(fee);
  });

  it('caps PayPal at 20.00 in each currency’s minor units', () => {
    expect(paypalFeeCapMinor('USD')).toBe(2000n);
    expect(paypalFeeCapMinor('JPY')).toBe(20n);
    expect(paypalFeeCapMinor('KWD')).toBe(20_000n);
  });

  it.each(['USD', 'JPY', 'KWD'])('EFT is free in %s', (currency) => {
    expect(withdrawalFeeMinor({ method: 'EFT', currency, grossMinor: 123_456n })).toBe(0n);
  });

  it.each<[string, bigint]>([
    ['USD', 2500n],
    ['JPY', 3000n],
    ['KWD', 7500n],
  ])('WIRE takes the configured fee for %s', (currency, fee) => {
    expect(withdrawalFeeMinor({ method: 'WIRE', currency, grossMinor: 1_000_000n, wireFeesMinor })).toBe(fee);
  });

  it('refuses a wire without a configured fee, a negative fee or a negative gross', () => {
    expect(() => withdrawalFeeMinor({ method: 'WIRE', currency: 'GBP', grossMinor: 5000n, wireFeesMinor })).toThrow(
      'No wire fee is configured for GBP; configure one before offering wire withdrawals in GBP.',
    );
    expect(() => withdrawalFeeMinor({ method: 'WIRE', currency: 'USD', grossMinor: 5000n })).toThrow('No wire fee is configured for USD');
    expect(() => withdrawalFeeMinor({ method: 'WIRE', currency: 'USD', grossMinor: 5000n, wireFeesMinor: { USD: -1n } })).toThrow('is negative (-0.01)');
    expect(() => withdrawalFeeMinor({ method: 'WIRE', currency: 'toString', grossMinor: 5000n, wireFeesMinor })).toThrow('not a supported ISO 4217');
    expect(() => withdrawalFeeMinor({ method: 'PAYPAL', currency: 'USD', grossMinor: -1n })).toThrow('is negative');
    expect(() => withdrawalFeeMinor({ method: 'CHEQUE' as 'EFT', currency: 'USD', grossMinor: 1n })).toThrow('"CHEQUE" is not a withdrawal method');
  });
});

describe('the minimum withdrawal and quotes', () => {
  it('is 10.00 in the account currency', () => {
    expect(MIN_WITHDRAWAL_UNITS).toBe(10n);
    expect(minWithdrawalMinor('USD')).toBe(1000n);
    expect(minWithdrawalMinor('JPY')).toBe(10n);
    expect(minWithdrawalMinor('KWD')).toBe(10_000n);
  });

  it('quotes gross, fee and net', () => {
    expect(quoteWithdrawalOrThrow({ method: 'PAYPAL', currency: 'USD', grossMinor: 1025n })).toEqual({ grossMinor: 1025n, feeMinor: 21n, netMinor: 1004n });
    expect(quoteWithdrawalOrThrow({ method: 'EFT', currency: 'JPY', grossMinor: 10n })).toEqual({ grossMinor: 10n, feeMinor: 0n, netMinor: 10n });
    expect(quoteWithdrawalOrThrow({ method: 'WIRE', currency: 'KWD', grossMinor: 10_000n, wireFeesMinor })).toEqual({ grossMinor: 10_000n, feeMinor: 7500n, netMinor: 2500n });
  });

  it('refuses a withdrawal below the minimum', () => {
    expect(() => quoteWithdrawalOrThrow({ method: 'EFT', currency: 'USD', grossMinor: 999n })).toThrow(
      'A withdrawal of 9.99 USD is below the minimum of 10.00 USD; wait until the balance reaches it.',
    );
    expect(() => quoteWithdrawalOrThrow({ method: 'EFT', currency: 'KWD', grossMinor: 9_999n })).toThrow('below the minimum of 10.000 KWD');
    expect(() => quoteWithdrawalOrThrow({ method: 'EFT', currency: 'JPY', grossMinor: 9n })).toThrow('below the minimum of 10 JPY');
  });

  it('refuses a withdrawal the fee would swallow', () => {
    expect(() => quoteWithdrawalOrThrow({ method: 'WIRE', currency: 'USD', grossMinor: 2500n, wireFeesMinor })).toThrow(
      'The WIRE fee of 25.00 USD takes all of the 25.00 USD withdrawn; choose another method or withdraw more.',
    );
  });
});
