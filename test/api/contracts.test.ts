import { afterEach, beforeEach, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { type Client, makeAccount, makeOperator, startTestApp, TEST_PASSWORD, type TestAccount, type TestApp } from '../support/app.js';
import { countRows, dumpDb, expectDbUnchanged, expectOk, expectProblem, sessionClient, simpleTermsBody } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { expectEvents, outboxCursor } from '../support/outbox.js';

const HOUR_MS = 3_600_000;

describeDb('api contracts', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  interface Party {
    account: TestAccount;
    client: Client;
  }

  async function party(kind: 'BRAND' | 'PARTNER', options: { name?: string; timeZone?: string } = {}): Promise<Party> {
    const account = await makeAccount(t.ctx, kind, options);
    return { account, client: await sessionClient(t, account.adminUserId) };
  }

  /** A program of the brand with a SALE event type and the named template terms, all through the API. */
  async function program(brand: Party, name: string, termNames: string[] = ['Standard']) {
    const created = expectOk(await brand.client.post('/api/v1/programs', { Name: name, Currency: 'USD', TimeZone: 'America/New_York' }), 201);
    const sale = expectOk(await brand.client.post(`/api/v1/programs/${created.Id}/event-types`, { Name: 'Sale', Kind: 'SALE' }), 201);
    const terms: number[] = [];
    for (const [i, termsName] of termNames.entries()) {
      const body = { Name: termsName, Terms: simpleTermsBody(sale.Id, `${i + 1}.00`) };
      terms.push(expectOk(await brand.client.post(`/api/v1/programs/${created.Id}/terms`, body), 201).Id);
    }
    return { id: created.Id as number, name, terms };
  }

  /** Fresh sessions after the clock jumped past the session lifetime. */
  async function relogIn(...parties: Party[]): Promise<void> {
    for (const p of parties) p.client = await sessionClient(t, p.account.adminUserId);
  }

  // Accepting and expiring are checked for the outbox events they wrote: the contract as
  // the API returns it, after the change (and the contract a new one replaced); none when refused.
  const acceptTerms = async (partner: Party, templateTermsId: number) => {
    const open = (await t.ctx.db.query<{ id: number }>(
      `select id from contracts where partner_account_id = $1 and program_id = (select program_id from template_terms where id = $2)
          and (end_at is null or end_at > $3) order by id`,
      [partner.account.id, templateTermsId, t.ctx.clock.now()],
    )).rows;
    const cursor = await outboxCursor(t.ctx.db);
    const contract = expectOk(await partner.client.post('/api/v1/contracts', { TemplateTermsId: templateTermsId }), 201);
    await expectEvents(t.ctx.db, cursor, {
      types: [...open.map(() => 'contract.expired'), 'contract.accepted'],
      subject: `contract:${contract.Id}`,
      payload: contract,
    });
    return contract;
  };
  const expire = async (client: Client, id: number | string, body?: unknown): Promise<LightMyRequestResponse> => {
    const cursor = await outboxCursor(t.ctx.db);
    const response = await client.post(`/api/v1/contracts/${id}/expire`, body);
    if (response.statusCode >= 400) {
      await expectEvents(t.ctx.db, cursor, { types: [] });
    } else {
      const { ReversedActions, UnreversedActions: _u, ReversalState: _s, ReversalWorkItemId: _w, ...contract } = response.json();
      await expectEvents(t.ctx.db, cursor, {
        types: ['contract.expired', ...Array.from({ length: ReversedActions as number }, () => 'action.reversed')],
        subject: `contract:${id}`,
        payload: contract,
      });
    }
    return response;
  };

  const contractOf = async (client: Client, id: number) => expectOk(await client.get(`/api/v1/contracts/${id}`));

  // ---------------------------------------------------------------------------
  // Accepting terms
  // ---------------------------------------------------------------------------

  it('a partner accepts terms: an ACTIVE contract with a copy of the terms, seen by partner and brand', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    expect(contract).toEqual({
      Id: expect.any(Number),
      CampaignId: p.id,
      CampaignName: 'Outdoor',
      ProgramTimeZone: 'America/New_York',
      Currency: 'USD',
      BrandAccountId: brand.account.id,
      BrandName: expect.any(String),
      MediaPartnerId: partner.account.id,
      MediaPartnerName: expect.any(String),
      TemplateTermsId: p.terms[0],
      TemplateTermsName: 'Standard',
      Status: 'ACTIVE',
      StartDate: '2026-01-15T12:00:00.000Z',
      EndDate: null,
      TerminationReason: 'STILL_ACTIVE',
      Terms: {
        Payouts: [{ EventTypeId: expect.any(Number), Payout: { Kind: 'FIXED', Amount: '1.00' }, Groups: [], OpenEndedLocking: false }],
        Locking: { Form: 'DAYS', Days: 14 },
        Payment: { Months: 0, Days: 19 },
      },
      CreatedDate: '2026-01-15T12:00:00.000Z',
    });
    expect(await contractOf(partner.client, contract.Id)).toEqual(contract);
    expect(await contractOf(brand.client, contract.Id)).toEqual(contract);
    const history = expectOk(await brand.client.get('/api/v1/contracts'));
    expect(history).toEqual({ Items: [contract], Page: 1, PageSize: 50, Total: 1 });
  });

  it('accepting other terms of the same program replaces the first contract (REPLACED)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor', ['Standard', 'Premium']);
    const first = await acceptTerms(partner, p.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const second = await acceptTerms(partner, p.terms[1]!);
    expect(second).toMatchObject({ Status: 'ACTIVE', TemplateTermsName: 'Premium', StartDate: '2026-01-15T13:00:00.000Z' });
    expect(await contractOf(partner.client, first.Id)).toMatchObject({
      Status: 'EXPIRED',
      TerminationReason: 'REPLACED',
      EndDate: '2026-01-15T13:00:00.000Z',
    });
    const active = expectOk(await partner.client.get('/api/v1/contracts?status=ACTIVE'));
    expect(active.Items.map((c: { Id: number }) => c.Id)).toEqual([second.Id]);
  });

  it('refuses to accept the same terms twice while the contract runs (409)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await partner.client.post('/api/v1/contracts', { TemplateTermsId: p.terms[0] }),
      409,
      `You already have an active contract on template terms ${p.terms[0]}.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses to accept archived terms (409) and stores nothing', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor', ['Old', 'Current']);
    expect((await brand.client.post(`/api/v1/programs/${p.id}/terms/${p.terms[0]}/archive`)).statusCode).toBe(204);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await partner.client.post('/api/v1/contracts', { TemplateTermsId: p.terms[0] }),
      409,
      `Template terms ${p.terms[0]} are archived; accept the program's current terms instead.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
    await acceptTerms(partner, p.terms[1]!);
  });

  it.each([
    ['unknown terms', { TemplateTermsId: 777777 }, 404, 'Template terms 777777 do not exist.'],
    ['a string id', { TemplateTermsId: '1' }, 400, 'body.TemplateTermsId'],
    ['no id', {}, 400, 'body.TemplateTermsId'],
    ['an unknown field', { TemplateTermsId: 1, StartDate: '2026-01-01' }, 400, 'StartDate'],
  ])('refuses an acceptance of %s', async (_what, payload, status, detail) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    await program(brand, 'Outdoor');
    const before = await dumpDb(t.ctx.db);
    expectProblem(await partner.client.post('/api/v1/contracts', payload), status, detail);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses an acceptance by a brand (403)', async () => {
    const brand = await party('BRAND');
    const p = await program(brand, 'Outdoor');
    expectProblem(
      await brand.client.post('/api/v1/contracts', { TemplateTermsId: p.terms[0] }),
      403,
      'Only a partner account can do this; the current account is a brand.',
    );
    expect(await countRows(t.ctx.db, 'select * from contracts')).toBe(0);
  });

  // ---------------------------------------------------------------------------
  // Expiring now
  // ---------------------------------------------------------------------------

  it.each([
    ['partner', 'EXPIRED_BY_PARTNER'],
    ['brand', 'EXPIRED_BY_BRAND'],
  ] as const)('expires a contract now as the %s (%s)', async (who, reason) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const actor = who === 'partner' ? partner : brand;
    const expired = expectOk(await expire(actor.client, contract.Id, {}));
    expect(expired).toEqual({
      ...contract,
      Status: 'EXPIRED',
      TerminationReason: reason,
      EndDate: '2026-01-15T13:00:00.000Z',
      ReversedActions: 0,
      UnreversedActions: 0,
    });
    const { rows } = await t.ctx.db.query('select ended_by_user_id from contracts where id = $1', [contract.Id]);
    expect(rows).toEqual([{ ended_by_user_id: actor.account.adminUserId }]);
    expect(await countRows(t.ctx.db, `select * from audit_events where action = 'contract.expired'`)).toBe(1);
  });

  it('expires now when the request has no body at all', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const expired = expectOk(await partner.client.request({ method: 'POST', url: `/api/v1/contracts/${contract.Id}/expire` }));
    expect(expired).toMatchObject({ Status: 'EXPIRED', TerminationReason: 'EXPIRED_BY_PARTNER' });
  });

  it('refuses to expire an expired or replaced contract again (409) and changes nothing', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor', ['A', 'B']);
    const replaced = await acceptTerms(partner, p.terms[0]!);
    const current = await acceptTerms(partner, p.terms[1]!);
    expectOk(await expire(partner.client, current.Id, {}));
    db().clock.advanceMs(HOUR_MS);
    const before = await dumpDb(t.ctx.db);
    for (const [client, id, reason] of [
      [partner.client, current.Id, 'EXPIRED_BY_PARTNER'],
      [brand.client, current.Id, 'EXPIRED_BY_PARTNER'],
      [partner.client, replaced.Id, 'REPLACED'],
      [brand.client, replaced.Id, 'REPLACED'],
    ] as const) {
      expectProblem(await expire(client, id, {}), 409, `(${reason}); it cannot be expired again.`);
      expectProblem(await expire(client, id, { On: '2026-03-01' }), 409, 'it cannot be expired again.');
    }
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers an unknown contract with 404 and a malformed id with 400', async () => {
    const partner = await party('PARTNER');
    expectProblem(await partner.client.get('/api/v1/contracts/987654'), 404, 'Contract 987654 does not exist or is not visible to this account.');
    expectProblem(await expire(partner.client, 987654, {}), 404, 'Contract 987654 does not exist');
    expectProblem(await partner.client.get('/api/v1/contracts/-1'), 400, 'params.id');
  });

  it('two expiries of one contract at once: exactly one 200 and one 409', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const others = await Promise.all([party('PARTNER'), party('PARTNER'), party('PARTNER'), party('PARTNER')]);
    const contracts = [await acceptTerms(partner, p.terms[0]!)];
    for (const other of others) contracts.push(await acceptTerms(other, p.terms[0]!));
    const partnerOf = [partner, ...others];
    db().clock.advanceMs(HOUR_MS);
    const results = await Promise.all(
      contracts.map(async (contract, i) => {
        const responses = await Promise.all([
          partnerOf[i]!.client.post(`/api/v1/contracts/${contract.Id}/expire`, {}),
          brand.client.post(`/api/v1/contracts/${contract.Id}/expire`, {}),
        ]);
        return { contract, responses };
      }),
    );
    for (const { contract, responses } of results) {
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const { ReversedActions: reversedActions, UnreversedActions: unreversedActions, ...winner } = responses.find((r) => r.statusCode === 200)!.json();
      expect([reversedActions, unreversedActions]).toEqual([0, 0]);
      expectProblem(responses.find((r) => r.statusCode === 409)!, 409, `Contract ${contract.Id}`);
      const stored = await contractOf(brand.client, contract.Id);
      expect(stored).toEqual(winner);
      expect(stored.EndDate).toBe('2026-01-15T13:00:00.000Z');
    }
    expect(await countRows(t.ctx.db, `select * from audit_events where action = 'contract.expired'`)).toBe(contracts.length);
  });

  // ---------------------------------------------------------------------------
  // Expiring on a date
  // ---------------------------------------------------------------------------

  it('expiring on a date keeps the contract ACTIVE until 23:59:59 that day in the partner\'s time zone (America/Denver)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER', { timeZone: 'America/Denver' });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const scheduled = expectOk(await expire(partner.client, contract.Id, { On: '2026-01-20' }));
    // 23:59:59 MST (UTC-7) on 20 January is 06:59:59Z on the 21st.
    expect(scheduled).toMatchObject({ Status: 'ACTIVE', EndDate: '2026-01-21T06:59:59.000Z', TerminationReason: 'EXPIRED_BY_PARTNER' });

    db().clock.set('2026-01-21T06:59:58.000Z');
    await relogIn(brand, partner);
    expect(await contractOf(partner.client, contract.Id)).toMatchObject({ Status: 'ACTIVE' });
    const activeList = expectOk(await brand.client.get('/api/v1/contracts?status=ACTIVE'));
    expect(activeList.Items.map((c: { Id: number }) => c.Id)).toEqual([contract.Id]);
    expect(expectOk(await brand.client.get('/api/v1/contracts?status=EXPIRED')).Total).toBe(0);

    db().clock.set('2026-01-21T07:00:00.000Z');
    await relogIn(brand, partner);
    expect(await contractOf(partner.client, contract.Id)).toMatchObject({ Status: 'EXPIRED', EndDate: '2026-01-21T06:59:59.000Z' });
    expect(expectOk(await brand.client.get('/api/v1/contracts?status=ACTIVE')).Total).toBe(0);
    const expiredList = expectOk(await brand.client.get('/api/v1/contracts?status=EXPIRED'));
    expect(expiredList.Items.map((c: { Id: number }) => c.Id)).toEqual([contract.Id]);
    expectProblem(await expire(partner.client, contract.Id, {}), 409, 'cannot be expired again');
  });

  it.each([
    ['America/Denver in summer (MDT)', 'America/Denver', '2026-07-04', '2026-07-05T05:59:59.000Z'],
    ['Asia/Tokyo', 'Asia/Tokyo', '2026-01-20', '2026-01-20T14:59:59.000Z'],
    ['Europe/London', 'Europe/London', '2026-01-20', '2026-01-20T23:59:59.000Z'],
    ['the day daylight saving starts in New York', 'America/New_York', '2026-03-08', '2026-03-09T03:59:59.000Z'],
  ])('computes the end instant of a date in %s', async (_what, timeZone, on, endAt) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER', { timeZone: timeZone });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    expect(expectOk(await expire(partner.client, contract.Id, { On: on })).EndDate).toBe(endAt);
  });

  it('uses the brand\'s own time zone when the brand expires on a date', async () => {
    const brand = await party('BRAND', { timeZone: 'Asia/Tokyo' });
    const partner = await party('PARTNER', { timeZone: 'America/Denver' });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const expired = expectOk(await expire(brand.client, contract.Id, { On: '2026-01-20' }));
    expect(expired).toMatchObject({ Status: 'ACTIVE', EndDate: '2026-01-20T14:59:59.000Z', TerminationReason: 'EXPIRED_BY_BRAND' });
  });

  it('"today" is the local date: late evening in Denver is still the previous UTC day', async () => {
    db().clock.set('2026-01-15T03:00:00.000Z'); // 20:00 on 14 January in Denver
    const brand = await party('BRAND', { timeZone: 'UTC' });
    const denver = await party('PARTNER', { timeZone: 'America/Denver' });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(denver, p.terms[0]!);
    const other = await acceptTerms(await party('PARTNER', { timeZone: 'UTC' }), p.terms[0]!);
    // For the UTC brand, 14 January is already past.
    expectProblem(
      await expire(brand.client, other.Id, { On: '2026-01-14' }),
      400,
      'The expiry date 2026-01-14 is in the past; choose today (2026-01-15) or a later date.',
    );
    // For the Denver partner it is today: the contract ends in four hours.
    const expired = expectOk(await expire(denver.client, contract.Id, { On: '2026-01-14' }));
    expect(expired).toMatchObject({ Status: 'ACTIVE', EndDate: '2026-01-15T06:59:59.000Z' });
    db().clock.set('2026-01-15T07:00:00.000Z');
    expect((await contractOf(denver.client, contract.Id)).Status).toBe('EXPIRED');
  });

  it.each([
    ['a date in the past', '2026-01-14', 'The expiry date 2026-01-14 is in the past; choose today (2026-01-15) or a later date.'],
    ['a date long past', '1999-12-31', 'is in the past'],
    ['a date without zero padding', '2026-2-1', '"2026-2-1" is not a date in the form YYYY-MM-DD.'],
    ['a European date', '01/02/2026', 'is not a date in the form YYYY-MM-DD.'],
    ['a date and time', '2026-02-01T00:00', 'body.On'],
    ['an empty date', '', '"" is not a date in the form YYYY-MM-DD.'],
    ['30 February', '2026-02-30', '"2026-02-30" is not a valid calendar date.'],
    ['month 13', '2026-13-01', '"2026-13-01" is not a valid calendar date.'],
    ['a number', 20260201, 'body.On'],
  ])('refuses an expiry on %s with 400 and changes nothing', async (_what, on, detail) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await expire(partner.client, contract.Id, { On: on }), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
    expect(await contractOf(partner.client, contract.Id)).toEqual(contract);
  });

  it('refuses an expiry body with an unknown field (400)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await expire(brand.client, contract.Id, { reverseAll: true }), 400, 'reverseAll');
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses to open an account with a mis-cased time zone, which the date functions reject later', async () => {
    const operator = await makeOperator(t.ctx);
    const op = await sessionClient(t, operator.userId);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await op.post('/api/v1/operator/accounts', {
        Kind: 'PARTNER',
        Name: 'Lower-case zone',
        TimeZone: 'america/denver',
        Currency: 'USD',
        Admin: { Email: 'lower@example.test', Name: 'Lower', Password: TEST_PASSWORD },
      }),
      400,
      '"america/denver" is not a known IANA time zone',
    );
    await expectDbUnchanged(t.ctx.db, before);
  });

  // ---------------------------------------------------------------------------
  // Contract History
  // ---------------------------------------------------------------------------

  async function history() {
    const brand = await party('BRAND');
    const x = await party('PARTNER', { name: 'Alpha Media' });
    const y = await party('PARTNER', { name: 'Bravo Blog' });
    const z = await party('PARTNER', { name: 'Charlie Coupons' });
    const p1 = await program(brand, 'Camping', ['Standard']);
    const p2 = await program(brand, 'Biking', ['Basic', 'Plus']);
    const c1 = await acceptTerms(x, p1.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const c2 = await acceptTerms(y, p1.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const c3 = await acceptTerms(z, p2.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const c4 = await acceptTerms(x, p2.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    expectOk(await expire(y.client, c2.Id, {}));
    expectOk(await expire(brand.client, c3.Id, {}));
    db().clock.advanceMs(HOUR_MS);
    const c5 = await acceptTerms(x, p2.terms[1]!);
    db().clock.advanceMs(HOUR_MS);
    const ids = [c1.Id, c2.Id, c3.Id, c4.Id, c5.Id] as const;
    return { brand, x, y, z, p1, p2, ids };
  }

  const idsOf = (page: { Items: Array<{ Id: number }> }) => page.Items.map((c) => c.Id);

  it('filters Contract History by program, status and termination reason', async () => {
    const { brand, x, y, p1, p2, ids } = await history();
    const [c1, c2, c3, c4, c5] = ids;
    const list = async (client: Client, query: string) => expectOk(await client.get(`/api/v1/contracts${query}`));
    const cases: Array<[string, number[]]> = [
      ['', [c5, c4, c3, c2, c1]],
      ['?status=ALL', [c5, c4, c3, c2, c1]],
      ['?status=ACTIVE', [c5, c1]],
      ['?status=EXPIRED', [c4, c3, c2]],
      [`?programId=${p1.id}`, [c2, c1]],
      [`?programId=${p2.id}&status=EXPIRED`, [c4, c3]],
      [`?programId=${p2.id}&status=ACTIVE`, [c5]],
      ['?terminationReason=REPLACED', [c4]],
      ['?terminationReason=EXPIRED_BY_PARTNER', [c2]],
      ['?terminationReason=EXPIRED_BY_BRAND', [c3]],
      ['?terminationReason=STILL_ACTIVE', [c5, c1]],
      ['?terminationReason=ACCOUNT_CLOSED', []],
      [`?partnerAccountId=${x.account.id}`, [c5, c4, c1]],
      [`?partnerAccountId=${x.account.id}&programId=${p1.id}`, [c1]],
    ];
    for (const [query, expected] of cases) {
      const page = await list(brand.client, query);
      expect({ query, ids: idsOf(page), total: page.Total }).toEqual({ query, ids: expected, total: expected.length });
    }
    // A partner sees only its own contracts, whatever it filters on.
    expect(idsOf(await list(x.client, ''))).toEqual([c5, c4, c1]);
    expect(idsOf(await list(x.client, `?programId=${p1.id}`))).toEqual([c1]);
    expect(idsOf(await list(y.client, ''))).toEqual([c2]);
    expect((await list(x.client, `?partnerAccountId=${y.account.id}`)).Total).toBe(0);
  });

  it('pages and sorts Contract History', async () => {
    const { brand, ids } = await history();
    const [c1, c2, c3, c4, c5] = ids;
    const page = async (query: string) => expectOk(await brand.client.get(`/api/v1/contracts${query}`));
    for (const [n, expected] of [
      [1, [c5, c4]],
      [2, [c3, c2]],
      [3, [c1]],
      [4, []],
    ] as const) {
      const body = await page(`?pageSize=2&page=${n}`);
      expect({ ids: idsOf(body), page: body.Page, pageSize: body.PageSize, total: body.Total }).toEqual({
        ids: expected,
        page: n,
        pageSize: 2,
        total: 5,
      });
    }
    expect(idsOf(await page('?sort=Id&order=asc'))).toEqual([c1, c2, c3, c4, c5]);
    expect(idsOf(await page('?sort=Id&order=desc'))).toEqual([c5, c4, c3, c2, c1]);
    expect(idsOf(await page('?sort=StartDate&order=asc'))).toEqual([c1, c2, c3, c4, c5]);
    // Ties are broken by the newest id; contracts without an end come last.
    expect(idsOf(await page('?sort=MediaPartnerName&order=asc'))).toEqual([c5, c4, c1, c2, c3]);
    expect(idsOf(await page('?sort=EndDate&order=asc'))).toEqual([c3, c2, c4, c5, c1]);
    expect(idsOf(await page('?sort=CampaignName&order=asc&pageSize=3'))).toEqual([c5, c4, c3]);
  });

  it.each([
    ['an unknown sort key', '?sort=bogus', 'querystring.sort'],
    ['a sort key of the service, not the API', '?sort=startAt', 'querystring.sort'],
    ['SQL as sort key', '?sort=Id%3B%20drop%20table%20contracts', 'querystring.sort'],
    ['an unknown order', '?order=sideways', 'querystring.order'],
    ['page size 0', '?pageSize=0', 'querystring.pageSize'],
    ['page size 501', '?pageSize=501', 'querystring.pageSize'],
    ['page 0', '?page=0', 'querystring.page'],
    ['a non-numeric page', '?page=two', 'querystring.page'],
    ['an unknown status', '?status=OPEN', 'querystring.status'],
    ['an unknown termination reason', '?terminationReason=CANCELLED', 'querystring.terminationReason'],
    ['a non-numeric program', '?programId=abc', 'querystring.programId'],
    ['an unknown parameter', '?color=red', 'color'],
  ])('refuses Contract History with %s (400)', async (_what, query, detail) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    await acceptTerms(partner, p.terms[0]!);
    expectProblem(await brand.client.get(`/api/v1/contracts${query}`), 400, detail);
    expect(await countRows(t.ctx.db, 'select * from contracts')).toBe(1);
  });
});
