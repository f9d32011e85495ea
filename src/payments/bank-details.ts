/**
 * Withdrawal bank details: where a partner's money goes. Every function here takes what a
 * partner typed (spaces, lower case, hyphens) and either returns the one canonical form that
 * is stored and written into payment files, or throws `invalid(...)` with a message that
 * starts with the impact.com field name (`BankAccountNumber`, `SwiftCode`, `RoutingCode`,
 * `BeneficiaryAccountName`, `PaypalEmailAddress`), so a form or an API client can show it
 * next to the right field. The checks are the ones a bank would make before anything is
 * sent: a payout refused by the bank costs the partner days, a refused form costs seconds.
 */
import { invalid } from '../core/errors.js';

/**
 * IBAN lengths by country, from SWIFT's IBAN registry (release 102, 2026-06). Dependent
 * territories without their own prefix (Åland, the French overseas territories, Jersey,
 * Guernsey, the Isle of Man) use their parent's, listed in IBAN_TERRITORIES.
 */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27,
    BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28,
    EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
    GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
    IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21,
    LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
    NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
    RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25,
    SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
  }),
);

/** Territories whose banks issue IBANs under another country's prefix. */
const IBAN_TERRITORIES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    AX: 'FI', BL: 'FR', GF: 'FR', GP: 'FR', MF: 'FR', MQ: 'FR', NC: 'FR', PF: 'FR', PM: 'FR',
    RE: 'FR', TF: 'FR', WF: 'FR', YT: 'FR', GG: 'GB', IM: 'GB', JE: 'GB',
  }),
);

/**
 * ISO 3166-1 alpha-2 country codes, plus XK (Kosovo), which SWIFT uses in BICs and IBANs
 * although ISO has not assigned it.
 */
const COUNTRY_CODES: ReadonlySet<string> = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
  BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
  DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
  GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
  KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
  MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
  PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
  SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
  VN VU WF WS XK YE YT ZA ZM ZW`.split(/\s+/),
);

/** Countries and territories whose banks are reached through US clearing (ABA routing numbers). */
const ABA_COUNTRIES: ReadonlySet<string> = new Set(['US', 'AS', 'GU', 'MP', 'PR', 'UM', 'VI']);

/** The longest text echoed back in a message; a pasted paragraph is cut. */
const ECHO_MAX = 48;

export const HOLDER_NAME_MAX_CHARS = 70;
/** PayPal accepts receivers of up to 127 single-byte characters. */
export const PAYPAL_EMAIL_MAX_CHARS = 127;

/** A bank account as payment files need it, in canonical form (no spaces, upper case). */
export type BankAccount =
  | { kind: 'IBAN'; iban: string; bic?: string }
  | { kind: 'US'; accountNumber: string; routingNumber: string; accountType?: 'CHECKING' | 'SAVINGS'; bic?: string }
  | { kind: 'OTHER'; accountNumber: string; bic: string };

/** Withdrawal settings as the impact.com API names them; every field is what the partner typed. */
export interface WithdrawalSettingsInput {
  PaymentMethod: 'BANK_TRANSFER' | 'PAYPAL';
  BankCountry?: string;
  BeneficiaryAccountName?: string;
  BankAccountNumber?: string;
  BankAccountType?: 'CHECKING' | 'SAVINGS' | 'NOT_SET';
  SwiftCode?: string;
  RoutingCode?: string;
  PaypalEmailAddress?: string;
}

/** Where a withdrawal is paid, validated and normalized. */
export type WithdrawalDestination =
  | { method: 'PAYPAL'; paypalEmail: string }
  | { method: 'BANK_TRANSFER'; bankCountry: string; holderName: string; account: BankAccount };

/** The text as it goes into a message: trimmed, cut, and quoted when it holds anything unusual. */
function echo(text: string): string {
  const trimmed = text.trim();
  const cut = [...trimmed].length > ECHO_MAX ? `${[...trimmed].slice(0, ECHO_MAX).join('')}…` : trimmed;
  return /^[\x20-\x7E…]+$/.test(cut) ? cut : JSON.stringify(cut);
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** "DE (Germany)", or the bare code when ICU does not know its name. */
function countryLabel(code: string): string {
  const name = regionNames.of(code);
  return name && name !== code ? `${code} (${name})` : code;
}

/** True for an ISO 3166-1 alpha-2 code (exact upper case) or XK. */
export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

/** The IBAN length of a country's prefix, or undefined when the country issues no IBANs of its own. */
export function ibanLength(countryCode: string): number | undefined {
  return IBAN_LENGTHS.get(countryCode);
}

/**
 * ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end,
 * letters as 10-35). Digits are folded in one at a time, so no big number is built.
 */
function ibanRemainder(iban: string): number {
  let remainder = 0;
  for (const ch of iban.slice(4) + iban.slice(0, 4)) {
    const value = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder;
}

/** The IBAN without spaces, upper-cased, or an explanation of why it is not one. */
function checkIban(text: string): { iban: string } | { problem: string } {
  const iban = text.replace(/\s+/g, '').toUpperCase();
  if (iban === '') return { problem: 'it is empty' };
  if (!/^[A-Z0-9]+$/.test(iban)) return { problem: 'it may contain only letters, digits and spaces' };
  if (!/^[A-Z]{2}[0-9]{2}/.test(iban)) return { problem: 'it must start with a two-letter country code and two check digits' };
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS.get(country);
  if (length === undefined) {
    const parent = IBAN_TERRITORIES.get(country);
    return {
      problem: parent
        ? `banks in ${countryLabel(country)} issue IBANs starting with ${parent}`
        : `${country} is not a country that issues IBANs`,
    };
  }
  if (iban.length !== length) {
    return { problem: `IBANs from ${countryLabel(country)} have ${length} characters, this one has ${iban.length}` };
  }
  if (ibanRemainder(iban) !== 1) return { problem: 'its check digits do not match' };
  return { iban };
}

/** True when the text is a valid IBAN once spaces are removed and letters upper-cased. */
export function isValidIban(text: string): boolean {
  return 'iban' in checkIban(text);
}

/**
 * The canonical IBAN (no spaces, upper case) for what a partner typed, checked for a known
 * country, that country's exact length and the mod-97 check digits. `field` names the input
 * in the message.
 */
export function normalizeIbanOrThrow(text: string, field = 'BankAccountNumber'): string {
  const result = checkIban(text);
  if ('problem' in result) {
    throw invalid(`${field}: ${echo(text)} is not a valid IBAN: ${result.problem}; copy it again from a bank statement.`, { field });
  }
  return result.iban;
}

/**
 * The canonical BIC (SWIFT code): 8 or 11 characters, upper case, as `AAAABBCCDDD` — four
 * letters of bank code, a real country, two characters of location and an optional branch.
 * The location rules (no 0 or 1 first, no O second) are the ones the pain.001 schema checks.
 */
export function normalizeBicOrThrow(text: string, field = 'SwiftCode'): string {
  const bic = text.replace(/\s+/g, '').toUpperCase();
  const fail = (problem: string) =>
    invalid(`${field}: ${echo(text)} is not a valid SWIFT/BIC code: ${problem}.`, { field });
  if (bic === '') throw invalid(`${field} is required; enter the 8 or 11 characters of your bank's SWIFT/BIC code.`, { field });
  if (!/^[A-Z0-9]+$/.test(bic)) throw fail('it may contain only letters and digits');
  if (bic.length !== 8 && bic.length !== 11) throw fail(`it has ${bic.length} characters; a BIC has 8 or 11`);
  if (!/^[A-Z]{4}/.test(bic)) throw fail('its first four characters (the bank code) must be letters');
  const country = bic.slice(4, 6);
  if (!COUNTRY_CODES.has(country)) throw fail(`characters 5-6 must be a country code, and ${country} is not one`);
  if (!/^[A-Z2-9][A-NP-Z0-9]$/.test(bic.slice(6, 8))) {
    throw fail(`its location code ${bic.slice(6, 8)} is not valid (it cannot start with 0 or 1, nor end with O)`);
  }
  const branch = bic.slice(8);
  if (branch.startsWith('X') && branch !== 'XXX') throw fail(`its branch code ${branch} is not valid (a branch starting with X must be XXX)`);
  return bic;
}

/**
 * The 9-digit ABA routing number, checked for the Federal Reserve's prefix ranges and its
 * check digit: 3, 7 and 1 times the digits in turn must add up to a multiple of 10.
 */
export function normalizeRoutingNumberOrThrow(text: string, field = 'RoutingCode'): string {
  const routing = text.replace(/[\s-]+/g, '');
  const fail = (problem: string) => invalid(`${field}: ${echo(text)} is not a valid ABA routing number: ${problem}.`, { field });
  if (routing === '') throw invalid(`${field} is required for a US bank account; enter the 9-digit ABA routing number.`, { field });
  if (!/^[0-9]{9}$/.test(routing)) throw fail('it must be exactly 9 digits');
  const prefix = Number(routing.slice(0, 2));
  if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80)) {
    throw fail(`no routing number starts with ${routing.slice(0, 2)}`);
  }
  const weights = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(routing[i]) * weights[i % 3]!;
  if (sum % 10 !== 0) throw fail('its check digit does not match');
  return routing;
}

/** A US account number: 4 to 17 digits once spaces and hyphens are removed. */
export function normalizeUsAccountNumberOrThrow(text: string, field = 'BankAccountNumber'): string {
  const account = text.replace(/[\s-]+/g, '');
  if (account === '') throw invalid(`${field} is required; enter the account number printed on your checks or statement.`, { field });
  if (!/^[0-9]{4,17}$/.test(account)) {
    throw invalid(`${field}: ${echo(text)} is not a valid US account number: it must be 4 to 17 digits.`, { field });
  }
  return account;
}

/**
 * An account number in a country without IBANs (Canada, Japan, India, ...): letters and
 * digits only, at most 34 (the ISO 20022 limit), once spaces and hyphens are removed.
 */
export function normalizeLocalAccountNumberOrThrow(text: string, field = 'BankAccountNumber'): string {
  const account = text.replace(/[\s-]+/g, '').toUpperCase();
  if (account === '') throw invalid(`${field} is required; enter the account number your bank gave you.`, { field });
  if (!/^[A-Z0-9]{1,34}$/.test(account)) {
    throw invalid(`${field}: ${echo(text)} is not a valid account number: it must be 1 to 34 letters and digits.`, { field });
  }
  return account;
}

/**
 * The account holder's name as the bank knows it: trimmed, runs of spaces collapsed, in
 * Unicode NFC, 1 to 70 characters, with no control characters or line breaks (they would
 * break the fixed-format files banks read).
 */
export function normalizeHolderNameOrThrow(text: string, field = 'BeneficiaryAccountName'): string {
  if (!text.isWellFormed()) throw invalid(`${field} contains a broken character (a lone UTF-16 surrogate); type the name again.`, { field });
  const control = /[\p{Cc}\u2028\u2029]/u.exec(text.trim());
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw invalid(`${field} contains a control character (U+${code}); write the name on one line, without tabs.`, { field });
  }
  const name = text.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (name === '') throw invalid(`${field} is required; enter the account holder's name exactly as your bank has it.`, { field });
  const length = [...name].length;
  if (length > HOLDER_NAME_MAX_CHARS) {
    throw invalid(`${field} is ${length} characters long; banks accept at most ${HOLDER_NAME_MAX_CHARS}, so shorten it as your bank does.`, { field });
  }
  return name;
}

// RFC 5322 atext: what an unquoted local part may hold.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * The PayPal e-mail address, trimmed and with its domain in lower case. It must be plain
 * ASCII of at most 127 characters (PayPal's limit for a receiver), an unquoted local part,
 * and a domain name with a top-level domain; a local part starting with =, + or - is refused
 * because the address goes into CSV files that spreadsheets open.
 */
export function normalizePaypalEmailOrThrow(text: string, field = 'PaypalEmailAddress'): string {
  const email = text.trim();
  const fail = (problem: string) => invalid(`${field}: ${echo(text)} is not a valid e-mail address: ${problem}.`, { field });
  if (email === '') throw invalid(`${field} is required; enter the e-mail address of your PayPal account.`, { field });
  if (!/^[\x21-\x7E]+$/.test(email)) throw fail('it may contain only ASCII letters, digits and punctuation, without spaces');
  if (email.length > PAYPAL_EMAIL_MAX_CHARS) throw fail(`it is ${email.length} characters long; PayPal accepts at most ${PAYPAL_EMAIL_MAX_CHARS}`);
  const at = email.lastIndexOf('@');
  if (at < 0) throw fail('it has no @');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();
  if (local === '') throw fail('nothing comes before the @');
  if (local.length > 64) throw fail('the part before the @ is longer than 64 characters');
  if (!LOCAL_PART.test(local)) throw fail('the part before the @ has characters or dots an address cannot have');
  if (/^[=+-]/.test(local)) throw fail('it cannot start with =, + or -');
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    throw fail(`${JSON.stringify(domain)} is not a domain name like example.com`);
  }
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) throw fail(`${JSON.stringify(domain)} does not end in a top-level domain`);
  return `${local}@${domain}`;
}

/** The upper-case country code of BankCountry, checked against ISO 3166-1. */
function bankCountryOrThrow(text: string | undefined): string {
  const country = (text ?? '').trim().toUpperCase();
  if (country === '') throw invalid('BankCountry is required for a bank transfer; enter the two-letter code of the country of your bank, e.g. DE.', { field: 'BankCountry' });
  if (!COUNTRY_CODES.has(country)) {
    throw invalid(`BankCountry: ${echo(text ?? '')} is not an ISO 3166 country code; use two letters such as US, GB or DE.`, { field: 'BankCountry' });
  }
  return country;
}

/**
 * Validates a whole set of withdrawal settings and returns where the money goes. A bank in
 * the US (or a US territory) needs RoutingCode and a US account number (SwiftCode optional,
 * for international wires); a bank in a country
 * that issues IBANs needs an IBAN of that country (SwiftCode optional, as SEPA needs none);
 * any other bank needs its local account number and SwiftCode.
 */
export function validateWithdrawalSettingsOrThrow(input: WithdrawalSettingsInput): WithdrawalDestination {
  if (input.PaymentMethod === 'PAYPAL') {
    return { method: 'PAYPAL', paypalEmail: normalizePaypalEmailOrThrow(input.PaypalEmailAddress ?? '') };
  }
  if (input.PaymentMethod !== 'BANK_TRANSFER') {
    throw invalid(`PaymentMethod: ${echo(String(input.PaymentMethod))} is not a payment method; use BANK_TRANSFER or PAYPAL.`, { field: 'PaymentMethod' });
  }
  const bankCountry = bankCountryOrThrow(input.BankCountry);
  const holderName = normalizeHolderNameOrThrow(input.BeneficiaryAccountName ?? '');
  const accountText = input.BankAccountNumber ?? '';
  const swift = input.SwiftCode?.trim() ? normalizeBicOrThrow(input.SwiftCode) : undefined;
  let account: BankAccount;
  if (ABA_COUNTRIES.has(bankCountry)) {
    const accountType = input.BankAccountType === 'CHECKING' || input.BankAccountType === 'SAVINGS' ? input.BankAccountType : undefined;
    account = {
      kind: 'US',
      accountNumber: normalizeUsAccountNumberOrThrow(accountText),
      routingNumber: normalizeRoutingNumberOrThrow(input.RoutingCode ?? ''),
      ...(accountType ? { accountType } : {}),
      ...(swift ? { bic: swift } : {}),
    };
  } else {
    const ibanCountry = IBAN_LENGTHS.has(bankCountry) ? bankCountry : IBAN_TERRITORIES.get(bankCountry);
    if (ibanCountry) {
      if (accountText.trim() === '') {
        throw invalid(`BankAccountNumber is required; banks in ${countryLabel(bankCountry)} use IBANs, so enter yours (it starts with ${ibanCountry}).`, { field: 'BankAccountNumber' });
      }
      const iban = normalizeIbanOrThrow(accountText);
      if (iban.slice(0, 2) !== ibanCountry) {
        throw invalid(
          `BankAccountNumber: ${echo(accountText)} is an IBAN from ${countryLabel(iban.slice(0, 2))}, but BankCountry is ${countryLabel(bankCountry)}; correct one of them.`,
          { field: 'BankAccountNumber' },
        );
      }
      account = { kind: 'IBAN', iban, ...(swift ? { bic: swift } : {}) };
    } else {
      if (!swift) throw invalid(`SwiftCode is required for a bank in ${countryLabel(bankCountry)}; enter your bank's 8 or 11-character SWIFT/BIC code.`, { field: 'SwiftCode' });
      account = { kind: 'OTHER', accountNumber: normalizeLocalAccountNumberOrThrow(accountText), bic: swift };
    }
  }
  return { method: 'BANK_TRANSFER', bankCountry, holderName, account };
}

/**
 * An account number or IBAN for display: bullets and its last 4 characters, e.g.
 * `•••• 3001`. Text of 4 characters or fewer is shown as bullets only, since its last 4
 * would be all of it.
 */
export function maskAccount(text: string): string {
  const compact = text.replace(/[\s-]+/g, '');
  return compact.length > 4 ? `•••• ${compact.slice(-4)}` : '••••';
}
