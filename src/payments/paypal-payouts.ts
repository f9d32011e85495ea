/**
 * PayPal Payouts bulk files: the CSV a PayPal business account uploads (Payouts Web) to pay
 * many PayPal users at once. PayPal's format has no header row; each line is one payout:
 *
 *   recipient e-mail, amount, currency, reference (PayPal's "Customer ID"), note, wallet
 *
 * with one currency per file and at most 5,000 lines. The reference is the paystub id, so
 * PayPal's reports lead back to the paystub; the wallet is always PAYPAL.
 *
 * Like writePain001, the file is streamed in chunks and checked against the count and sum the
 * caller announces (computed up front with one SQL aggregate), so a file whose payouts went
 * missing on the way is never mistaken for a whole one.
 */
import { DomainError } from '../core/errors.js';
import { currencyExponent, formatMinor } from '../money/index.js';
import { normalizePaypalEmailOrThrow } from './bank-details.js';
import { CHUNK_CHARS, DeclaredTotals, PaymentFileError, checkDeclaredTotalsOrThrow } from './pain001.js';

/** PayPal's limit of payouts per uploaded file. */
export const PAYPAL_PAYOUTS_MAX_ROWS = 5000;
/** PayPal's limits for the reference ("Customer ID") and the note to the recipient. */
export const PAYPAL_REFERENCE_MAX_CHARS = 30;
export const PAYPAL_NOTE_MAX_CHARS = 400;

export interface PaypalPayoutsHeader {
  currency: string;
  /** How many payouts the stream holds, counted up front. */
  numberOfPayouts: number;
  /** Their sum in minor units of `currency`, computed up front likewise. */
  controlSumMinor: bigint;
  /**
   * The decimal separator PayPal expects from the sending account's country: "." (United
   * States, United Kingdom, ...) by default, "," for accounts in countries that write 5,45.
   */
  decimalSeparator?: '.' | ',';
}

export interface PaypalPayout {
  /** The paystub id: letters, digits, "-", "_" and ".", at most 30 characters, no spaces. */
  paystubId: string;
  email: string;
  amountMinor: bigint;
  currency: string;
  /** The note PayPal shows the recipient; at most 400 characters, longer ones are cut. */
  note?: string;
}

/**
 * A CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break, with
 * quotes doubled.
 */
export function csvEscape(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * Free text that a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return) gets a leading apostrophe, as the downloads of src/http/table-export.ts
 * do: an operator opening the file to check it must not run a partner's `=HYPERLINK(...)`.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function referenceOrThrow(paystubId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$/.test(paystubId)) {
    throw new PaymentFileError(
      `Paystub id ${JSON.stringify(paystubId)} cannot be a PayPal reference: use 1 to ${PAYPAL_REFERENCE_MAX_CHARS} letters, digits, ".", "_" or "-", starting with a letter or digit.`,
    );
  }
  return paystubId;
}

/** The note as one line of at most 400 characters; line breaks and tabs become spaces. */
function noteText(note: string): string {
  const line = note.normalize('NFC').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').replace(/\s+/gu, ' ').trim();
  const chars = [...line];
  return chars.length > PAYPAL_NOTE_MAX_CHARS ? chars.slice(0, PAYPAL_NOTE_MAX_CHARS).join('') : line;
}

function rowOrThrow(payout: PaypalPayout, header: PaypalPayoutsHeader): string {
  const reference = referenceOrThrow(payout.paystubId);
  if (payout.currency !== header.currency) {
    throw new PaymentFileError(`Payout ${reference} is in ${payout.currency}, but the file is in ${header.currency}; PayPal takes one currency per file.`);
  }
  if (payout.amountMinor < 1n) throw new PaymentFileError(`Payout ${reference} has amount ${formatMinor(payout.amountMinor, header.currency)}; a payout must be above zero.`);
  let email: string;
  try {
    email = normalizePaypalEmailOrThrow(payout.email);
  } catch (error) {
    if (error instanceof DomainError) throw new PaymentFileError(`Payout ${reference}: ${error.message}`);
    throw error;
  }
  const amount = formatMinor(payout.amountMinor, header.currency);
  const fields = [
    email,
    header.decimalSeparator === ',' ? amount.replace('.', ',') : amount,
    header.currency,
    reference,
    neutralizeFormula(noteText(payout.note ?? '')),
    'PAYPAL',
  ];
  return `${fields.map(csvEscape).join(',')}\r\n`;
}

/**
 * Writes the PayPal Payouts CSV for `payouts`, all in the header's currency, as chunks of
 * about CHUNK_CHARS characters, with CRLF line ends and no header row. A payout that cannot
 * be written, more than 5,000 payouts, or totals that differ from the header's throw
 * PaymentFileError.
 */
export async function* writePaypalPayoutsCsv(
  header: PaypalPayoutsHeader,
  payouts: AsyncIterable<PaypalPayout> | Iterable<PaypalPayout>,
): AsyncIterable<string> {
  try {
    currencyExponent(header.currency);
  } catch (error) {
    throw new PaymentFileError(`Header currency: ${(error as Error).message}`);
  }
  checkDeclaredTotalsOrThrow(header.numberOfPayouts, header.controlSumMinor, header.currency, PAYPAL_PAYOUTS_MAX_ROWS);
  const totals = new DeclaredTotals(header.numberOfPayouts, header.controlSumMinor, header.currency);
  let buffer = '';
  for await (const payout of payouts) {
    buffer += rowOrThrow(payout, header);
    totals.add(payout.paystubId, payout.amountMinor);
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  totals.finish();
  if (buffer) yield buffer;
}
