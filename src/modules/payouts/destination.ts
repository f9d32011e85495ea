/**
 * A withdrawal destination at rest and on display. The validated destination
 * (src/payments/bank-details.ts) is stored only encrypted; what may be shown is its masked
 * form: the last 4 characters of an account number or IBAN (`•••• 3001`), a PayPal
 * address with its local part hidden (`j•••@example.com`). Which fee a payment costs and
 * which bank file carries it follow from the destination and the currency paid.
 */
import type { KeyObject } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../../core/secrets.js';
import { type BankAccount, maskAccount, type WithdrawalDestination } from '../../payments/bank-details.js';
import type { WithdrawalMethod } from '../../payments/fees.js';
import type { PayoutFileFormat } from './types.js';

export function encryptDestination(key: KeyObject, destination: WithdrawalDestination): string {
  return encryptSecret(key, JSON.stringify(destination));
}

export function decryptDestination(key: KeyObject, secret: string): WithdrawalDestination {
  return JSON.parse(decryptSecret(key, secret)) as WithdrawalDestination;
}

/** `j•••@example.com`: the first character of the local part and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '••••';
  return `${email[0]}•••${email.slice(at)}`;
}

function accountText(account: BankAccount): string {
  return account.kind === 'IBAN' ? account.iban : account.accountNumber;
}

/** What the API, the UI, logs and exports show of a destination. */
export function maskDestination(destination: WithdrawalDestination): string {
  return destination.method === 'PAYPAL' ? maskEmail(destination.paypalEmail) : maskAccount(accountText(destination.account));
}

/**
 * The countries of the SEPA scheme (EU, EEA, and the other members of the EPC's list),
 * whose banks take EUR credit transfers at domestic cost.
 */
const SEPA_COUNTRIES: ReadonlySet<string> = new Set(
  `AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA
   AX BL GF GP MF MQ PM RE YT GG IM JE AL MD ME MK RS`.split(/\s+/),
);

/** The currency each country's domestic clearing pays in (ACH, Faster Payments, EFT, BECS, …). */
const DOMESTIC_CURRENCY: Readonly<Record<string, string>> = {
  US: 'USD', AS: 'USD', GU: 'USD', MP: 'USD', PR: 'USD', UM: 'USD', VI: 'USD',
  GB: 'GBP', GG: 'GBP', IM: 'GBP', JE: 'GBP', CA: 'CAD', AU: 'AUD', NZ: 'NZD', CH: 'CHF', LI: 'CHF',
  SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', CZ: 'CZK', HU: 'HUF', RO: 'RON', BG: 'BGN', IS: 'ISK',
  JP: 'JPY', SG: 'SGD', HK: 'HKD', IN: 'INR', MX: 'MXN', BR: 'BRL', ZA: 'ZAR', IL: 'ILS', TR: 'TRY',
};

function isSepa(destination: Extract<WithdrawalDestination, { method: 'BANK_TRANSFER' }>): boolean {
  return destination.account.kind === 'IBAN' && SEPA_COUNTRIES.has(destination.bankCountry);
}

/**
 * The fee method of a payment in `currency`: PayPal for PayPal; EFT (free) for a bank
 * transfer within the bank's own clearing (USD to a US bank, EUR to a SEPA IBAN, GBP to a
 * UK bank, …); WIRE (the configured fee) for any other bank transfer, such as USD to a
 * German IBAN.
 */
export function withdrawalMethodFor(destination: WithdrawalDestination, currency: string): WithdrawalMethod {
  if (destination.method === 'PAYPAL') return 'PAYPAL';
  if (currency === 'EUR' && isSepa(destination)) return 'EFT';
  if (destination.account.kind === 'US') return currency === 'USD' ? 'EFT' : 'WIRE';
  return DOMESTIC_CURRENCY[destination.bankCountry] === currency ? 'EFT' : 'WIRE';
}

/** The file that carries a payment: PayPal's CSV; a SEPA credit transfer (pain.001.001.09) for EUR to a SEPA IBAN; else pain.001.001.03. */
export function fileFormatFor(destination: WithdrawalDestination, currency: string): PayoutFileFormat {
  if (destination.method === 'PAYPAL') return 'PAYPAL_PAYOUTS_CSV';
  return currency === 'EUR' && isSepa(destination) ? 'PAIN_001_001_09' : 'PAIN_001_001_03';
}

/**
 * The currencies PayPal Payouts pays in (PayPal's list of supported currencies); a partner
 * account in another currency cannot withdraw to PayPal.
 */
export const PAYPAL_CURRENCIES: ReadonlySet<string> = new Set(
  'AUD BRL CAD CNY CZK DKK EUR HKD HUF ILS JPY MYR MXN TWD NZD NOK PHP PLN GBP RUB SGD SEK CHF THB USD'.split(' '),
);
