import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Client, makeAccount, startTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { countRows, dumpDb, expectDbUnchanged, expectOk, expectProblem, sessionClient, simpleTermsBody } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

const VALID_PROGRAM = { Name: 'Spring Sale', Currency: 'USD', TimeZone: 'America/New_York' };

describeDb('api programs, event types and terms', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  async function brandClient(options: { currency?: string; timeZone?: string } = {}): Promise<{ brand: TestAccount; client: Client }> {
    const brand = await makeAccount(t.ctx, 'BRAND', options);
    return { brand, client: await sessionClient(t, brand.adminUserId) };
  }

  async function createProgram(client: Client, body: object = VALID_PROGRAM) {
    return expectOk(await client.post('/api/v1/programs', body), 201);
  }

  async function createEventType(client: Client, programId: number, body: object) {
    return expectOk(await client.post(`/api/v1/programs/${programId}/event-types`, body), 201);
  }

  /** A USD program with SALE, LEAD and CLICK event types. */
  async function programWithEventTypes(client: Client, body: object = VALID_PROGRAM) {
    const program = await createProgram(client, body);
    const sale = await createEventType(client, program.Id, { Name: 'Sale', Kind: 'SALE' });
    const lead = await createEventType(client, program.Id, { Name: 'Lead', Kind: 'LEAD' });
    const click = await createEventType(client, program.Id, { Name: 'Click', Kind: 'CLICK' });
    return { program, sale, lead, click };
  }

  // ---------------------------------------------------------------------------
  // Programs
  // ---------------------------------------------------------------------------

  it('creates a program and shows it to its brand', async () => {
    const { brand, client } = await brandClient();
    const program = await createProgram(client);
    expect(program).toEqual({
      Id: expect.any(Number),
      BrandAccountId: brand.id,
      BrandName: expect.stringMatching(/^Brand /),
      Name: 'Spring Sale',
      Currency: 'USD',
      TimeZone: 'America/New_York',
      Status: 'ACTIVE',
      // No website given: no landing domain either, so no tracking link can be made yet.
      WebsiteUrl: null,
      LandingDomains: [],
      CreatedDate: '2026-01-15T12:00:00.000Z',
    });
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}`))).toEqual(program);
    expect(expectOk(await client.get('/api/v1/programs'))).toEqual([program]);
    const { rows } = await t.ctx.db.query('select name, currency, time_zone from programs');
    expect(rows).toEqual([{ name: 'Spring Sale', currency: 'USD', time_zone: 'America/New_York' }]);
  });

  it('trims the program name', async () => {
    const { client } = await brandClient();
    expect((await createProgram(client, { ...VALID_PROGRAM, Name: '  Padded  ' })).Name).toBe('Padded');
  });

  it.each([
    ['a lower-case currency', { Currency: 'usd' }, '"usd" is not a supported ISO 4217 currency code.'],
    ['the "no currency" code XXX', { Currency: 'XXX' }, '"XXX" is not a supported ISO 4217 currency code.'],
    ['a two-letter currency', { Currency: 'US' }, '"US" is not a supported ISO 4217 currency code.'],
    ['a four-letter currency', { Currency: 'USDT' }, 'body.Currency'],
    ['a number as currency', { Currency: 840 }, 'body.Currency'],
    ['an invented time zone', { TimeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not a known IANA time zone'],
    ['a UTC offset as time zone', { TimeZone: '+01:00' }, '"+01:00" is not a known IANA time zone'],
    ['a mis-cased time zone', { TimeZone: 'america/new_york' }, '"america/new_york" is not a known IANA time zone'],
    ['an empty time zone', { TimeZone: '' }, 'is not a known IANA time zone'],
    ['an empty name', { Name: '' }, 'The program name must not be empty.'],
    ['a blank name', { Name: '   ' }, 'The program name must not be empty.'],
    ['a too long name', { Name: 'x'.repeat(201) }, 'body.Name'],
    ['a number as name', { Name: 42 }, 'body.Name: Invalid input: expected string, received number'],
    ['no name', { Name: undefined }, 'body.Name'],
    ['an unknown field', { Status: 'ACTIVE', budget: 100 }, 'budget'],
  ])('refuses a program with %s with 400 and stores nothing', async (_what, change, detail) => {
    const { client } = await brandClient();
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post('/api/v1/programs', { ...VALID_PROGRAM, ...change }), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
    expect(expectOk(await client.get('/api/v1/programs'))).toEqual([]);
  });

  it.each([
    ['an array', [VALID_PROGRAM]],
    ['a string', 'Spring Sale'],
    ['null', null],
  ])('refuses a program body that is %s with 400', async (_what, payload) => {
    const { client } = await brandClient();
    const response = await client.request({
      method: 'POST',
      url: '/api/v1/programs',
      payload: JSON.stringify(payload),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400);
    expect(await countRows(t.ctx.db, 'select * from programs')).toBe(0);
  });

  it('changes name, time zone and status', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const changed = expectOk(
      await client.patch(`/api/v1/programs/${program.Id}`, { Name: 'Summer Sale', TimeZone: 'Europe/Paris', Status: 'INACTIVE' }),
    );
    expect(changed).toEqual({ ...program, Name: 'Summer Sale', TimeZone: 'Europe/Paris', Status: 'INACTIVE' });
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}`))).toEqual(changed);
    // A partial change leaves the other fields alone.
    expect(expectOk(await client.patch(`/api/v1/programs/${program.Id}`, { Status: 'ACTIVE' }))).toEqual({ ...changed, Status: 'ACTIVE' });
  });

  it('keeps the currency fixed: a PATCH naming it is a 400 naming the unknown field', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    const body = expectProblem(await client.patch(`/api/v1/programs/${program.Id}`, { Currency: 'EUR' }), 400);
    expect(body.detail).toContain('unknown field(s): Currency');
    await expectDbUnchanged(t.ctx.db, before);
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}`)).Currency).toBe('USD');
  });

  it.each([
    ['the currency together with a valid change', { Name: 'New', Currency: 'EUR' }, 'Currency'],
    ['an invented time zone', { TimeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not a known IANA time zone'],
    ['an empty name', { Name: ' ' }, 'The program name must not be empty.'],
    ['an unknown status', { Status: 'PAUSED' }, 'body.Status'],
    ['the id', { Id: 99 }, 'Id'],
  ])('refuses a program change with %s with 400 and changes nothing', async (_what, payload, detail) => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.patch(`/api/v1/programs/${program.Id}`, payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers an unknown program id with 404 and a malformed one with 400', async () => {
    const { client } = await brandClient();
    expectProblem(await client.get('/api/v1/programs/424242'), 404, 'Program 424242 does not exist or is not visible to this account.');
    expectProblem(await client.patch('/api/v1/programs/424242', { Name: 'X' }), 404, 'Program 424242 does not exist in this account.');
    expectProblem(await client.get('/api/v1/programs/abc'), 400, 'params.id');
    expectProblem(await client.get('/api/v1/programs/99999999999'), 400, 'params.id');
  });

  it('refuses program creation by a partner with 403', async () => {
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const client = await sessionClient(t, partner.adminUserId);
    expectProblem(await client.post('/api/v1/programs', VALID_PROGRAM), 403, 'Only a brand account can do this; the current account is a partner.');
    expect(await countRows(t.ctx.db, 'select * from programs')).toBe(0);
  });

  it('partners see active programs only', async () => {
    const { client } = await brandClient();
    const active = await createProgram(client);
    const inactive = await createProgram(client, { ...VALID_PROGRAM, Name: 'Old' });
    const sale = await createEventType(client, inactive.Id, { Name: 'Sale', Kind: 'SALE' });
    const terms = expectOk(await client.post(`/api/v1/programs/${inactive.Id}/terms`, { Name: 'T', Terms: simpleTermsBody(sale.Id) }), 201);
    expectOk(await client.patch(`/api/v1/programs/${inactive.Id}`, { Status: 'INACTIVE' }));
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    expect(expectOk(await partnerClient.get('/api/v1/programs')).map((p: { Id: number }) => p.Id)).toEqual([active.Id]);
    expectOk(await partnerClient.get(`/api/v1/programs/${active.Id}`));
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.Id}`), 404, `Program ${inactive.Id} does not exist or is not visible`);
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.Id}/terms`), 404);
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.Id}/event-types`), 404);
    expectProblem(await partnerClient.post('/api/v1/contracts', { TemplateTermsId: terms.Id }), 404);
    expect(await countRows(t.ctx.db, 'select * from contracts')).toBe(0);
  });

  // ---------------------------------------------------------------------------
  // Event types
  // ---------------------------------------------------------------------------

  it('adds event types of every kind, with API returns processing by default', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const created = [
      await createEventType(client, program.Id, { Name: 'Sale', Kind: 'SALE' }),
      await createEventType(client, program.Id, { Name: 'Lead', Kind: 'LEAD', ReturnsProcessing: 'EMAIL' }),
      await createEventType(client, program.Id, { Name: 'Click', Kind: 'CLICK' }),
      await createEventType(client, program.Id, { Name: '  Signup  ', Kind: 'OTHER', ReturnsProcessing: 'SFTP_PULL' }),
    ];
    expect(created.map((e) => [e.CampaignId, e.Name, e.Kind, e.ReturnsProcessing])).toEqual([
      [program.Id, 'Sale', 'SALE', 'API'],
      [program.Id, 'Lead', 'LEAD', 'EMAIL'],
      [program.Id, 'Click', 'CLICK', 'API'],
      [program.Id, 'Signup', 'OTHER', 'SFTP_PULL'],
    ]);
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}/event-types`))).toEqual(created);
  });

  it('allows at most one CLICK event type per program (409), and unique names', async () => {
    const { client } = await brandClient();
    const { program } = await programWithEventTypes(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${program.Id}/event-types`, { Name: 'Another click', Kind: 'CLICK' }),
      409,
      `Program ${program.Id} already has a CLICK event type; a program has at most one.`,
    );
    expectProblem(
      await client.post(`/api/v1/programs/${program.Id}/event-types`, { Name: 'SALE', Kind: 'OTHER' }),
      409,
      `Program ${program.Id} already has an event type named "SALE".`,
    );
    await expectDbUnchanged(t.ctx.db, before);
    // Another program may have its own CLICK.
    const other = await createProgram(client, { ...VALID_PROGRAM, Name: 'Other' });
    await createEventType(client, other.Id, { Name: 'Click', Kind: 'CLICK' });
  });

  it('two CLICK event types added at once: exactly one is created', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const responses = await Promise.all([
      client.post(`/api/v1/programs/${program.Id}/event-types`, { Name: 'Click A', Kind: 'CLICK' }),
      client.post(`/api/v1/programs/${program.Id}/event-types`, { Name: 'Click B', Kind: 'CLICK' }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectProblem(responses.find((r) => r.statusCode === 409)!, 409);
    expect(await countRows(t.ctx.db, `select * from event_types where kind = 'CLICK'`)).toBe(1);
  });

  it.each([
    ['an unknown kind', { Name: 'CPC', Kind: 'CPC' }, 'body.Kind'],
    ['an empty name', { Name: '  ', Kind: 'SALE' }, 'The event type name must have 1 to 100 characters.'],
    ['a too long name', { Name: 'x'.repeat(101), Kind: 'SALE' }, 'body.Name'],
    ['an unknown returns processing', { Name: 'Sale', Kind: 'SALE', ReturnsProcessing: 'FTP' }, 'body.ReturnsProcessing'],
    ['an unknown field', { Name: 'Sale', Kind: 'SALE', Code: 'S1' }, 'Code'],
    ['no kind', { Name: 'Sale' }, 'body.Kind'],
  ])('refuses an event type with %s with 400 and stores nothing', async (_what, payload, detail) => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post(`/api/v1/programs/${program.Id}/event-types`, payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  // ---------------------------------------------------------------------------
  // Template terms
  // ---------------------------------------------------------------------------

  it('publishes terms with percent and fixed payouts, payout groups, DAYS locking and a payment schedule', async () => {
    const { client } = await brandClient();
    const { program, sale, lead, click } = await programWithEventTypes(client);
    const terms = {
      Payouts: [
        {
          EventTypeId: sale.Id,
          Payout: { Kind: 'PERCENT', Percent: '7.5' },
          Groups: [
            { Name: 'Tents', Match: { Categories: ['Tents', 'Camping'] }, Payout: { Kind: 'PERCENT', Percent: '12' } },
            { Name: 'Gift card', Match: { Skus: ['GIFT-50'] }, Payout: { Kind: 'FIXED', Amount: '1.5' } },
          ],
        },
        { EventTypeId: lead.Id, Payout: { Kind: 'FIXED', Amount: '2' } },
        { EventTypeId: click.Id, Payout: { Kind: 'FIXED', Amount: '0.05' } },
      ],
      Locking: { Form: 'DAYS', Days: 27 },
      Payment: { Months: 0, Days: 19 },
    };
    const created = expectOk(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: '  Standard  ', Terms: terms }), 201);
    expect(created).toEqual({
      Id: expect.any(Number),
      CampaignId: program.Id,
      Name: 'Standard',
      Status: 'ACTIVE',
      CreatedDate: '2026-01-15T12:00:00.000Z',
      Terms: {
        Payouts: [
          {
            EventTypeId: sale.Id,
            Payout: { Kind: 'PERCENT', Percent: '7.5' },
            Groups: [
              { Name: 'Tents', Match: { Categories: ['Tents', 'Camping'] }, Payout: { Kind: 'PERCENT', Percent: '12' } },
              { Name: 'Gift card', Match: { Skus: ['GIFT-50'] }, Payout: { Kind: 'FIXED', Amount: '1.50' } },
            ],
            OpenEndedLocking: false,
          },
          { EventTypeId: lead.Id, Payout: { Kind: 'FIXED', Amount: '2.00' }, Groups: [], OpenEndedLocking: false },
          { EventTypeId: click.Id, Payout: { Kind: 'FIXED', Amount: '0.05' }, Groups: [], OpenEndedLocking: false },
        ],
        Locking: { Form: 'DAYS', Days: 27 },
        Payment: { Months: 0, Days: 19 },
      },
    });
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}/terms`))).toEqual([created]);
    // Amounts are stored in minor units, never as floats.
    const { rows } = await t.ctx.db.query<{ terms: { payouts: Array<{ payout: unknown }> } }>('select terms from template_terms');
    // The stored form is the terms module's own (camelCase, minor units), not the API's.
    expect(rows[0]!.terms.payouts[1]!.payout).toEqual({ kind: 'FIXED', amountMinor: '200' });
  });

  it('publishes terms with the MONTHS locking form and the limits of each field', async () => {
    const { client } = await brandClient();
    const { program, sale } = await programWithEventTypes(client);
    const cases = [
      { Locking: { Form: 'MONTHS', Months: 1, Days: 0 }, Payment: { Months: 0, Days: 19 } },
      { Locking: { Form: 'MONTHS', Months: 12, Days: 30 }, Payment: { Months: 12, Days: 30 } },
      { Locking: { Form: 'DAYS', Days: 0 }, Payment: { Months: 0, Days: 0 } },
    ];
    for (const [i, { Locking: locking, Payment: payment }] of cases.entries()) {
      const created = expectOk(
        await client.post(`/api/v1/programs/${program.Id}/terms`, {
          Name: `Terms ${i}`,
          Terms: { Payouts: [{ EventTypeId: sale.Id, Payout: { Kind: 'PERCENT', Percent: '100' } }], Locking: locking, Payment: payment },
        }),
        201,
      );
      expect(created.Terms.Locking).toEqual(locking);
      expect(created.Terms.Payment).toEqual(payment);
    }
    expect(await countRows(t.ctx.db, 'select * from template_terms')).toBe(3);
  });

  type TermsFixture = Awaited<ReturnType<typeof programWithEventTypes>>;
  const sale = (f: TermsFixture, payout: object, extra: object = {}) => ({ EventTypeId: f.sale.Id, Payout: payout, ...extra });
  const withTerms = (f: TermsFixture, change: object) => ({
    Payouts: [sale(f, { Kind: 'PERCENT', Percent: '10' })],
    Locking: { Form: 'DAYS', Days: 14 },
    Payment: { Months: 0, Days: 19 },
    ...change,
  });

  it.each<[string, (f: TermsFixture) => object, string]>([
    ['28 locking days', (f) => withTerms(f, { Locking: { Form: 'DAYS', Days: 28 } }), 'body.Terms.Locking.Days: Locking days must be at most 27.'],
    ['negative locking days', (f) => withTerms(f, { Locking: { Form: 'DAYS', Days: -1 } }), 'Locking days must be 0 or more.'],
    ['fractional locking days', (f) => withTerms(f, { Locking: { Form: 'DAYS', Days: 1.5 } }), 'Locking days must be a whole number'],
    ['13 locking months', (f) => withTerms(f, { Locking: { Form: 'MONTHS', Months: 13, Days: 0 } }), 'Locking months must be at most 12.'],
    ['31 days in the month form', (f) => withTerms(f, { Locking: { Form: 'MONTHS', Months: 1, Days: 31 } }), 'Locking days must be at most 30.'],
    ['an unknown locking form', (f) => withTerms(f, { Locking: { Form: 'WEEKS', Days: 2 } }), 'Locking Form must be "DAYS" or "MONTHS".'],
    ['the days form with months', (f) => withTerms(f, { Locking: { Form: 'DAYS', Days: 2, Months: 1 } }), 'Months'],
    ['31 payment days', (f) => withTerms(f, { Payment: { Months: 0, Days: 31 } }), 'body.Terms.Payment.Days: Payment days must be at most 30.'],
    ['13 payment months', (f) => withTerms(f, { Payment: { Months: 13, Days: 0 } }), 'Payment months must be at most 12.'],
    ['no payment schedule', (f) => withTerms(f, { Payment: undefined }), 'body.Terms.Payment'],
    ['too many decimals', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'FIXED', Amount: '5.001' })] }), 'Payouts[0].Payout.Amount: Amount "5.001" has 3 decimal places; USD allows at most 2.'],
    [
      'too many decimals in a group',
      (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '5' }, { Groups: [{ Name: 'G', Match: { Skus: ['A'] }, Payout: { Kind: 'FIXED', Amount: '0.999' } }] })] }),
      'Payouts[0].Groups[0].Payout.Amount: Amount "0.999" has 3 decimal places',
    ],
    ['a negative amount', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'FIXED', Amount: '-1.00' })] }), 'Payouts[0].Payout.Amount: Amount "-1.00" is negative'],
    ['an amount that is not a number', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'FIXED', Amount: 'five' })] }), 'Payouts[0].Payout.Amount'],
    ['an amount as a JSON number', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'FIXED', Amount: 5 })] }), 'Amount must be a decimal string in the program currency'],
    ['a percent over 100', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '100.5' })] }), 'Payouts[0].Payout.Percent'],
    ['a negative percent', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '-5' })] }), 'Payouts[0].Payout.Percent'],
    ['an unknown payout kind', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'TIERED', Amount: '1.00' })] }), 'Payout Kind must be "PERCENT" or "FIXED".'],
    ['a group without a match', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '5' }, { Groups: [{ Name: 'G', Match: {}, Payout: { Kind: 'PERCENT', Percent: '6' } }] })] }), 'A group must match at least one category or SKU.'],
    ['a group with an empty name', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '5' }, { Groups: [{ Name: ' ', Match: { Skus: ['A'] }, Payout: { Kind: 'PERCENT', Percent: '6' } }] })] }), 'Group name must not be empty.'],
    ['no payouts', (f) => withTerms(f, { Payouts: [] }), 'Terms must pay for at least one event type.'],
    ['one event type twice', (f) => withTerms(f, { Payouts: [sale(f, { Kind: 'PERCENT', Percent: '5' }), sale(f, { Kind: 'PERCENT', Percent: '6' })] }), `appears more than once`],
    ['an event type of no program', (f) => withTerms(f, { Payouts: [{ EventTypeId: 987654, Payout: { Kind: 'PERCENT', Percent: '5' } }] }), 'Payouts[0].EventTypeId: event type 987654 does not belong to program'],
    ['a CLICK paid by percent', (f) => withTerms(f, { Payouts: [{ EventTypeId: f.click.Id, Payout: { Kind: 'PERCENT', Percent: '5' } }] }), 'Payouts[0]: a CLICK event type pays a fixed amount per click, without payout groups.'],
    [
      'a CLICK with payout groups',
      (f) => withTerms(f, { Payouts: [{ EventTypeId: f.click.Id, Payout: { Kind: 'FIXED', Amount: '0.05' }, Groups: [{ Name: 'G', Match: { Skus: ['A'] }, Payout: { Kind: 'FIXED', Amount: '0.10' } }] }] }),
      'a CLICK event type pays a fixed amount per click, without payout groups.',
    ],
    ['an unknown field in the terms', (f) => withTerms(f, { cookieDays: 30 }), 'cookieDays'],
  ])('refuses terms with %s with 400 and stores nothing', async (_what, build, detail) => {
    const { client } = await brandClient();
    const fixture = await programWithEventTypes(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post(`/api/v1/programs/${fixture.program.Id}/terms`, { Name: 'Bad', Terms: build(fixture) }), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses terms with an empty name with 400', async () => {
    const { client } = await brandClient();
    const { program, sale: saleType } = await programWithEventTypes(client);
    expectProblem(
      await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: '  ', Terms: simpleTermsBody(saleType.Id) }),
      400,
      'The terms name must have 1 to 200 characters.',
    );
    expect(await countRows(t.ctx.db, 'select * from template_terms')).toBe(0);
  });

  it('refuses an event type of another program of the same brand with 400', async () => {
    const { client } = await brandClient();
    const first = await programWithEventTypes(client);
    const second = await programWithEventTypes(client, { ...VALID_PROGRAM, Name: 'Second' });
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${first.program.Id}/terms`, { Name: 'Mixed', Terms: simpleTermsBody(second.lead.Id) }),
      400,
      `Payouts[0].EventTypeId: event type ${second.lead.Id} does not belong to program ${first.program.Id}.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('takes JPY amounts in whole yen only', async () => {
    const { client } = await brandClient({ currency: 'JPY', timeZone: 'Asia/Tokyo' });
    const { program, lead } = await programWithEventTypes(client, { Name: 'Tokyo', Currency: 'JPY', TimeZone: 'Asia/Tokyo' });
    const before = await dumpDb(t.ctx.db);
    for (const amount of ['200.5', '200.0', '0.5']) {
      expectProblem(
        await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'Yen', Terms: simpleTermsBody(lead.Id, amount) }),
        400,
        `Payouts[0].Payout.Amount: Amount "${amount}" has`,
      );
    }
    expectProblem(
      await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'Yen', Terms: simpleTermsBody(lead.Id, '200.5') }),
      400,
      'JPY amounts must be whole numbers.',
    );
    await expectDbUnchanged(t.ctx.db, before);
    const created = expectOk(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'Yen', Terms: simpleTermsBody(lead.Id, '200') }), 201);
    expect(created.Terms.Payouts[0].Payout).toEqual({ Kind: 'FIXED', Amount: '200' });
  });

  it('takes three-decimal amounts for KWD', async () => {
    const { client } = await brandClient({ currency: 'KWD', timeZone: 'Asia/Kuwait' });
    const { program, lead } = await programWithEventTypes(client, { Name: 'Kuwait', Currency: 'KWD', TimeZone: 'Asia/Kuwait' });
    const created = expectOk(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'K', Terms: simpleTermsBody(lead.Id, '1.5') }), 201);
    expect(created.Terms.Payouts[0].Payout.Amount).toBe('1.500');
    expectProblem(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'K', Terms: simpleTermsBody(lead.Id, '1.2345') }), 400, 'KWD allows at most 3');
  });

  it('archives terms: partners no longer see or accept them, the brand still sees them, existing contracts stay', async () => {
    const { client } = await brandClient();
    const { program, sale: saleType } = await programWithEventTypes(client);
    const old = expectOk(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'Old', Terms: simpleTermsBody(saleType.Id) }), 201);
    const current = expectOk(await client.post(`/api/v1/programs/${program.Id}/terms`, { Name: 'New', Terms: simpleTermsBody(saleType.Id, '3.00') }), 201);
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    const contract = expectOk(await partnerClient.post('/api/v1/contracts', { TemplateTermsId: old.Id }), 201);

    expect((await client.post(`/api/v1/programs/${program.Id}/terms/${old.Id}/archive`)).statusCode).toBe(204);
    expect(expectOk(await client.get(`/api/v1/programs/${program.Id}/terms`)).map((x: { Id: number; Status: string }) => [x.Id, x.Status])).toEqual([
      [old.Id, 'ARCHIVED'],
      [current.Id, 'ACTIVE'],
    ]);
    expect(expectOk(await partnerClient.get(`/api/v1/programs/${program.Id}/terms`)).map((x: { Id: number }) => x.Id)).toEqual([current.Id]);
    expect(expectOk(await partnerClient.get(`/api/v1/contracts/${contract.Id}`))).toMatchObject({ Status: 'ACTIVE', TemplateTermsId: old.Id });

    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${program.Id}/terms/${old.Id}/archive`),
      409,
      `Template terms ${old.Id} of program ${program.Id} do not exist or are already archived.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses to archive terms through another program of the same brand, changing nothing', async () => {
    const { client } = await brandClient();
    const first = await programWithEventTypes(client);
    const second = await createProgram(client, { ...VALID_PROGRAM, Name: 'Second' });
    const terms = expectOk(await client.post(`/api/v1/programs/${first.program.Id}/terms`, { Name: 'T', Terms: simpleTermsBody(first.sale.Id) }), 201);
    const before = await dumpDb(t.ctx.db);
    const response = await client.post(`/api/v1/programs/${second.Id}/terms/${terms.Id}/archive`);
    expect([404, 409]).toContain(response.statusCode);
    expectProblem(response, response.statusCode, `Template terms ${terms.Id}`);
    await expectDbUnchanged(t.ctx.db, before);
  });
});
