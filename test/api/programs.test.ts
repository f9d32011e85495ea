import { afterEach, beforeEach, expect, it } from 'vitest';
import { Client, makeAccount, startTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { countRows, dumpDb, expectDbUnchanged, expectOk, expectProblem, sessionClient, simpleTerms } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

const VALID_PROGRAM = { name: 'Spring Sale', currency: 'USD', timeZone: 'America/New_York' };

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
    const sale = await createEventType(client, program.id, { name: 'Sale', kind: 'SALE' });
    const lead = await createEventType(client, program.id, { name: 'Lead', kind: 'LEAD' });
    const click = await createEventType(client, program.id, { name: 'Click', kind: 'CLICK' });
    return { program, sale, lead, click };
  }

  // ---------------------------------------------------------------------------
  // Programs
  // ---------------------------------------------------------------------------

  it('creates a program and shows it to its brand', async () => {
    const { brand, client } = await brandClient();
    const program = await createProgram(client);
    expect(program).toEqual({
      id: expect.any(Number),
      brandAccountId: brand.id,
      brandName: expect.stringMatching(/^Brand /),
      name: 'Spring Sale',
      currency: 'USD',
      timeZone: 'America/New_York',
      status: 'ACTIVE',
      // No website given: no landing domain either, so no tracking link can be made yet.
      websiteUrl: null,
      landingDomains: [],
      createdAt: '2026-01-15T12:00:00.000Z',
    });
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}`))).toEqual(program);
    expect(expectOk(await client.get('/api/v1/programs'))).toEqual([program]);
    const { rows } = await t.ctx.db.query('select name, currency, time_zone from programs');
    expect(rows).toEqual([{ name: 'Spring Sale', currency: 'USD', time_zone: 'America/New_York' }]);
  });

  it('trims the program name', async () => {
    const { client } = await brandClient();
    expect((await createProgram(client, { ...VALID_PROGRAM, name: '  Padded  ' })).name).toBe('Padded');
  });

  it.each([
    ['a lower-case currency', { currency: 'usd' }, '"usd" is not a supported ISO 4217 currency code.'],
    ['the "no currency" code XXX', { currency: 'XXX' }, '"XXX" is not a supported ISO 4217 currency code.'],
    ['a two-letter currency', { currency: 'US' }, '"US" is not a supported ISO 4217 currency code.'],
    ['a four-letter currency', { currency: 'USDT' }, 'body.currency'],
    ['a number as currency', { currency: 840 }, 'body.currency'],
    ['an invented time zone', { timeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not a known IANA time zone'],
    ['a UTC offset as time zone', { timeZone: '+01:00' }, '"+01:00" is not a known IANA time zone'],
    ['a mis-cased time zone', { timeZone: 'america/new_york' }, '"america/new_york" is not a known IANA time zone'],
    ['an empty time zone', { timeZone: '' }, 'is not a known IANA time zone'],
    ['an empty name', { name: '' }, 'The program name must not be empty.'],
    ['a blank name', { name: '   ' }, 'The program name must not be empty.'],
    ['a too long name', { name: 'x'.repeat(201) }, 'body.name'],
    ['a number as name', { name: 42 }, 'body.name: Invalid input: expected string, received number'],
    ['no name', { name: undefined }, 'body.name'],
    ['an unknown field', { status: 'ACTIVE', budget: 100 }, 'budget'],
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
      await client.patch(`/api/v1/programs/${program.id}`, { name: 'Summer Sale', timeZone: 'Europe/Paris', status: 'INACTIVE' }),
    );
    expect(changed).toEqual({ ...program, name: 'Summer Sale', timeZone: 'Europe/Paris', status: 'INACTIVE' });
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}`))).toEqual(changed);
    // A partial change leaves the other fields alone.
    expect(expectOk(await client.patch(`/api/v1/programs/${program.id}`, { status: 'ACTIVE' }))).toEqual({ ...changed, status: 'ACTIVE' });
  });

  it('keeps the currency fixed: a PATCH naming it is a 400 naming the unknown field', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    const body = expectProblem(await client.patch(`/api/v1/programs/${program.id}`, { currency: 'EUR' }), 400);
    expect(body.detail).toContain('unknown field(s): currency');
    await expectDbUnchanged(t.ctx.db, before);
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}`)).currency).toBe('USD');
  });

  it.each([
    ['the currency together with a valid change', { name: 'New', currency: 'EUR' }, 'currency'],
    ['an invented time zone', { timeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not a known IANA time zone'],
    ['an empty name', { name: ' ' }, 'The program name must not be empty.'],
    ['an unknown status', { status: 'PAUSED' }, 'body.status'],
    ['the id', { id: 99 }, 'id'],
  ])('refuses a program change with %s with 400 and changes nothing', async (_what, payload, detail) => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.patch(`/api/v1/programs/${program.id}`, payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers an unknown program id with 404 and a malformed one with 400', async () => {
    const { client } = await brandClient();
    expectProblem(await client.get('/api/v1/programs/424242'), 404, 'Program 424242 does not exist or is not visible to this account.');
    expectProblem(await client.patch('/api/v1/programs/424242', { name: 'X' }), 404, 'Program 424242 does not exist in this account.');
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
    const inactive = await createProgram(client, { ...VALID_PROGRAM, name: 'Old' });
    const sale = await createEventType(client, inactive.id, { name: 'Sale', kind: 'SALE' });
    const terms = expectOk(await client.post(`/api/v1/programs/${inactive.id}/terms`, { name: 'T', terms: simpleTerms(sale.id) }), 201);
    expectOk(await client.patch(`/api/v1/programs/${inactive.id}`, { status: 'INACTIVE' }));
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    expect(expectOk(await partnerClient.get('/api/v1/programs')).map((p: { id: number }) => p.id)).toEqual([active.id]);
    expectOk(await partnerClient.get(`/api/v1/programs/${active.id}`));
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.id}`), 404, `Program ${inactive.id} does not exist or is not visible`);
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.id}/terms`), 404);
    expectProblem(await partnerClient.get(`/api/v1/programs/${inactive.id}/event-types`), 404);
    expectProblem(await partnerClient.post('/api/v1/contracts', { templateTermsId: terms.id }), 404);
    expect(await countRows(t.ctx.db, 'select * from contracts')).toBe(0);
  });

  // ---------------------------------------------------------------------------
  // Event types
  // ---------------------------------------------------------------------------

  it('adds event types of every kind, with API returns processing by default', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const created = [
      await createEventType(client, program.id, { name: 'Sale', kind: 'SALE' }),
      await createEventType(client, program.id, { name: 'Lead', kind: 'LEAD', returnsProcessing: 'EMAIL' }),
      await createEventType(client, program.id, { name: 'Click', kind: 'CLICK' }),
      await createEventType(client, program.id, { name: '  Signup  ', kind: 'OTHER', returnsProcessing: 'SFTP_PULL' }),
    ];
    expect(created.map((e) => [e.programId, e.name, e.kind, e.returnsProcessing])).toEqual([
      [program.id, 'Sale', 'SALE', 'API'],
      [program.id, 'Lead', 'LEAD', 'EMAIL'],
      [program.id, 'Click', 'CLICK', 'API'],
      [program.id, 'Signup', 'OTHER', 'SFTP_PULL'],
    ]);
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}/event-types`))).toEqual(created);
  });

  it('allows at most one CLICK event type per program (409), and unique names', async () => {
    const { client } = await brandClient();
    const { program } = await programWithEventTypes(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${program.id}/event-types`, { name: 'Another click', kind: 'CLICK' }),
      409,
      `Program ${program.id} already has a CLICK event type; a program has at most one.`,
    );
    expectProblem(
      await client.post(`/api/v1/programs/${program.id}/event-types`, { name: 'SALE', kind: 'OTHER' }),
      409,
      `Program ${program.id} already has an event type named "SALE".`,
    );
    await expectDbUnchanged(t.ctx.db, before);
    // Another program may have its own CLICK.
    const other = await createProgram(client, { ...VALID_PROGRAM, name: 'Other' });
    await createEventType(client, other.id, { name: 'Click', kind: 'CLICK' });
  });

  it('two CLICK event types added at once: exactly one is created', async () => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const responses = await Promise.all([
      client.post(`/api/v1/programs/${program.id}/event-types`, { name: 'Click A', kind: 'CLICK' }),
      client.post(`/api/v1/programs/${program.id}/event-types`, { name: 'Click B', kind: 'CLICK' }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expectProblem(responses.find((r) => r.statusCode === 409)!, 409);
    expect(await countRows(t.ctx.db, `select * from event_types where kind = 'CLICK'`)).toBe(1);
  });

  it.each([
    ['an unknown kind', { name: 'CPC', kind: 'CPC' }, 'body.kind'],
    ['an empty name', { name: '  ', kind: 'SALE' }, 'The event type name must have 1 to 100 characters.'],
    ['a too long name', { name: 'x'.repeat(101), kind: 'SALE' }, 'body.name'],
    ['an unknown returns processing', { name: 'Sale', kind: 'SALE', returnsProcessing: 'FTP' }, 'body.returnsProcessing'],
    ['an unknown field', { name: 'Sale', kind: 'SALE', code: 'S1' }, 'code'],
    ['no kind', { name: 'Sale' }, 'body.kind'],
  ])('refuses an event type with %s with 400 and stores nothing', async (_what, payload, detail) => {
    const { client } = await brandClient();
    const program = await createProgram(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post(`/api/v1/programs/${program.id}/event-types`, payload), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  // ---------------------------------------------------------------------------
  // Template terms
  // ---------------------------------------------------------------------------

  it('publishes terms with percent and fixed payouts, payout groups, DAYS locking and a payment schedule', async () => {
    const { client } = await brandClient();
    const { program, sale, lead, click } = await programWithEventTypes(client);
    const terms = {
      payouts: [
        {
          eventTypeId: sale.id,
          payout: { kind: 'PERCENT', percent: '7.5' },
          groups: [
            { name: 'Tents', match: { categories: ['Tents', 'Camping'] }, payout: { kind: 'PERCENT', percent: '12' } },
            { name: 'Gift card', match: { skus: ['GIFT-50'] }, payout: { kind: 'FIXED', amount: '1.5' } },
          ],
        },
        { eventTypeId: lead.id, payout: { kind: 'FIXED', amount: '2' } },
        { eventTypeId: click.id, payout: { kind: 'FIXED', amount: '0.05' } },
      ],
      locking: { form: 'DAYS', days: 27 },
      payment: { months: 0, days: 19 },
    };
    const created = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, { name: '  Standard  ', terms }), 201);
    expect(created).toEqual({
      id: expect.any(Number),
      programId: program.id,
      name: 'Standard',
      status: 'ACTIVE',
      createdAt: '2026-01-15T12:00:00.000Z',
      terms: {
        payouts: [
          {
            eventTypeId: sale.id,
            payout: { kind: 'PERCENT', percent: '7.5' },
            groups: [
              { name: 'Tents', match: { categories: ['Tents', 'Camping'] }, payout: { kind: 'PERCENT', percent: '12' } },
              { name: 'Gift card', match: { skus: ['GIFT-50'] }, payout: { kind: 'FIXED', amount: '1.50' } },
            ],
          },
          { eventTypeId: lead.id, payout: { kind: 'FIXED', amount: '2.00' }, groups: [] },
          { eventTypeId: click.id, payout: { kind: 'FIXED', amount: '0.05' }, groups: [] },
        ],
        locking: { form: 'DAYS', days: 27 },
        payment: { months: 0, days: 19 },
      },
    });
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}/terms`))).toEqual([created]);
    // Amounts are stored in minor units, never as floats.
    const { rows } = await t.ctx.db.query<{ terms: { payouts: Array<{ payout: unknown }> } }>('select terms from template_terms');
    expect(rows[0]!.terms.payouts[1]!.payout).toEqual({ kind: 'FIXED', amountMinor: '200' });
  });

  it('publishes terms with the MONTHS locking form and the limits of each field', async () => {
    const { client } = await brandClient();
    const { program, sale } = await programWithEventTypes(client);
    const cases = [
      { locking: { form: 'MONTHS', months: 1, days: 0 }, payment: { months: 0, days: 19 } },
      { locking: { form: 'MONTHS', months: 12, days: 30 }, payment: { months: 12, days: 30 } },
      { locking: { form: 'DAYS', days: 0 }, payment: { months: 0, days: 0 } },
    ];
    for (const [i, { locking, payment }] of cases.entries()) {
      const created = expectOk(
        await client.post(`/api/v1/programs/${program.id}/terms`, {
          name: `Terms ${i}`,
          terms: { payouts: [{ eventTypeId: sale.id, payout: { kind: 'PERCENT', percent: '100' } }], locking, payment },
        }),
        201,
      );
      expect(created.terms.locking).toEqual(locking);
      expect(created.terms.payment).toEqual(payment);
    }
    expect(await countRows(t.ctx.db, 'select * from template_terms')).toBe(3);
  });

  type TermsFixture = Awaited<ReturnType<typeof programWithEventTypes>>;
  const sale = (f: TermsFixture, payout: object, extra: object = {}) => ({ eventTypeId: f.sale.id, payout, ...extra });
  const withTerms = (f: TermsFixture, change: object) => ({
    payouts: [sale(f, { kind: 'PERCENT', percent: '10' })],
    locking: { form: 'DAYS', days: 14 },
    payment: { months: 0, days: 19 },
    ...change,
  });

  it.each<[string, (f: TermsFixture) => object, string]>([
    ['28 locking days', (f) => withTerms(f, { locking: { form: 'DAYS', days: 28 } }), 'body.terms.locking.days: Locking days must be at most 27.'],
    ['negative locking days', (f) => withTerms(f, { locking: { form: 'DAYS', days: -1 } }), 'Locking days must be 0 or more.'],
    ['fractional locking days', (f) => withTerms(f, { locking: { form: 'DAYS', days: 1.5 } }), 'Locking days must be a whole number'],
    ['13 locking months', (f) => withTerms(f, { locking: { form: 'MONTHS', months: 13, days: 0 } }), 'Locking months must be at most 12.'],
    ['31 days in the month form', (f) => withTerms(f, { locking: { form: 'MONTHS', months: 1, days: 31 } }), 'Locking days must be at most 30.'],
    ['an unknown locking form', (f) => withTerms(f, { locking: { form: 'WEEKS', days: 2 } }), 'Locking form must be "DAYS" or "MONTHS".'],
    ['the days form with months', (f) => withTerms(f, { locking: { form: 'DAYS', days: 2, months: 1 } }), 'months'],
    ['31 payment days', (f) => withTerms(f, { payment: { months: 0, days: 31 } }), 'body.terms.payment.days: Payment days must be at most 30.'],
    ['13 payment months', (f) => withTerms(f, { payment: { months: 13, days: 0 } }), 'Payment months must be at most 12.'],
    ['no payment schedule', (f) => withTerms(f, { payment: undefined }), 'body.terms.payment'],
    ['too many decimals', (f) => withTerms(f, { payouts: [sale(f, { kind: 'FIXED', amount: '5.001' })] }), 'payouts[0].payout.amount: Amount "5.001" has 3 decimal places; USD allows at most 2.'],
    [
      'too many decimals in a group',
      (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '5' }, { groups: [{ name: 'G', match: { skus: ['A'] }, payout: { kind: 'FIXED', amount: '0.999' } }] })] }),
      'payouts[0].groups[0].payout.amount: Amount "0.999" has 3 decimal places',
    ],
    ['a negative amount', (f) => withTerms(f, { payouts: [sale(f, { kind: 'FIXED', amount: '-1.00' })] }), 'payouts[0].payout.amount: Amount "-1.00" is negative'],
    ['an amount that is not a number', (f) => withTerms(f, { payouts: [sale(f, { kind: 'FIXED', amount: 'five' })] }), 'payouts[0].payout.amount'],
    ['an amount as a JSON number', (f) => withTerms(f, { payouts: [sale(f, { kind: 'FIXED', amount: 5 })] }), 'Amount must be a decimal string in the program currency'],
    ['a percent over 100', (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '100.5' })] }), 'payouts[0].payout.percent'],
    ['a negative percent', (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '-5' })] }), 'payouts[0].payout.percent'],
    ['an unknown payout kind', (f) => withTerms(f, { payouts: [sale(f, { kind: 'TIERED', amount: '1.00' })] }), 'Payout kind must be "PERCENT" or "FIXED".'],
    ['a group without a match', (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '5' }, { groups: [{ name: 'G', match: {}, payout: { kind: 'PERCENT', percent: '6' } }] })] }), 'A group must match at least one category or SKU.'],
    ['a group with an empty name', (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '5' }, { groups: [{ name: ' ', match: { skus: ['A'] }, payout: { kind: 'PERCENT', percent: '6' } }] })] }), 'Group name must not be empty.'],
    ['no payouts', (f) => withTerms(f, { payouts: [] }), 'Terms must pay for at least one event type.'],
    ['one event type twice', (f) => withTerms(f, { payouts: [sale(f, { kind: 'PERCENT', percent: '5' }), sale(f, { kind: 'PERCENT', percent: '6' })] }), `appears more than once`],
    ['an event type of no program', (f) => withTerms(f, { payouts: [{ eventTypeId: 987654, payout: { kind: 'PERCENT', percent: '5' } }] }), 'payouts[0].eventTypeId: event type 987654 does not belong to program'],
    ['a CLICK paid by percent', (f) => withTerms(f, { payouts: [{ eventTypeId: f.click.id, payout: { kind: 'PERCENT', percent: '5' } }] }), 'payouts[0]: a CLICK event type pays a fixed amount per click, without payout groups.'],
    [
      'a CLICK with payout groups',
      (f) => withTerms(f, { payouts: [{ eventTypeId: f.click.id, payout: { kind: 'FIXED', amount: '0.05' }, groups: [{ name: 'G', match: { skus: ['A'] }, payout: { kind: 'FIXED', amount: '0.10' } }] }] }),
      'a CLICK event type pays a fixed amount per click, without payout groups.',
    ],
    ['an unknown field in the terms', (f) => withTerms(f, { cookieDays: 30 }), 'cookieDays'],
  ])('refuses terms with %s with 400 and stores nothing', async (_what, build, detail) => {
    const { client } = await brandClient();
    const fixture = await programWithEventTypes(client);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await client.post(`/api/v1/programs/${fixture.program.id}/terms`, { name: 'Bad', terms: build(fixture) }), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses terms with an empty name with 400', async () => {
    const { client } = await brandClient();
    const { program, sale: saleType } = await programWithEventTypes(client);
    expectProblem(
      await client.post(`/api/v1/programs/${program.id}/terms`, { name: '  ', terms: simpleTerms(saleType.id) }),
      400,
      'The terms name must have 1 to 200 characters.',
    );
    expect(await countRows(t.ctx.db, 'select * from template_terms')).toBe(0);
  });

  it('refuses an event type of another program of the same brand with 400', async () => {
    const { client } = await brandClient();
    const first = await programWithEventTypes(client);
    const second = await programWithEventTypes(client, { ...VALID_PROGRAM, name: 'Second' });
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${first.program.id}/terms`, { name: 'Mixed', terms: simpleTerms(second.lead.id) }),
      400,
      `payouts[0].eventTypeId: event type ${second.lead.id} does not belong to program ${first.program.id}.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('takes JPY amounts in whole yen only', async () => {
    const { client } = await brandClient({ currency: 'JPY', timeZone: 'Asia/Tokyo' });
    const { program, lead } = await programWithEventTypes(client, { name: 'Tokyo', currency: 'JPY', timeZone: 'Asia/Tokyo' });
    const before = await dumpDb(t.ctx.db);
    for (const amount of ['200.5', '200.0', '0.5']) {
      expectProblem(
        await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'Yen', terms: simpleTerms(lead.id, amount) }),
        400,
        `payouts[0].payout.amount: Amount "${amount}" has`,
      );
    }
    expectProblem(
      await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'Yen', terms: simpleTerms(lead.id, '200.5') }),
      400,
      'JPY amounts must be whole numbers.',
    );
    await expectDbUnchanged(t.ctx.db, before);
    const created = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'Yen', terms: simpleTerms(lead.id, '200') }), 201);
    expect(created.terms.payouts[0].payout).toEqual({ kind: 'FIXED', amount: '200' });
  });

  it('takes three-decimal amounts for KWD', async () => {
    const { client } = await brandClient({ currency: 'KWD', timeZone: 'Asia/Kuwait' });
    const { program, lead } = await programWithEventTypes(client, { name: 'Kuwait', currency: 'KWD', timeZone: 'Asia/Kuwait' });
    const created = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'K', terms: simpleTerms(lead.id, '1.5') }), 201);
    expect(created.terms.payouts[0].payout.amount).toBe('1.500');
    expectProblem(await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'K', terms: simpleTerms(lead.id, '1.2345') }), 400, 'KWD allows at most 3');
  });

  it('archives terms: partners no longer see or accept them, the brand still sees them, existing contracts stay', async () => {
    const { client } = await brandClient();
    const { program, sale: saleType } = await programWithEventTypes(client);
    const old = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'Old', terms: simpleTerms(saleType.id) }), 201);
    const current = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, { name: 'New', terms: simpleTerms(saleType.id, '3.00') }), 201);
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    const contract = expectOk(await partnerClient.post('/api/v1/contracts', { templateTermsId: old.id }), 201);

    expect((await client.post(`/api/v1/programs/${program.id}/terms/${old.id}/archive`)).statusCode).toBe(204);
    expect(expectOk(await client.get(`/api/v1/programs/${program.id}/terms`)).map((x: { id: number; status: string }) => [x.id, x.status])).toEqual([
      [old.id, 'ARCHIVED'],
      [current.id, 'ACTIVE'],
    ]);
    expect(expectOk(await partnerClient.get(`/api/v1/programs/${program.id}/terms`)).map((x: { id: number }) => x.id)).toEqual([current.id]);
    expect(expectOk(await partnerClient.get(`/api/v1/contracts/${contract.id}`))).toMatchObject({ status: 'ACTIVE', templateTermsId: old.id });

    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await client.post(`/api/v1/programs/${program.id}/terms/${old.id}/archive`),
      409,
      `Template terms ${old.id} of program ${program.id} do not exist or are already archived.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses to archive terms through another program of the same brand, changing nothing', async () => {
    const { client } = await brandClient();
    const first = await programWithEventTypes(client);
    const second = await createProgram(client, { ...VALID_PROGRAM, name: 'Second' });
    const terms = expectOk(await client.post(`/api/v1/programs/${first.program.id}/terms`, { name: 'T', terms: simpleTerms(first.sale.id) }), 201);
    const before = await dumpDb(t.ctx.db);
    const response = await client.post(`/api/v1/programs/${second.id}/terms/${terms.id}/archive`);
    expect([404, 409]).toContain(response.statusCode);
    expectProblem(response, response.statusCode, `Template terms ${terms.id}`);
    await expectDbUnchanged(t.ctx.db, before);
  });
});
