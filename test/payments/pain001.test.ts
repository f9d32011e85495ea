import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BankAccount } from '../../src/payments/bank-details.js';
import {
  CHUNK_CHARS,
  type Pain001Header,
  type Pain001Variant,
  type Payment,
  PaymentFileError,
  escapeXml,
  toSepaLatin,
  writePain001,
} from '../../src/payments/pain001.js';

/**
 * Every file written here is validated against the published schemas with xmllint (Debian's
 * libxml2-utils). Without xmllint the schema tests are skipped on a developer's machine, but
 * fail in CI (CI=true), which must not pass without having checked the files.
 */
const SCHEMAS = path.resolve(import.meta.dirname, '../fixtures/iso20022');
const XSD: Record<Pain001Variant, string> = {
  'pain.001.001.03': path.join(SCHEMAS, 'pain.001.001.03.xsd'),
  'pain.001.001.09': path.join(SCHEMAS, 'pain.001.001.09-epc-sct.xsd'),
};
const hasXmllint = spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
const inCi = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI!.toLowerCase());
const schemaSuiteRuns = hasXmllint || inCi;
const schemaSuiteLabel = schemaSuiteRuns
  ? 'pain.001 files against the ISO 20022 schemas (xmllint)'
  : 'pain.001 files against the ISO 20022 schemas [skipped: xmllint not installed; apt-get install libxml2-utils]';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-pain001-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Writes the stream to a file chunk by chunk, as a job would, and returns the file and its chunk sizes. */
async function writeFile(name: string, chunks: AsyncIterable<string>): Promise<{ file: string; chunkSizes: number[] }> {
  const file = path.join(workDir, name);
  const fd = fs.openSync(file, 'w');
  const chunkSizes: number[] = [];
  try {
    for await (const chunk of chunks) {
      chunkSizes.push(chunk.length);
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { file, chunkSizes };
}

function validateOrThrow(file: string, variant: Pain001Variant): void {
  if (!hasXmllint) {
    throw new Error('xmllint is not installed and CI is set: install libxml2-utils (.ci/run does) so that payment files are checked against their schemas.');
  }
  const result = spawnSync('xmllint', ['--noout', '--schema', XSD[variant], file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(file)} does not validate against ${path.basename(XSD[variant])}:\n${result.stderr.slice(0, 4000)}`);
}

/** Writes a file, validates it against its variant's schema, and returns its text. */
async function writeValidFile(name: string, fileHeader: Pain001Header, payments: Payment[]): Promise<string> {
  const { file } = await writeFile(name, writePain001(fileHeader, payments));
  validateOrThrow(file, fileHeader.variant);
  return fs.readFileSync(file, 'utf8');
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

function header(overrides: Partial<Pain001Header> = {}): Pain001Header {
  return {
    variant: 'pain.001.001.09',
    messageId: 'LOCKSTEP-2026-12-03-001',
    createdAt: new Date('2026-12-02T10:15:30.123Z'),
    debtorName: 'Lockstep Payments GmbH',
    debtorIban: 'DE89 3704 0044 0532 0130 00',
    debtorBic: 'COBADEFFXXX',
    requestedExecutionDate: '2026-12-03',
    currency: 'EUR',
    numberOfTransactions: 1,
    controlSumMinor: 1000n,
    ...overrides,
  };
}

const iban = (value: string, bic?: string): BankAccount => ({ kind: 'IBAN', iban: value, ...(bic ? { bic } : {}) });

function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    endToEndId: 'PS-1',
    amountMinor: 1000n,
    currency: 'EUR',
    creditorName: 'Jane Doe',
    creditorAccount: iban('NL91ABNA0417164300'),
    remittanceInformation: 'Lockstep payout 2026-12',
    ...overrides,
  };
}

/** A file's header for exactly these payments, as the caller's SQL aggregate would compute it. */
function headerFor(payments: Payment[], overrides: Partial<Pain001Header> = {}): Pain001Header {
  return header({
    numberOfTransactions: payments.length,
    controlSumMinor: payments.reduce((sum, p) => sum + p.amountMinor, 0n),
    currency: payments[0]!.currency,
    ...overrides,
  });
}

const NAMES = ['Tom & Jerry <Ltd> "quoted" \'single\'', 'Zoë Müller-Lüdenscheidt', 'Ωμέγα Δέλτα', 'Жанна Щукина', '山田太郎 ABC', 'Łukasz Øster Straße'];

describe(schemaSuiteLabel, () => {
  if (!schemaSuiteRuns) {
    it.skip('needs xmllint', () => {});
    return;
  }

  it('writes a SEPA file (pain.001.001.09, EPC) that validates, with names in the Latin set', async () => {
    const payments = NAMES.map((name, i) =>
      payment({ endToEndId: `PS-${i + 1}`, amountMinor: BigInt(1 + i * 12_345), creditorName: name, creditorAccount: iban('FR1420041010050500013M02606', i % 2 ? 'BNPAFRPPXXX' : undefined) }),
    );
    payments.push(payment({ endToEndId: 'PS-MAX', amountMinor: 99_999_999_999n, remittanceInformation: 'Payout & bonus <Dec> "2026" – ©' }));
    const xml = await writeValidFile('sepa.xml', headerFor(payments), payments);
    expect(xml).toContain('<NbOfTxs>7</NbOfTxs>');
    expect(xml).toContain('<InstdAmt Ccy="EUR">0.01</InstdAmt>');
    expect(xml).toContain('<InstdAmt Ccy="EUR">999999999.99</InstdAmt>');
    expect(xml).toContain('<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>');
    expect(xml).toContain('<ChrgBr>SLEV</ChrgBr>');
    expect(xml).toContain('<ReqdExctnDt><Dt>2026-12-03</Dt></ReqdExctnDt>');
    expect(xml).toContain('<CreDtTm>2026-12-02T10:15:30Z</CreDtTm>');
    const names = [...xml.matchAll(/<Cdtr><Nm>([^<]*)<\/Nm><\/Cdtr>/g)].map((m) => m[1]);
    expect(names.slice(0, 6)).toEqual([
      'Tom + Jerry (Ltd) &apos;quoted&apos; &apos;single&apos;',
      'Zoe Muller-Ludenscheidt',
      'Omega Delta',
      'Zhanna Shchukina',
      '???? ABC',
      'Lukasz Oster Strasse',
    ]);
    expect(xml).toContain('<Ustrd>Payout + bonus (Dec) &apos;2026&apos; -</Ustrd>');
    expect(xml).toContain('<CdtrAgt><FinInstnId><BICFI>BNPAFRPPXXX</BICFI></FinInstnId></CdtrAgt>');
  });

  it('writes pain.001.001.03 in several currencies: JPY without decimals, KWD with three', async () => {
    const cases: Array<[string, bigint, string]> = [
      ['EUR', 123_456n, '1234.56'],
      ['USD', 5n, '0.05'],
      ['JPY', 1_234_567n, '1234567'],
      ['KWD', 1_234n, '1.234'],
      ['KWD', 10_000n, '10.000'],
      ['GBP', 100n, '1.00'],
    ];
    for (const [currency, amountMinor, text] of cases) {
      const payments = [payment({ currency, amountMinor, creditorAccount: iban('GB29NWBK60161331926819', 'NWBKGB2L') })];
      const xml = await writeValidFile(`v03-${currency}-${amountMinor}.xml`, headerFor(payments, { variant: 'pain.001.001.03' }), payments);
      expect(xml).toContain(`<InstdAmt Ccy="${currency}">${text}</InstdAmt>`);
      expect(xml).toContain(`<CtrlSum>${text}</CtrlSum>`);
      expect(xml).toContain(`<DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>${currency}</Ccy></DbtrAcct>`);
    }
  });

  it('keeps names as written in pain.001.001.03, escaped', async () => {
    const payments = NAMES.map((name, i) => payment({ endToEndId: `PS-${i}`, creditorName: name, remittanceInformation: `${name} \u0007 payout` }));
    const xml = await writeValidFile('v03-names.xml', headerFor(payments, { variant: 'pain.001.001.03', debtorName: 'Lockstep & Co <EU>' }), payments);
    expect(xml).toContain('<Nm>Tom &amp; Jerry &lt;Ltd&gt; &quot;quoted&quot; &apos;single&apos;</Nm>');
    expect(xml).toContain('<Nm>Ωμέγα Δέλτα</Nm>');
    expect(xml).toContain('<Nm>山田太郎 ABC</Nm>');
    expect(xml).toContain('<InitgPty><Nm>Lockstep &amp; Co &lt;EU&gt;</Nm></InitgPty>');
    expect(xml).toContain('<Ustrd>Жанна Щукина payout</Ustrd>');
  });

  it('pays a US account by ABA routing number (ClrSysMmbId USABA) and a non-IBAN account by BIC', async () => {
    const payments = [
      payment({ endToEndId: 'PS-US', currency: 'USD', amountMinor: 250_075n, creditorAccount: { kind: 'US', accountNumber: '000123456789', routingNumber: '021000021', accountType: 'SAVINGS' } }),
      payment({ endToEndId: 'PS-US2', currency: 'USD', amountMinor: 1_000n, creditorAccount: { kind: 'US', accountNumber: '9876', routingNumber: '026009593', bic: 'BOFAUS3N' } }),
      payment({ endToEndId: 'PS-JP', currency: 'USD', amountMinor: 99n, creditorAccount: { kind: 'OTHER', accountNumber: '1234567', bic: 'BOTKJPJT' } }),
    ];
    const xml = await writeValidFile('v03-us.xml', headerFor(payments, { variant: 'pain.001.001.03', debtorIban: 'GB29NWBK60161331926819', debtorBic: 'NWBKGB2L' }), payments);
    expect(xml).toContain(
      '<CdtrAgt><FinInstnId><ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>021000021</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt>',
    );
    expect(xml).toContain('<CdtrAcct><Id><Othr><Id>000123456789</Id></Othr></Id><Tp><Cd>SVGS</Cd></Tp></CdtrAcct>');
    expect(xml).toContain('<CdtrAcct><Id><Othr><Id>9876</Id></Othr></Id></CdtrAcct>');
    expect(xml).toContain('<FinInstnId><BIC>BOFAUS3N</BIC><ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>026009593</MmbId></ClrSysMmbId></FinInstnId>');
    expect(xml).toContain('<CdtrAgt><FinInstnId><BIC>BOTKJPJT</BIC></FinInstnId></CdtrAgt>');
    expect(xml).toContain('<CtrlSum>2511.74</CtrlSum>');
  });

  it.each<Pain001Variant>(['pain.001.001.09', 'pain.001.001.03'])('streams 10,000 payments in many chunks (%s)', async (variant) => {
    const count = 10_000;
    const amountOf = (i: number) => BigInt(1 + ((i * 7919) % 500_000));
    let sum = 0n;
    for (let i = 0; i < count; i++) sum += amountOf(i);
    let produced = 0;
    // Payments arrive one at a time, as from a database cursor; the writer never sees them all.
    async function* cursor(): AsyncIterable<Payment> {
      for (let i = 0; i < count; i++) {
        produced += 1;
        yield payment({ endToEndId: `PS-${i}`, amountMinor: amountOf(i), creditorName: NAMES[i % NAMES.length]! });
      }
    }
    const stream = writePain001(header({ variant, numberOfTransactions: count, controlSumMinor: sum }), cursor());
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    // The first chunk is out long before the last payment has been read.
    expect(produced).toBeLessThan(count / 10);
    const rest = { [Symbol.asyncIterator]: () => iterator };
    const { file, chunkSizes } = await writeFile(`stream-${variant}.xml`, (async function* () {
      yield first.value as string;
      yield* rest;
    })());
    expect(chunkSizes.length).toBeGreaterThan(20);
    expect(Math.max(...chunkSizes)).toBeLessThan(CHUNK_CHARS + 2_000);
    validateOrThrow(file, variant);
    const xml = fs.readFileSync(file, 'utf8');
    expect(xml.match(/<CdtTrfTxInf>/g)).toHaveLength(count);
    expect(xml).toContain(`<NbOfTxs>${count}</NbOfTxs>`);
  });
});

describe('writePain001 refuses what it cannot write', () => {
  it('throws when more payments arrive than the header announced, at the first one too many', async () => {
    const payments = [payment({ endToEndId: 'PS-1' }), payment({ endToEndId: 'PS-2' })];
    await expect(collect(writePain001(header({ numberOfTransactions: 1, controlSumMinor: 2000n }), payments))).rejects.toThrow(
      'Payment PS-2 is number 2, but the header announced 1; recount the payments and write the file again.',
    );
  });

  it('throws at the end when fewer payments arrive than announced', async () => {
    await expect(collect(writePain001(header({ numberOfTransactions: 2, controlSumMinor: 2000n }), [payment({ amountMinor: 2000n })]))).rejects.toThrow(
      'The header announced 2 payments for 20.00 EUR, but 1 payments for 20.00 EUR were streamed; the file is incomplete and must not be sent.',
    );
  });

  it('throws when the sum differs, whether above or below', async () => {
    await expect(collect(writePain001(header({ controlSumMinor: 999n }), [payment({ amountMinor: 1000n })]))).rejects.toThrow(
      'Payment PS-1 takes the sum to 10.00 EUR, past the 9.99 EUR the header announced',
    );
    await expect(collect(writePain001(header({ controlSumMinor: 1001n }), [payment({ amountMinor: 1000n })]))).rejects.toThrow(
      'The header announced 1 payments for 10.01 EUR, but 1 payments for 10.00 EUR were streamed',
    );
  });

  it('throws on the last chunk only after the earlier ones were yielded, so callers keep the file only when the stream ends normally', async () => {
    const many = Array.from({ length: 500 }, (_, i) => payment({ endToEndId: `PS-${i}` }));
    const chunks: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of writePain001(header({ numberOfTransactions: 501, controlSumMinor: 501_000n }), many)) chunks.push(chunk);
      })(),
    ).rejects.toThrow(PaymentFileError);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.join('')).not.toContain('</Document>');
  });

  it.each<[string, Partial<Pain001Header>, string]>([
    ['a non-EUR SEPA file', { currency: 'USD' }, 'A SEPA credit transfer file (pain.001.001.09) pays EUR only, not USD'],
    ['no payments', { numberOfTransactions: 0, controlSumMinor: 0n }, 'a file without payments is not written'],
    ['a zero control sum', { controlSumMinor: 0n }, 'must be above zero'],
    ['a bad debtor IBAN', { debtorIban: 'DE89 3704 0044 0532 0130 01' }, 'DbtrAcct: debtorIban: DE89 3704 0044 0532 0130 01 is not a valid IBAN: its check digits do not match'],
    ['a bad debtor BIC', { debtorBic: 'COBADE' }, 'DbtrAgt: debtorBic: COBADE is not a valid SWIFT/BIC code'],
    ['a long message id', { messageId: 'X'.repeat(36) }, 'MsgId "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" is not a valid identifier'],
    ['a message id with //', { messageId: 'A//B' }, 'is not a valid identifier'],
    ['a bad execution date', { requestedExecutionDate: '2026-02-30' }, 'ReqdExctnDt "2026-02-30" is not a calendar date'],
    ['an unknown currency', { variant: 'pain.001.001.03', currency: 'XYZ' }, 'Header currency: "XYZ" is not a supported ISO 4217 currency code'],
    ['an unknown variant', { variant: 'pain.001.001.12' as Pain001Variant }, '"pain.001.001.12" is not a supported variant'],
  ])('refuses %s before writing anything', async (_, overrides, message) => {
    const chunks: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of writePain001(header(overrides), [payment()])) chunks.push(chunk);
      })(),
    ).rejects.toThrow(message);
    expect(chunks).toEqual([]);
  });

  it.each<[string, Partial<Payment>, string]>([
    ['another currency', { currency: 'USD' }, 'Payment PS-1 is in USD, but the file is in EUR; write one file per currency.'],
    ['a US account in a SEPA file', { creditorAccount: { kind: 'US', accountNumber: '1234', routingNumber: '021000021' } }, 'Payment PS-1: a SEPA file pays IBANs only'],
    ['a zero amount', { amountMinor: 0n }, 'Payment PS-1 has amount 0.00; a payment must be above zero.'],
    ['more than the SEPA maximum', { amountMinor: 100_000_000_000n }, 'exceeds the SEPA maximum of 999,999,999.99 EUR'],
    ['a bad creditor IBAN', { creditorAccount: iban('NL91ABNA0417164301') }, 'Payment PS-1: BankAccountNumber: NL91ABNA0417164301 is not a valid IBAN'],
    ['a bad creditor BIC', { creditorAccount: iban('NL91ABNA0417164300', 'ABNANL') }, 'Payment PS-1: SwiftCode: ABNANL is not a valid SWIFT/BIC code'],
    ['an end-to-end id with a slash at the start', { endToEndId: '/PS-1' }, 'EndToEndId "/PS-1" is not a valid identifier'],
    ['an end-to-end id with an underscore', { endToEndId: 'PS_1' }, 'EndToEndId "PS_1" is not a valid identifier'],
    ['an empty creditor name', { creditorName: '  ' }, 'Payment PS-1: BeneficiaryAccountName is required'],
    ['a name of symbols only', { creditorName: '★☆' }, 'Payment PS-1: the creditor name "★☆" has no letter or digit the file can carry'],
  ])('refuses a payment with %s', async (_, overrides, message) => {
    const p = payment(overrides);
    await expect(collect(writePain001(header({ controlSumMinor: p.amountMinor > 0n ? p.amountMinor : 1000n }), [p]))).rejects.toThrow(message);
  });

  it('refuses an amount of more than 18 digits in pain.001.001.03', async () => {
    const p = payment({ currency: 'JPY', amountMinor: 10n ** 18n });
    await expect(collect(writePain001(header({ variant: 'pain.001.001.03', currency: 'JPY', controlSumMinor: 10n ** 17n }), [p]))).rejects.toThrow(
      'more than the 18 digits',
    );
  });
});

describe('text in payment files', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });

  it.each([
    ['Müller & Söhne GmbH', 'Muller + Sohne GmbH'],
    ['Crème Brûlée S.A.', 'Creme Brulee S.A.'],
    ['Straße', 'Strasse'],
    ['Ærø Œuvre', 'AEro OEuvre'],
    ['Ελληνικά', 'Ellinika'],
    ['Σωκράτης', 'Sokratis'],
    ['Москва Щука', 'Moskva Shchuka'],
    ['Їжак Євген', 'Yizhak Yevgen'],
    ['Đorđe Šćepanović', 'Dorde Scepanovic'],
    ['ﬁnance Ｔｏｋｙｏ', 'finance Tokyo'],
    ['北京 Ltd', '?? Ltd'],
    ['A  *  B', 'A B'],
    ['“quoted” – dash_under', "'quoted' - dash-under"],
    ['[x] {y} <z>', '(x) (y) (z)'],
    ['e\u0301', 'e'],
    ['😀 Smile', 'Smile'],
    ['tab\there', 'tab here'],
  ])('toSepaLatin(%j) → %j', (text, latin) => {
    expect(toSepaLatin(text)).toBe(latin);
    expect(toSepaLatin(text)).toMatch(/^[A-Za-z0-9/\-?:().,'+ ]*$/);
  });
});
