import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import {
  ibanLength,
  isCountryCode,
  isValidIban,
  maskAccount,
  normalizeBicOrThrow,
  normalizeHolderNameOrThrow,
  normalizeIbanOrThrow,
  normalizePaypalEmailOrThrow,
  normalizeRoutingNumberOrThrow,
  normalizeUsAccountNumberOrThrow,
  validateWithdrawalSettingsOrThrow,
} from '../../src/payments/bank-details.js';

/** The DomainError `fn` throws, failing the test when it throws nothing or something else. */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('Expected a DomainError, but nothing was thrown.');
}

describe('IBAN', () => {
  it.each([
    ['DE89370400440532013000', 'DE89370400440532013000'],
    ['GB29 NWBK 6016 1331 9268 19', 'GB29NWBK60161331926819'],
    ['fr14 2004 1010 0505 0001 3m02 606', 'FR1420041010050500013M02606'],
    ['NL91ABNA0417164300', 'NL91ABNA0417164300'],
    ['BE68 5390 0754 7034', 'BE68539007547034'],
    ['NO93 8601 1117 947', 'NO9386011117947'],
    ['MT84MALT011000012345MTLCAST001S', 'MT84MALT011000012345MTLCAST001S'],
    ['SA03 8000 0000 6080 1016 7519', 'SA0380000000608010167519'],
    ['CH93 0076 2011 6238 5295 7', 'CH9300762011623852957'],
    ['IT60X0542811101000000123456', 'IT60X0542811101000000123456'],
    ['ES9121000418450200051332', 'ES9121000418450200051332'],
    ['KW81CBKU0000000000001234560101', 'KW81CBKU0000000000001234560101'],
    ['BR1800360305000010009795493C1', 'BR1800360305000010009795493C1'],
    ['LC55HEMM000100010012001200023015', 'LC55HEMM000100010012001200023015'],
    ['UA213223130000026007233566001', 'UA213223130000026007233566001'],
    ['  at61 1904 3002 3457 3201  ', 'AT611904300234573201'],
    ['PL61\t1090 1014 0000 0712 1981 2874', 'PL61109010140000071219812874'],
  ])('accepts %j as %s', (text, iban) => {
    expect(normalizeIbanOrThrow(text)).toBe(iban);
    expect(isValidIban(text)).toBe(true);
  });

  it('explains wrong check digits with the field name and the IBAN as typed', () => {
    expect(domainErrorOf(() => normalizeIbanOrThrow('DE89 3704 0044 0532 0130 01')).message).toBe(
      'BankAccountNumber: DE89 3704 0044 0532 0130 01 is not a valid IBAN: its check digits do not match; copy it again from a bank statement.',
    );
  });

  it.each([
    ['DE89 3704 0044 0532 0130', 'IBANs from DE (Germany) have 22 characters, this one has 20'],
    ['DE89370400440532013000 1', 'IBANs from DE (Germany) have 22 characters, this one has 23'],
    ['NO938601111794', 'IBANs from NO (Norway) have 15 characters, this one has 14'],
    ['US12345678901234567890', 'US is not a country that issues IBANs'],
    ['ZZ12345678901234567890', 'ZZ is not a country that issues IBANs'],
    ['GF12345678901234567890', 'banks in GF (French Guiana) issue IBANs starting with FR'],
    ['GB82 WEST 1234 5698 7654 33', 'its check digits do not match'],
    ['DE00370400440532013000', 'its check digits do not match'],
    ['DE89-3704-0044-0532-0130-00', 'it may contain only letters, digits and spaces'],
    ['89DE370400440532013000', 'it must start with a two-letter country code and two check digits'],
    ['', 'it is empty'],
  ])('rejects %j: %s', (text, problem) => {
    const error = domainErrorOf(() => normalizeIbanOrThrow(text));
    expect(error.message).toContain(`is not a valid IBAN: ${problem}`);
    expect(error.message.startsWith('BankAccountNumber')).toBe(true);
    expect(error.status).toBe(400);
    expect(isValidIban(text)).toBe(false);
  });

  it('knows the length of every country in the registry, and none for countries without IBANs', () => {
    expect(ibanLength('DE')).toBe(22);
    expect(ibanLength('RU')).toBe(33);
    expect(ibanLength('LC')).toBe(32);
    expect(ibanLength('NO')).toBe(15);
    expect(ibanLength('US')).toBeUndefined();
    expect(ibanLength('CA')).toBeUndefined();
  });

  it('cuts and quotes what it echoes back', () => {
    const message = domainErrorOf(() => normalizeIbanOrThrow(`DE${'9'.repeat(100)}`)).message;
    expect(message).toContain('…');
    expect(message.length).toBeLessThan(200);
    expect(domainErrorOf(() => normalizeIbanOrThrow('DE89\u0000')).message).toContain('"DE89\\u0000"');
  });
});

describe('BIC', () => {
  it.each([
    ['DEUTDEFF', 'DEUTDEFF'],
    ['deutdeff500', 'DEUTDEFF500'],
    ['NWBK GB 2L', 'NWBKGB2L'],
    ['BNPAFRPPXXX', 'BNPAFRPPXXX'],
    ['CHASUS33', 'CHASUS33'],
    ['BKAUATWW', 'BKAUATWW'],
  ])('accepts %j as %s', (text, bic) => {
    expect(normalizeBicOrThrow(text)).toBe(bic);
  });

  it.each([
    ['DEUTDEF', 'it has 7 characters; a BIC has 8 or 11'],
    ['DEUTDEFF5', 'it has 9 characters; a BIC has 8 or 11'],
    ['DEUTDEFF5000', 'it has 12 characters; a BIC has 8 or 11'],
    ['DEU1DEFF', 'its first four characters (the bank code) must be letters'],
    ['DEUTZZFF', 'characters 5-6 must be a country code, and ZZ is not one'],
    ['DEUT12FF', 'characters 5-6 must be a country code, and 12 is not one'],
    ['DEUTDE0F', 'its location code 0F is not valid'],
    ['DEUTDEFO', 'its location code FO is not valid'],
    ['DEUTDEFFX12', 'its branch code X12 is not valid'],
    ['DEUT-DEFF', 'it may contain only letters and digits'],
  ])('rejects %j: %s', (text, problem) => {
    const message = domainErrorOf(() => normalizeBicOrThrow(text)).message;
    expect(message).toContain(`SwiftCode: ${text} is not a valid SWIFT/BIC code: ${problem}`);
  });

  it('asks for a missing code', () => {
    expect(domainErrorOf(() => normalizeBicOrThrow('  ')).message).toMatch(/^SwiftCode is required/);
  });

  it('knows real countries only, with Kosovo', () => {
    expect(isCountryCode('DE')).toBe(true);
    expect(isCountryCode('XK')).toBe(true);
    expect(isCountryCode('EU')).toBe(false);
    expect(isCountryCode('de')).toBe(false);
    // ICU names every code in the list, so none is a typo.
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of 'AD AX BQ CW GG SS SX TL XK ZW'.split(' ')) expect(names.of(code)).not.toBe(code);
  });
});

describe('ABA routing numbers and US accounts', () => {
  it.each(['021000021', '011000015', '026009593', '121000248', '322271627', '0210-0002 1'])('accepts %j', (text) => {
    expect(normalizeRoutingNumberOrThrow(text)).toMatch(/^[0-9]{9}$/);
  });

  it.each([
    ['021000022', 'its check digit does not match'],
    ['02100002', 'it must be exactly 9 digits'],
    ['0210000210', 'it must be exactly 9 digits'],
    ['02100002A', 'it must be exactly 9 digits'],
    ['130000006', 'no routing number starts with 13'],
  ])('rejects %j: %s', (text, problem) => {
    expect(domainErrorOf(() => normalizeRoutingNumberOrThrow(text)).message).toBe(`RoutingCode: ${text} is not a valid ABA routing number: ${problem}.`);
  });

  it.each([
    ['1234', '1234'],
    ['12345678901234567', '12345678901234567'],
    ['000123-456 789', '000123456789'],
  ])('accepts account number %j', (text, account) => {
    expect(normalizeUsAccountNumberOrThrow(text)).toBe(account);
  });

  it.each(['123', '123456789012345678', '12345A'])('rejects account number %j', (text) => {
    expect(domainErrorOf(() => normalizeUsAccountNumberOrThrow(text)).message).toContain('BankAccountNumber');
  });
});

describe('account holder name', () => {
  it.each([
    ['  Jane   Doe ', 'Jane Doe'],
    ['Zoë Ångström', 'Zoë Ångström'],
    ['Zoe\u0308', 'Zoë'],
    ['山田太郎', '山田太郎'],
    ['A'.repeat(70), 'A'.repeat(70)],
    ['😀'.repeat(70), '😀'.repeat(70)],
  ])('accepts %j', (text, name) => {
    expect(normalizeHolderNameOrThrow(text)).toBe(name);
  });

  it.each([
    ['', /^BeneficiaryAccountName is required/],
    ['   ', /^BeneficiaryAccountName is required/],
    ['A'.repeat(71), /^BeneficiaryAccountName is 71 characters long; banks accept at most 70/],
    ['Jane\nDoe', /^BeneficiaryAccountName contains a control character \(U\+000A\)/],
    ['Jane\u0007Doe', /control character \(U\+0007\)/],
    ['Jane\u2028Doe', /control character \(U\+2028\)/],
    ['Jane\uD800Doe', /lone UTF-16 surrogate/],
  ])('rejects %j', (text, message) => {
    expect(domainErrorOf(() => normalizeHolderNameOrThrow(text)).message).toMatch(message);
  });
});

describe('PayPal e-mail address', () => {
  it.each([
    ['jane@example.com', 'jane@example.com'],
    ['  Jane.Doe+payouts@Example.CO.UK ', 'Jane.Doe+payouts@example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@xn--bcher-kva.example', 'x@xn--bcher-kva.example'],
    ['a@b.io', 'a@b.io'],
  ])('accepts %j', (text, email) => {
    expect(normalizePaypalEmailOrThrow(text)).toBe(email);
  });

  it.each([
    ['', 'PaypalEmailAddress is required'],
    ['jane', 'it has no @'],
    ['@example.com', 'nothing comes before the @'],
    ['jane@', 'is not a domain name'],
    ['jane@localhost', 'is not a domain name'],
    ['jane@example', 'is not a domain name'],
    ['jane@-example.com', 'is not a domain name'],
    ['jane@example.123', 'does not end in a top-level domain'],
    ['jane..doe@example.com', 'characters or dots an address cannot have'],
    ['.jane@example.com', 'characters or dots an address cannot have'],
    ['jane doe@example.com', 'without spaces'],
    ['jäne@example.com', 'only ASCII'],
    ['=cmd@example.com', 'cannot start with =, + or -'],
    ['-x@example.com', 'cannot start with =, + or -'],
    [`${'a'.repeat(65)}@example.com`, 'longer than 64 characters'],
    [`${'a'.repeat(62)}@${'b'.repeat(62)}.com`, 'it is 129 characters long; PayPal accepts at most 127'],
  ])('rejects %j: %s', (text, problem) => {
    const message = domainErrorOf(() => normalizePaypalEmailOrThrow(text)).message;
    expect(message.startsWith('PaypalEmailAddress')).toBe(true);
    expect(message).toContain(problem);
  });
});

describe('validateWithdrawalSettingsOrThrow', () => {
  it('takes a SEPA account by IBAN, BIC optional', () => {
    expect(
      validateWithdrawalSettingsOrThrow({
        PaymentMethod: 'BANK_TRANSFER',
        BankCountry: 'de',
        BeneficiaryAccountName: ' Jane Doe ',
        BankAccountNumber: 'de89 3704 0044 0532 0130 00',
      }),
    ).toEqual({ method: 'BANK_TRANSFER', bankCountry: 'DE', holderName: 'Jane Doe', account: { kind: 'IBAN', iban: 'DE89370400440532013000' } });
    const withBic = validateWithdrawalSettingsOrThrow({
      PaymentMethod: 'BANK_TRANSFER',
      BankCountry: 'GB',
      BeneficiaryAccountName: 'Jane Doe',
      BankAccountNumber: 'GB29NWBK60161331926819',
      SwiftCode: 'nwbkgb2l',
    });
    expect(withBic).toMatchObject({ account: { kind: 'IBAN', iban: 'GB29NWBK60161331926819', bic: 'NWBKGB2L' } });
  });

  it('takes a US account with its routing number and type', () => {
    expect(
      validateWithdrawalSettingsOrThrow({
        PaymentMethod: 'BANK_TRANSFER',
        BankCountry: 'US',
        BeneficiaryAccountName: 'Jane Doe',
        BankAccountNumber: '000123456789',
        RoutingCode: '021000021',
        BankAccountType: 'SAVINGS',
        SwiftCode: 'chasus33',
      }),
    ).toEqual({
      method: 'BANK_TRANSFER',
      bankCountry: 'US',
      holderName: 'Jane Doe',
      account: { kind: 'US', accountNumber: '000123456789', routingNumber: '021000021', accountType: 'SAVINGS', bic: 'CHASUS33' },
    });
  });

  it('takes an account in a country without IBANs when it has a SWIFT code', () => {
    expect(
      validateWithdrawalSettingsOrThrow({
        PaymentMethod: 'BANK_TRANSFER',
        BankCountry: 'JP',
        BeneficiaryAccountName: '山田太郎',
        BankAccountNumber: '123-4567',
        SwiftCode: 'BOTKJPJT',
      }),
    ).toMatchObject({ account: { kind: 'OTHER', accountNumber: '1234567', bic: 'BOTKJPJT' } });
    expect(
      domainErrorOf(() =>
        validateWithdrawalSettingsOrThrow({ PaymentMethod: 'BANK_TRANSFER', BankCountry: 'JP', BeneficiaryAccountName: 'Taro', BankAccountNumber: '1234567' }),
      ).message,
    ).toMatch(/^SwiftCode is required for a bank in JP \(Japan\)/);
  });

  it('accepts a territory using its parent country’s IBANs', () => {
    expect(
      validateWithdrawalSettingsOrThrow({
        PaymentMethod: 'BANK_TRANSFER',
        BankCountry: 'GP',
        BeneficiaryAccountName: 'Jane Doe',
        BankAccountNumber: 'FR1420041010050500013M02606',
      }),
    ).toMatchObject({ bankCountry: 'GP', account: { kind: 'IBAN' } });
  });

  it.each([
    [{ BankCountry: 'DE', BankAccountNumber: 'GB29NWBK60161331926819' }, /^BankAccountNumber: GB29NWBK60161331926819 is an IBAN from GB \(United Kingdom\), but BankCountry is DE \(Germany\)/],
    [{ BankCountry: 'DE', BankAccountNumber: '' }, /^BankAccountNumber is required; banks in DE \(Germany\) use IBANs/],
    [{ BankCountry: 'US', BankAccountNumber: '123456789' }, /^RoutingCode is required/],
    [{ BankCountry: 'XX', BankAccountNumber: '123456789' }, /^BankCountry: XX is not an ISO 3166 country code/],
    [{ BankCountry: '', BankAccountNumber: '123456789' }, /^BankCountry is required/],
    [{ BankCountry: 'DE', BankAccountNumber: 'DE89370400440532013000', BeneficiaryAccountName: '' }, /^BeneficiaryAccountName is required/],
    [{ BankCountry: 'DE', BankAccountNumber: 'DE89370400440532013000', SwiftCode: 'DEUTDEF' }, /^SwiftCode: DEUTDEF is not a valid/],
  ])('refuses %j', (fields, message) => {
    const input = { PaymentMethod: 'BANK_TRANSFER' as const, BeneficiaryAccountName: 'Jane Doe', ...fields };
    const error = domainErrorOf(() => validateWithdrawalSettingsOrThrow(input));
    expect(error.message).toMatch(message);
    expect(error.extra.field).toBeTypeOf('string');
  });

  it('takes a PayPal address for PayPal', () => {
    expect(validateWithdrawalSettingsOrThrow({ PaymentMethod: 'PAYPAL', PaypalEmailAddress: 'Jane@Example.com' })).toEqual({
      method: 'PAYPAL',
      paypalEmail: 'Jane@example.com',
    });
    expect(domainErrorOf(() => validateWithdrawalSettingsOrThrow({ PaymentMethod: 'PAYPAL' })).message).toMatch(/^PaypalEmailAddress is required/);
  });
});

describe('maskAccount', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 01', '•••• 3001'],
    ['000123456789', '•••• 6789'],
    ['12345', '•••• 2345'],
    ['1234', '••••'],
    ['', '••••'],
  ])('%j → %s', (text, masked) => {
    expect(maskAccount(text)).toBe(masked);
  });
});
