/**
 * ISO 20022 credit-transfer files (pain.001), the file a bank takes to pay many partners at
 * once. The file is written as a stream of text chunks: payments are read one by one from
 * the caller's iterable (a database cursor) and the file never sits in memory whole.
 *
 * The group header comes first and must state the number of payments and their sum, so the
 * caller computes both up front (one SQL aggregate) and passes them in; the writer counts
 * and sums what it streams and throws when the two disagree. A thrown writer has produced a
 * file that must not be sent: write it to a temporary file and only keep it once the stream
 * ends normally.
 *
 * Two variants:
 * - `pain.001.001.03`, the version most banks accept for any currency: creditors by IBAN, or
 *   by account number with a US ABA routing number (`ClrSysMmbId` `USABA`) or a BIC;
 * - `pain.001.001.09` as the EPC SEPA Credit Transfer guidelines restrict it: EUR to IBANs
 *   only, service level SEPA, charges shared (SLEV), amounts 0.01 to 999,999,999.99, text in
 *   the SEPA Latin character set (other characters are transliterated, see toSepaLatin).
 */
import { DomainError } from '../core/errors.js';
import { MoneyError, currencyExponent, formatMinor } from '../money/index.js';
import { type BankAccount, normalizeBicOrThrow, normalizeHolderNameOrThrow, normalizeIbanOrThrow } from './bank-details.js';
import { isLocalDate } from './schedule.js';

export type Pain001Variant = 'pain.001.001.03' | 'pain.001.001.09';

export interface Pain001Header {
  variant: Pain001Variant;
  /** Unique per file for the debtor's bank (it refuses a repeated one): at most 35 characters. */
  messageId: string;
  createdAt: Date;
  /** The platform as the paying party: the initiating party and the debtor. */
  debtorName: string;
  debtorIban: string;
  debtorBic: string;
  /** The local date the bank is asked to pay on, `YYYY-MM-DD`. */
  requestedExecutionDate: string;
  currency: string;
  /** How many payments the stream holds, counted up front (the header states it first). */
  numberOfTransactions: number;
  /** Their sum in minor units of `currency`, computed up front likewise. */
  controlSumMinor: bigint;
}

export interface Payment {
  /** The paystub id: the end-to-end reference the partner's bank statement shows. */
  endToEndId: string;
  amountMinor: bigint;
  currency: string;
  creditorName: string;
  creditorAccount: BankAccount;
  /** Free text for the partner's statement, e.g. "Lockstep payout 2026-12"; at most 140 characters. */
  remittanceInformation?: string;
}

/** A payment file that cannot be written as asked: the file produced so far must be thrown away. */
export class PaymentFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentFileError';
  }
}

/** About how much text each chunk holds: large enough for few writes, small enough to stream. */
export const CHUNK_CHARS = 64 * 1024;

/** The most payments a file can announce (NbOfTxs is at most 15 digits). */
const TRANSACTIONS_MAX = 999_999_999_999_999;
/** Amounts and sums have at most 18 digits in both schemas. */
const DIGITS_MAX_MINOR = 10n ** 18n;
/** EPC: 0.01 to 999,999,999.99 EUR per payment. */
const SEPA_AMOUNT_MAX_MINOR = 99_999_999_999n;

/**
 * The count and sum a file announced, checked against what it streams. A payment beyond the
 * count, or one that takes the sum past the announced total, throws at once; a shortfall
 * throws at the end.
 */
export class DeclaredTotals {
  private count = 0;
  private sumMinor = 0n;
  constructor(
    private readonly declaredCount: number,
    private readonly declaredSumMinor: bigint,
    private readonly currency: string,
  ) {}

  /** Counts one payment in. */
  add(reference: string, amountMinor: bigint): void {
    this.count += 1;
    this.sumMinor += amountMinor;
    if (this.count > this.declaredCount) {
      throw new PaymentFileError(`Payment ${reference} is number ${this.count}, but the header announced ${this.declaredCount}; recount the payments and write the file again.`);
    }
    if (this.sumMinor > this.declaredSumMinor) {
      throw new PaymentFileError(
        `Payment ${reference} takes the sum to ${this.describe(this.sumMinor)}, past the ${this.describe(this.declaredSumMinor)} the header announced; recompute the total and write the file again.`,
      );
    }
  }

  /** Checks, once the stream has ended, that everything announced arrived. */
  finish(): void {
    if (this.count !== this.declaredCount || this.sumMinor !== this.declaredSumMinor) {
      throw new PaymentFileError(
        `The header announced ${this.declaredCount} payments for ${this.describe(this.declaredSumMinor)}, but ${this.count} payments for ${this.describe(this.sumMinor)} were streamed; the file is incomplete and must not be sent.`,
      );
    }
  }

  private describe(amountMinor: bigint): string {
    return `${formatMinor(amountMinor, this.currency)} ${this.currency}`;
  }
}

/** Checks the announced totals before anything is written. */
export function checkDeclaredTotalsOrThrow(count: number, sumMinor: bigint, currency: string, maxCount = TRANSACTIONS_MAX): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new PaymentFileError(`The number of payments must be a whole number of at least 1, got ${count}; a file without payments is not written.`);
  }
  if (count > maxCount) {
    throw new PaymentFileError(`The file would hold ${count} payments; one file holds at most ${maxCount}, so split them into several files.`);
  }
  if (sumMinor < 1n || sumMinor >= DIGITS_MAX_MINOR) {
    throw new PaymentFileError(`The control sum ${formatMinor(sumMinor, currency)} ${currency} must be above zero and have at most 18 digits.`);
  }
}

// ---------------------------------------------------------------------------
// Text: XML escaping, the SEPA Latin set, identifiers.
// ---------------------------------------------------------------------------

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text made safe for XML content or attribute values: the five special characters as entities. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch]!);
}

/** Characters XML 1.0 cannot hold (most controls, U+FFFE/U+FFFF, halves of surrogate pairs). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters XML 1.0 forbids is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The SEPA basic Latin character set of the EPC guidelines. */
const SEPA_LATIN = /^[A-Za-z0-9/\-?:().,'+ ]$/;

/** Letters and punctuation that have no decomposition into the Latin set, and their usual spellings. */
const TRANSLITERATIONS = new Map<string, string>(
  Object.entries({
    ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd',
    Þ: 'Th', þ: 'th', Ł: 'L', ł: 'l', ı: 'i', Ħ: 'H', ħ: 'h', Ŧ: 'T', ŧ: 't', Ŋ: 'N', ŋ: 'n', ĸ: 'k',
    ſ: 's', Ŀ: 'L', ŀ: 'l', ƒ: 'f', '&': '+', '"': "'", '“': "'", '”': "'", '„': "'", '‟': "'", '«': "'",
    '»': "'", '‘': "'", '’': "'", '‚': "'", '‛': "'", '‹': "'", '›': "'", '`': "'", '´': "'", '‐': '-',
    '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', _: '-', '[': '(', ']': ')', '{': '(',
    '}': ')', '<': '(', '>': ')', ';': ',', '!': '.',
  }),
);

/** Greek (ELOT 743) and Cyrillic (BGN/PCGN, with Ukrainian, Belarusian, Serbian and Macedonian letters), upper case. */
const SCRIPT_LETTERS: Record<string, string> = {
  Α: 'A', Β: 'V', Γ: 'G', Δ: 'D', Ε: 'E', Ζ: 'Z', Η: 'I', Θ: 'Th', Ι: 'I', Κ: 'K', Λ: 'L', Μ: 'M',
  Ν: 'N', Ξ: 'X', Ο: 'O', Π: 'P', Ρ: 'R', Σ: 'S', Τ: 'T', Υ: 'Y', Φ: 'F', Χ: 'Ch', Ψ: 'Ps', Ω: 'O',
  А: 'A', Б: 'B', В: 'V', Г: 'G', Д: 'D', Е: 'E', Ё: 'E', Ж: 'Zh', З: 'Z', И: 'I', Й: 'Y', К: 'K',
  Л: 'L', М: 'M', Н: 'N', О: 'O', П: 'P', Р: 'R', С: 'S', Т: 'T', У: 'U', Ф: 'F', Х: 'Kh', Ц: 'Ts',
  Ч: 'Ch', Ш: 'Sh', Щ: 'Shch', Ъ: '', Ы: 'Y', Ь: '', Э: 'E', Ю: 'Yu', Я: 'Ya', Є: 'Ye', І: 'I',
  Ї: 'Yi', Ґ: 'G', Ў: 'U', Ђ: 'Dj', Ј: 'J', Љ: 'Lj', Њ: 'Nj', Ћ: 'C', Џ: 'Dz', Ѓ: 'Gj', Ќ: 'Kj', Ѕ: 'Dz',
};
for (const [upper, latin] of Object.entries(SCRIPT_LETTERS)) {
  TRANSLITERATIONS.set(upper, latin);
  TRANSLITERATIONS.set(upper.toLowerCase(), latin.toLowerCase());
}
TRANSLITERATIONS.set('ς', 's');

function sepaLatinChar(ch: string): string {
  if (SEPA_LATIN.test(ch)) return ch;
  const mapped = TRANSLITERATIONS.get(ch);
  if (mapped !== undefined) return mapped;
  if (/\s/u.test(ch)) return ' ';
  // Accented and compatibility forms: é → e, ﬁ → fi, Ａ → A, ά → α → a.
  const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  if (base !== ch) return [...base].map(sepaLatinChar).join('');
  // A letter or digit of a script without a transliteration here (Chinese, Arabic, ...) is
  // replaced visibly; other symbols become a space.
  return /[\p{L}\p{N}]/u.test(ch) ? '?' : ' ';
}

/**
 * Text in the SEPA basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): accents dropped,
 * ligatures and special letters spelled out (ß → ss, Ø → O), Greek and Cyrillic
 * transliterated, & → +, quotes → ', brackets → ( ), other symbols → space, and letters of
 * other scripts → ?. Spaces are collapsed and trimmed.
 */
export function toSepaLatin(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) out += sepaLatinChar(ch);
  return out.replace(/ {2,}/g, ' ').trim();
}

/** Text for pain.001.001.03, which takes any Unicode: characters XML cannot hold replaced, spaces collapsed. */
function unicodeText(text: string): string {
  return text.normalize('NFC').replace(XML_INVALID, (ch) => (ch.length === 1 && ch < ' ' ? ' ' : '\uFFFD')).replace(/\s+/gu, ' ').trim();
}

/** The first `max` characters (code points, as the schemas count them). */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join('').trimEnd() : text;
}

/**
 * Identifiers (MsgId, EndToEndId) follow the stricter EPC rule in both variants: 1 to 35
 * characters of the Latin set, without leading or trailing spaces, not starting or ending
 * with "/" and without "//".
 */
function identifierOrThrow(text: string, what: string): string {
  const ok =
    text.length >= 1 &&
    text.length <= 35 &&
    [...text].every((ch) => SEPA_LATIN.test(ch)) &&
    text === text.trim() &&
    !text.startsWith('/') &&
    !text.endsWith('/') &&
    !text.includes('//');
  if (!ok) {
    throw new PaymentFileError(
      `${what} ${JSON.stringify(text)} is not a valid identifier: use 1 to 35 letters, digits and / - ? : ( ) . , ' +, not starting or ending with "/" and without "//".`,
    );
  }
  return text;
}

// ---------------------------------------------------------------------------
// The writer.
// ---------------------------------------------------------------------------

interface VariantRules {
  namespace: string;
  sepa: boolean;
  nameMax: number;
  text: (text: string) => string;
  bicTag: 'BIC' | 'BICFI';
}

const VARIANTS: Record<Pain001Variant, VariantRules> = {
  'pain.001.001.03': { namespace: 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03', sepa: false, nameMax: 140, text: unicodeText, bicTag: 'BIC' },
  'pain.001.001.09': { namespace: 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09', sepa: true, nameMax: 70, text: toSepaLatin, bicTag: 'BICFI' },
};

const REMITTANCE_MAX = 140;

/** Runs a bank-details check and reports its failure as a file error naming the payment. */
function checked<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainError || error instanceof MoneyError) throw new PaymentFileError(`${what}: ${error.message}`);
    throw error;
  }
}

function nameOrThrow(rules: VariantRules, name: string, what: string): string {
  const text = cut(rules.text(name), rules.nameMax);
  if (!/[\p{L}\p{N}?]/u.test(text)) {
    throw new PaymentFileError(`${what} ${JSON.stringify(name)} has no letter or digit the file can carry; store the name as the bank spells it.`);
  }
  return text;
}

function el(tag: string, text: string): string {
  return `<${tag}>${escapeXml(text)}</${tag}>`;
}

function headerXml(header: Pain001Header, rules: VariantRules): string {
  const { currency } = header;
  checked('Header currency', () => currencyExponent(currency));
  if (rules.sepa && currency !== 'EUR') {
    throw new PaymentFileError(`A SEPA credit transfer file (pain.001.001.09) pays EUR only, not ${currency}; write a pain.001.001.03 file for ${currency}.`);
  }
  const messageId = identifierOrThrow(header.messageId, 'MsgId');
  if (Number.isNaN(header.createdAt.getTime())) throw new PaymentFileError('CreDtTm: createdAt is not a valid date.');
  if (!isLocalDate(header.requestedExecutionDate)) {
    throw new PaymentFileError(`ReqdExctnDt ${JSON.stringify(header.requestedExecutionDate)} is not a calendar date in YYYY-MM-DD form.`);
  }
  checkDeclaredTotalsOrThrow(header.numberOfTransactions, header.controlSumMinor, currency);
  const debtorName = nameOrThrow(rules, header.debtorName, 'The debtor name');
  const debtorIban = checked('DbtrAcct', () => normalizeIbanOrThrow(header.debtorIban, 'debtorIban'));
  const debtorBic = checked('DbtrAgt', () => normalizeBicOrThrow(header.debtorBic, 'debtorBic'));
  const count = String(header.numberOfTransactions);
  const sum = formatMinor(header.controlSumMinor, currency);
  const createdAt = `${header.createdAt.toISOString().slice(0, 19)}Z`;
  const executionDate = rules.sepa ? `<ReqdExctnDt>${el('Dt', header.requestedExecutionDate)}</ReqdExctnDt>` : el('ReqdExctnDt', header.requestedExecutionDate);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<Document xmlns="${rules.namespace}">\n<CstmrCdtTrfInitn>\n`,
    `<GrpHdr>${el('MsgId', messageId)}${el('CreDtTm', createdAt)}${el('NbOfTxs', count)}${el('CtrlSum', sum)}`,
    `<InitgPty>${el('Nm', debtorName)}</InitgPty></GrpHdr>\n`,
    `<PmtInf>${el('PmtInfId', messageId)}${el('PmtMtd', 'TRF')}${el('NbOfTxs', count)}${el('CtrlSum', sum)}`,
    rules.sepa ? '<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>' : '',
    executionDate,
    `<Dbtr>${el('Nm', debtorName)}</Dbtr>`,
    `<DbtrAcct><Id>${el('IBAN', debtorIban)}</Id>${el('Ccy', currency)}</DbtrAcct>`,
    `<DbtrAgt><FinInstnId>${el(rules.bicTag, debtorBic)}</FinInstnId></DbtrAgt>`,
    rules.sepa ? '<ChrgBr>SLEV</ChrgBr>' : '',
    '\n',
  ].join('');
}

/** The creditor's agent and account elements for one payment. */
function creditorXml(account: BankAccount, rules: VariantRules, what: string): { agent: string; account: string } {
  if (rules.sepa && account.kind !== 'IBAN') {
    throw new PaymentFileError(`${what}: a SEPA file pays IBANs only, and this is a ${account.kind === 'US' ? 'US' : 'non-IBAN'} account; pay it with a pain.001.001.03 file.`);
  }
  const bicXml = (bic: string | undefined) => (bic ? el(rules.bicTag, checked(what, () => normalizeBicOrThrow(bic))) : '');
  switch (account.kind) {
    case 'IBAN': {
      const iban = checked(what, () => normalizeIbanOrThrow(account.iban));
      const bic = bicXml(account.bic);
      return { agent: bic ? `<CdtrAgt><FinInstnId>${bic}</FinInstnId></CdtrAgt>` : '', account: `<CdtrAcct><Id>${el('IBAN', iban)}</Id></CdtrAcct>` };
    }
    case 'US': {
      if (!/^[0-9]{9}$/.test(account.routingNumber) || !/^[0-9]{4,17}$/.test(account.accountNumber)) {
        throw new PaymentFileError(`${what}: a US account needs a 9-digit routing number and a 4 to 17-digit account number; validate it with validateWithdrawalSettingsOrThrow before it is stored.`);
      }
      const type = account.accountType ? `<Tp><Cd>${account.accountType === 'SAVINGS' ? 'SVGS' : 'CACC'}</Cd></Tp>` : '';
      return {
        agent: `<CdtrAgt><FinInstnId>${bicXml(account.bic)}<ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId>${el('MmbId', account.routingNumber)}</ClrSysMmbId></FinInstnId></CdtrAgt>`,
        account: `<CdtrAcct><Id><Othr>${el('Id', account.accountNumber)}</Othr></Id>${type}</CdtrAcct>`,
      };
    }
    case 'OTHER': {
      if (!/^[A-Z0-9]{1,34}$/.test(account.accountNumber)) {
        throw new PaymentFileError(`${what}: the account number must be 1 to 34 letters and digits; validate it with validateWithdrawalSettingsOrThrow before it is stored.`);
      }
      return {
        agent: `<CdtrAgt><FinInstnId>${bicXml(account.bic)}</FinInstnId></CdtrAgt>`,
        account: `<CdtrAcct><Id><Othr>${el('Id', account.accountNumber)}</Othr></Id></CdtrAcct>`,
      };
    }
  }
}

function paymentXml(payment: Payment, header: Pain001Header, rules: VariantRules): string {
  const id = identifierOrThrow(payment.endToEndId, 'EndToEndId');
  const what = `Payment ${id}`;
  if (payment.currency !== header.currency) {
    throw new PaymentFileError(`${what} is in ${payment.currency}, but the file is in ${header.currency}; write one file per currency.`);
  }
  const { amountMinor } = payment;
  if (amountMinor < 1n) throw new PaymentFileError(`${what} has amount ${formatMinor(amountMinor, header.currency)}; a payment must be above zero.`);
  if (rules.sepa && amountMinor > SEPA_AMOUNT_MAX_MINOR) throw new PaymentFileError(`${what} exceeds the SEPA maximum of 999,999,999.99 EUR.`);
  if (amountMinor >= DIGITS_MAX_MINOR) throw new PaymentFileError(`${what} has more than the 18 digits an amount may have.`);
  const holder = checked(what, () => normalizeHolderNameOrThrow(payment.creditorName));
  const name = nameOrThrow(rules, holder, `${what}: the creditor name`);
  const creditor = creditorXml(payment.creditorAccount, rules, what);
  const remittance = payment.remittanceInformation === undefined ? '' : cut(rules.text(payment.remittanceInformation), REMITTANCE_MAX);
  return [
    `<CdtTrfTxInf><PmtId>${el('EndToEndId', id)}</PmtId>`,
    `<Amt><InstdAmt Ccy="${escapeXml(header.currency)}">${formatMinor(amountMinor, header.currency)}</InstdAmt></Amt>`,
    creditor.agent,
    `<Cdtr>${el('Nm', name)}</Cdtr>`,
    creditor.account,
    remittance ? `<RmtInf>${el('Ustrd', remittance)}</RmtInf>` : '',
    '</CdtTrfTxInf>\n',
  ].join('');
}

/**
 * Writes a pain.001 file for `payments`, all in the header's currency, as chunks of about
 * CHUNK_CHARS characters. Everything in the header is checked before the first chunk; a
 * payment that cannot be written, or totals that differ from the header's, throw
 * PaymentFileError (see the module comment for what to do with the partial file).
 */
export async function* writePain001(header: Pain001Header, payments: AsyncIterable<Payment> | Iterable<Payment>): AsyncIterable<string> {
  const rules = VARIANTS[header.variant];
  if (!rules) throw new PaymentFileError(`${JSON.stringify(header.variant)} is not a supported variant; use pain.001.001.03 or pain.001.001.09.`);
  let buffer = headerXml(header, rules);
  const totals = new DeclaredTotals(header.numberOfTransactions, header.controlSumMinor, header.currency);
  for await (const payment of payments) {
    buffer += paymentXml(payment, header, rules);
    totals.add(payment.endToEndId, payment.amountMinor);
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  totals.finish();
  yield `${buffer}</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n`;
}
