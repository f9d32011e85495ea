/**
 * Withdrawal settings through the API (DOMAIN.md, Money; issue 12 item 5): a partner
 * admin says where withdrawals go and when; bad bank details, thresholds under 10.00 and
 * PayPal addresses that are not ones are refused naming the field; a destination asks for
 * the password again, and a change of it holds withdrawals for 48 hours; the destination is
 * stored only encrypted and shown only masked.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { decryptSecret, parseSecretsKeyOrThrow } from '../../src/core/secrets.js';
import { accountClient, clientFor } from '../support/action-helpers.js';
import { expectProblem } from '../support/api-helpers.js';
import { addMember, logInClient, makeAccount, makeOperator, startTestApp, TEST_PASSWORD, TEST_SECRETS_KEY, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks
type Body = Record<string, any>;
function ok(response: LightMyRequestResponse, status = 200): Body {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  return response.json() as Body;
}
const put = (client: Client, payload: unknown) => client.request({ method: 'PUT', url: '/api/v1/withdrawal-settings', payload: payload as object });

const IBAN = 'DE89 3704 0044 0532 0130 00';
const bankBody = (extra: Record<string, unknown> = {}) => ({
  PaymentMethod: 'BANK_TRANSFER',
  BankCountry: 'DE',
  BeneficiaryAccountName: 'Jürgen Müller',
  BankAccountNumber: IBAN,
  SwiftCode: 'COBADEFFXXX',
  PaymentSchedulingType: 'BALANCE_THRESHOLD',
  PaymentThreshold: '50.00',
  Password: TEST_PASSWORD,
  ...extra,
});

describeDb('withdrawal settings', (db) => {
  let t: TestApp;
  let partner: TestAccount;
  let admin: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    partner = await makeAccount(t.ctx, 'PARTNER', { currency: 'EUR', timeZone: 'Europe/Berlin' });
    admin = await accountClient(t, partner);
  });
  afterEach(async () => t.close());

  it('are empty until set; a destination asks for the password, is stored encrypted, shown masked; a change of it holds withdrawals for 48 hours', async () => {
    expect(ok(await admin.get('/api/v1/withdrawal-settings'))).toMatchObject({
      MediaPartnerId: partner.id,
      Currency: 'EUR',
      Configured: false,
      PaymentMethod: null,
      MinimumWithdrawal: '10.00',
      HoldEndsDate: null,
    });
    // Without the password, or with a wrong one: refused, nothing stored.
    const { Password: _omit, ...withoutPassword } = bankBody();
    const missing = expectProblem(await put(admin, withoutPassword), 400, /enter your password again/);
    expect(missing.errors).toEqual([{ field: 'body.Password', message: expect.stringContaining('Password') }]);
    expectProblem(await put(admin, bankBody({ Password: 'not-the-password' })), 400, /password is not right/);
    expect(ok(await admin.get('/api/v1/withdrawal-settings')).Configured).toBe(false);

    const saved = ok(await put(admin, bankBody()));
    const now = t.ctx.clock.now().getTime();
    expect(saved).toMatchObject({
      Configured: true,
      PaymentMethod: 'BANK_TRANSFER',
      BankCountry: 'DE',
      BankAccountNumber: '•••• 3000',
      PaypalEmailAddress: null,
      WithdrawalMethod: 'EFT',
      WireFee: null,
      PaymentSchedulingType: 'BALANCE_THRESHOLD',
      PaymentThreshold: '50.00',
      PaymentDay: 0,
      BankDetailsChanged: true,
      // The first destination set holds nothing: there was nowhere else for the money to go.
      HoldEndsDate: null,
    });
    expect(saved.BankDetailsChangedDate).toBe(new Date(now).toISOString());
    expect(JSON.stringify(saved)).not.toMatch(/0532|Müller|3704/);

    // At rest: the table holds the destination only encrypted (and the audit log only masked).
    const { rows } = await t.ctx.db.query<{ row: string; secret: string }>(
      `select row_to_json(w)::text as row, destination_secret as secret from withdrawal_settings w where partner_account_id = $1`,
      [partner.id],
    );
    expect(rows[0]!.row).not.toMatch(/0532013000|DE89|Müller|M\\u00fcller|COBADEFF/);
    expect(rows[0]!.secret).toMatch(/^v1:/);
    const clear = JSON.parse(decryptSecret(parseSecretsKeyOrThrow(TEST_SECRETS_KEY), rows[0]!.secret));
    expect(clear).toMatchObject({ method: 'BANK_TRANSFER', bankCountry: 'DE', holderName: 'Jürgen Müller', account: { kind: 'IBAN', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' } });
    const { rows: audit } = await t.ctx.db.query<{ detail: string }>(`select detail::text as detail from audit_events where action = 'withdrawal_settings.changed'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).not.toMatch(/0532013000|Müller|M\\u00fcller/);
    expect(audit[0]!.detail).toContain('•••• 3000');

    // The schedule alone changes without a password.
    db().clock.advanceMs(3_600_000);
    const schedule = ok(await put(admin, { PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 15 }));
    expect(schedule).toMatchObject({ BankDetailsChanged: false, PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 15, PaymentThreshold: null, HoldEndsDate: null });
    // The same destination again is no change: no hold.
    const same = ok(await put(admin, bankBody({ BankAccountNumber: 'de89370400440532013000' })));
    expect(same).toMatchObject({ BankDetailsChanged: false, HoldEndsDate: null });
    // Another account is a change: a new hold from now.
    const other = ok(await put(admin, bankBody({ BankAccountNumber: 'DE02 1203 0000 0000 2020 51', SwiftCode: 'BYLADEM1001' })));
    expect(other).toMatchObject({ BankDetailsChanged: true, BankAccountNumber: '•••• 2051', HoldEndsDate: new Date(t.ctx.clock.now().getTime() + 48 * 3_600_000).toISOString() });
    expect(ok(await admin.get('/api/v1/withdrawal-settings')).HoldEndsDate).toBe(other.HoldEndsDate);
    // A change of the schedule during the hold keeps it as it was.
    db().clock.advanceMs(3_600_000);
    expect(ok(await put(admin, { PaymentSchedulingType: 'BALANCE_THRESHOLD', PaymentThreshold: '25.00' }))).toMatchObject({ BankDetailsChanged: false, HoldEndsDate: other.HoldEndsDate });
  });

  it('refuses bad bank details, thresholds and PayPal addresses, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ BankAccountNumber: 'DE89 3704 0044 0532 0130 01' }, 'body.BankAccountNumber', /not a valid IBAN: its check digits do not match/],
      [{ BankAccountNumber: 'FR14 2004 1010 0505 0001 3M02 606' }, 'body.BankAccountNumber', /IBAN from FR .* but BankCountry is DE/],
      [{ SwiftCode: 'COBAXXFF' }, 'body.SwiftCode', /not a valid SWIFT\/BIC/],
      [{ BankCountry: 'XX' }, 'body.BankCountry', /not an ISO 3166 country code/],
      [{ BeneficiaryAccountName: '   ' }, 'body.BeneficiaryAccountName', /is required/],
      [{ BeneficiaryAccountName: '--- ---' }, 'body.BeneficiaryAccountName', /with its letters/],
      [{ BankCountry: 'US', BankAccountNumber: '123456789', RoutingCode: '021000022', SwiftCode: undefined }, 'body.RoutingCode', /check digit does not match/],
      [{ PaymentThreshold: '9.99' }, 'body.PaymentThreshold', /9\.99 EUR is below the minimum withdrawal of 10\.00 EUR/],
      [{ PaymentThreshold: '10.001' }, 'body.PaymentThreshold', /at most 2/],
      [{ PaymentThreshold: undefined }, 'body.PaymentThreshold', /required with BALANCE_THRESHOLD/],
      [{ PaymentSchedulingType: 'FIXED_DAY', PaymentThreshold: undefined, PaymentDay: 10 }, 'body.PaymentDay', /1st or the 15th/],
      [
        { PaymentMethod: 'PAYPAL', BankCountry: undefined, BeneficiaryAccountName: undefined, BankAccountNumber: undefined, SwiftCode: undefined, PaypalEmailAddress: 'jane.doe@example' },
        'body.PaypalEmailAddress',
        /not a valid e-mail address/,
      ],
      [
        { PaymentMethod: 'PAYPAL', BankCountry: undefined, BeneficiaryAccountName: undefined, BankAccountNumber: undefined, SwiftCode: undefined, PaypalEmailAddress: 'jane doe@example.com' },
        'body.PaypalEmailAddress',
        /not a valid e-mail address/,
      ],
      [{ PaymentMethod: undefined }, 'body.PaymentMethod', /PaymentMethod is required with BankCountry/],
    ];
    for (const [change, field, detail] of cases) {
      const problem = expectProblem(await put(admin, bankBody(change)), 400, detail);
      expect(problem.errors?.map((e) => e.field), JSON.stringify(change)).toEqual([field]);
    }
    // A wrong password on a bad form reports the form first (the password is asked only for a valid change).
    expectProblem(await put(admin, bankBody({ PaymentThreshold: '5.00', Password: 'wrong' })), 400, /below the minimum/);
    // The first settings need a destination.
    expectProblem(await put(admin, { PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 1 }), 400, /PaymentMethod is required/);
    // Schema errors: unknown fields, a schedule that does not exist.
    expectProblem(await put(admin, { ...bankBody(), Iban: 'x' }), 400, /unknown field/);
    expectProblem(await put(admin, bankBody({ PaymentSchedulingType: 'WEEKLY' })), 400);
    expect(ok(await admin.get('/api/v1/withdrawal-settings')).Configured).toBe(false);
    const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from withdrawal_settings');
    expect(rows[0]!.n).toBe(0);
  });

  it('PayPal: masked, 2% fee method; a currency PayPal does not pay in is refused', async () => {
    const paypal = ok(
      await put(admin, { PaymentMethod: 'PAYPAL', PaypalEmailAddress: 'Jane.Doe@Example.COM', PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 1, Password: TEST_PASSWORD }),
    );
    expect(paypal).toMatchObject({ PaymentMethod: 'PAYPAL', PaypalEmailAddress: 'J•••@example.com', BankAccountNumber: null, BankCountry: null, WithdrawalMethod: 'PAYPAL', PaymentDay: 1 });
    const inr = await makeAccount(t.ctx, 'PARTNER', { currency: 'INR' });
    expectProblem(
      await put(await accountClient(t, inr), { PaymentMethod: 'PAYPAL', PaypalEmailAddress: 'a@example.com', PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 1, Password: TEST_PASSWORD }),
      400,
      /PayPal does not pay out in INR/,
    );
    // A USD account paying to a German IBAN wires, at the configured fee.
    const usd = await makeAccount(t.ctx, 'PARTNER', { currency: 'USD' });
    expect(ok(await put(await accountClient(t, usd), bankBody()))).toMatchObject({ WithdrawalMethod: 'WIRE', WireFee: '25.00' });
  });

  it('only the partner admins may change them; users read them; brands and operators neither', async () => {
    ok(await put(admin, bankBody()));
    const member = await addMember(t.ctx, partner.id, 'USER');
    const user = await clientFor(t, member.userId, partner.id);
    expect(ok(await user.get('/api/v1/withdrawal-settings')).BankAccountNumber).toBe('•••• 3000');
    expectProblem(await put(user, bankBody()), 403, /admin/);
    const brand = await makeAccount(t.ctx, 'BRAND');
    expectProblem(await (await accountClient(t, brand)).get('/api/v1/withdrawal-settings'), 403);
    const operator = await clientFor(t, (await makeOperator(t.ctx)).userId);
    expectProblem(await operator.get('/api/v1/withdrawal-settings'), 403);
    // A logged-in admin's password check counts like a log-in: the same throttle.
    const session = (await logInClient(t.app, partner.adminEmail)).withAccount(partner.id);
    for (let i = 0; i < 5; i++) expectProblem(await put(session, bankBody({ Password: 'wrong-password' })), 400, /not right/);
    expectProblem(await put(session, bankBody({ Password: 'wrong-password' })), 429);
  });
});
