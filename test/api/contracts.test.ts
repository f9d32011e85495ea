import { afterEach, beforeEach, expect, it } from 'vitest';
import { Client, makeAccount, makeOperator, startTestApp, TEST_PASSWORD, type TestAccount, type TestApp } from '../support/app.js';
import { countRows, dumpDb, expectDbUnchanged, expectOk, expectProblem, sessionClient, simpleTerms } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

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
    const created = expectOk(await brand.client.post('/api/v1/programs', { name, currency: 'USD', timeZone: 'America/New_York' }), 201);
    const sale = expectOk(await brand.client.post(`/api/v1/programs/${created.id}/event-types`, { name: 'Sale', kind: 'SALE' }), 201);
    const terms: number[] = [];
    for (const [i, termsName] of termNames.entries()) {
      const body = { name: termsName, terms: simpleTerms(sale.id, `${i + 1}.00`) };
      terms.push(expectOk(await brand.client.post(`/api/v1/programs/${created.id}/terms`, body), 201).id);
    }
    return { id: created.id as number, name, terms };
  }

  /** Fresh sessions after the clock jumped past the session lifetime. */
  async function relogIn(...parties: Party[]): Promise<void> {
    for (const p of parties) p.client = await sessionClient(t, p.account.adminUserId);
  }

  const acceptTerms = async (partner: Party, templateTermsId: number) =>
    expectOk(await partner.client.post('/api/v1/contracts', { templateTermsId }), 201);

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
      id: expect.any(Number),
      programId: p.id,
      programName: 'Outdoor',
      currency: 'USD',
      brandAccountId: brand.account.id,
      brandName: expect.any(String),
      partnerAccountId: partner.account.id,
      partnerName: expect.any(String),
      templateTermsId: p.terms[0],
      templateTermsName: 'Standard',
      status: 'ACTIVE',
      startAt: '2026-01-15T12:00:00.000Z',
      endAt: null,
      terminationReason: 'STILL_ACTIVE',
      terms: {
        payouts: [{ eventTypeId: expect.any(Number), payout: { kind: 'FIXED', amount: '1.00' }, groups: [] }],
        locking: { form: 'DAYS', days: 14 },
        payment: { months: 0, days: 19 },
      },
      createdAt: '2026-01-15T12:00:00.000Z',
    });
    expect(await contractOf(partner.client, contract.id)).toEqual(contract);
    expect(await contractOf(brand.client, contract.id)).toEqual(contract);
    const history = expectOk(await brand.client.get('/api/v1/contracts'));
    expect(history).toEqual({ items: [contract], page: 1, pageSize: 50, total: 1 });
  });

  it('accepting other terms of the same program replaces the first contract (REPLACED)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor', ['Standard', 'Premium']);
    const first = await acceptTerms(partner, p.terms[0]!);
    db().clock.advanceMs(HOUR_MS);
    const second = await acceptTerms(partner, p.terms[1]!);
    expect(second).toMatchObject({ status: 'ACTIVE', templateTermsName: 'Premium', startAt: '2026-01-15T13:00:00.000Z' });
    expect(await contractOf(partner.client, first.id)).toMatchObject({
      status: 'EXPIRED',
      terminationReason: 'REPLACED',
      endAt: '2026-01-15T13:00:00.000Z',
    });
    const active = expectOk(await partner.client.get('/api/v1/contracts?status=ACTIVE'));
    expect(active.items.map((c: { id: number }) => c.id)).toEqual([second.id]);
  });

  it('refuses to accept the same terms twice while the contract runs (409)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await partner.client.post('/api/v1/contracts', { templateTermsId: p.terms[0] }),
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
      await partner.client.post('/api/v1/contracts', { templateTermsId: p.terms[0] }),
      409,
      `Template terms ${p.terms[0]} are archived; accept the program's current terms instead.`,
    );
    await expectDbUnchanged(t.ctx.db, before);
    await acceptTerms(partner, p.terms[1]!);
  });

  it.each([
    ['unknown terms', { templateTermsId: 777777 }, 404, 'Template terms 777777 do not exist.'],
    ['a string id', { templateTermsId: '1' }, 400, 'body.templateTermsId'],
    ['no id', {}, 400, 'body.templateTermsId'],
    ['an unknown field', { templateTermsId: 1, startAt: '2026-01-01' }, 400, 'startAt'],
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
      await brand.client.post('/api/v1/contracts', { templateTermsId: p.terms[0] }),
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
    const expired = expectOk(await actor.client.post(`/api/v1/contracts/${contract.id}/expire`, {}));
    expect(expired).toEqual({
      ...contract,
      status: 'EXPIRED',
      terminationReason: reason,
      endAt: '2026-01-15T13:00:00.000Z',
      reversedActions: 0,
      unreversedActions: 0,
    });
    const { rows } = await t.ctx.db.query('select ended_by_user_id from contracts where id = $1', [contract.id]);
    expect(rows).toEqual([{ ended_by_user_id: actor.account.adminUserId }]);
    expect(await countRows(t.ctx.db, `select * from audit_events where action = 'contract.expired'`)).toBe(1);
  });

  it('expires now when the request has no body at all', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const expired = expectOk(await partner.client.request({ method: 'POST', url: `/api/v1/contracts/${contract.id}/expire` }));
    expect(expired).toMatchObject({ status: 'EXPIRED', terminationReason: 'EXPIRED_BY_PARTNER' });
  });

  it('refuses to expire an expired or replaced contract again (409) and changes nothing', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor', ['A', 'B']);
    const replaced = await acceptTerms(partner, p.terms[0]!);
    const current = await acceptTerms(partner, p.terms[1]!);
    expectOk(await partner.client.post(`/api/v1/contracts/${current.id}/expire`, {}));
    db().clock.advanceMs(HOUR_MS);
    const before = await dumpDb(t.ctx.db);
    for (const [client, id, reason] of [
      [partner.client, current.id, 'EXPIRED_BY_PARTNER'],
      [brand.client, current.id, 'EXPIRED_BY_PARTNER'],
      [partner.client, replaced.id, 'REPLACED'],
      [brand.client, replaced.id, 'REPLACED'],
    ] as const) {
      expectProblem(await client.post(`/api/v1/contracts/${id}/expire`, {}), 409, `(${reason}); it cannot be expired again.`);
      expectProblem(await client.post(`/api/v1/contracts/${id}/expire`, { on: '2026-03-01' }), 409, 'it cannot be expired again.');
    }
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('answers an unknown contract with 404 and a malformed id with 400', async () => {
    const partner = await party('PARTNER');
    expectProblem(await partner.client.get('/api/v1/contracts/987654'), 404, 'Contract 987654 does not exist or is not visible to this account.');
    expectProblem(await partner.client.post('/api/v1/contracts/987654/expire', {}), 404, 'Contract 987654 does not exist');
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
          partnerOf[i]!.client.post(`/api/v1/contracts/${contract.id}/expire`, {}),
          brand.client.post(`/api/v1/contracts/${contract.id}/expire`, {}),
        ]);
        return { contract, responses };
      }),
    );
    for (const { contract, responses } of results) {
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const { reversedActions, unreversedActions, ...winner } = responses.find((r) => r.statusCode === 200)!.json();
      expect([reversedActions, unreversedActions]).toEqual([0, 0]);
      expectProblem(responses.find((r) => r.statusCode === 409)!, 409, `Contract ${contract.id}`);
      const stored = await contractOf(brand.client, contract.id);
      expect(stored).toEqual(winner);
      expect(stored.endAt).toBe('2026-01-15T13:00:00.000Z');
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
    const scheduled = expectOk(await partner.client.post(`/api/v1/contracts/${contract.id}/expire`, { on: '2026-01-20' }));
    // 23:59:59 MST (UTC-7) on 20 January is 06:59:59Z on the 21st.
    expect(scheduled).toMatchObject({ status: 'ACTIVE', endAt: '2026-01-21T06:59:59.000Z', terminationReason: 'EXPIRED_BY_PARTNER' });

    db().clock.set('2026-01-21T06:59:58.000Z');
    await relogIn(brand, partner);
    expect(await contractOf(partner.client, contract.id)).toMatchObject({ status: 'ACTIVE' });
    const activeList = expectOk(await brand.client.get('/api/v1/contracts?status=ACTIVE'));
    expect(activeList.items.map((c: { id: number }) => c.id)).toEqual([contract.id]);
    expect(expectOk(await brand.client.get('/api/v1/contracts?status=EXPIRED')).total).toBe(0);

    db().clock.set('2026-01-21T07:00:00.000Z');
    await relogIn(brand, partner);
    expect(await contractOf(partner.client, contract.id)).toMatchObject({ status: 'EXPIRED', endAt: '2026-01-21T06:59:59.000Z' });
    expect(expectOk(await brand.client.get('/api/v1/contracts?status=ACTIVE')).total).toBe(0);
    const expiredList = expectOk(await brand.client.get('/api/v1/contracts?status=EXPIRED'));
    expect(expiredList.items.map((c: { id: number }) => c.id)).toEqual([contract.id]);
    expectProblem(await partner.client.post(`/api/v1/contracts/${contract.id}/expire`, {}), 409, 'cannot be expired again');
  });

  it.each([
    ['America/Denver in summer (MDT)', 'America/Denver', '2026-07-04', '2026-07-05T05:59:59.000Z'],
    ['Asia/Tokyo', 'Asia/Tokyo', '2026-01-20', '2026-01-20T14:59:59.000Z'],
    ['Europe/London', 'Europe/London', '2026-01-20', '2026-01-20T23:59:59.000Z'],
    ['the day daylight saving starts in New York', 'America/New_York', '2026-03-08', '2026-03-09T03:59:59.000Z'],
  ])('computes the end instant of a date in %s', async (_what, timeZone, on, endAt) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER', { timeZone });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    expect(expectOk(await partner.client.post(`/api/v1/contracts/${contract.id}/expire`, { on })).endAt).toBe(endAt);
  });

  it('uses the brand\'s own time zone when the brand expires on a date', async () => {
    const brand = await party('BRAND', { timeZone: 'Asia/Tokyo' });
    const partner = await party('PARTNER', { timeZone: 'America/Denver' });
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const expired = expectOk(await brand.client.post(`/api/v1/contracts/${contract.id}/expire`, { on: '2026-01-20' }));
    expect(expired).toMatchObject({ status: 'ACTIVE', endAt: '2026-01-20T14:59:59.000Z', terminationReason: 'EXPIRED_BY_BRAND' });
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
      await brand.client.post(`/api/v1/contracts/${other.id}/expire`, { on: '2026-01-14' }),
      400,
      'The expiry date 2026-01-14 is in the past; choose today (2026-01-15) or a later date.',
    );
    // For the Denver partner it is today: the contract ends in four hours.
    const expired = expectOk(await denver.client.post(`/api/v1/contracts/${contract.id}/expire`, { on: '2026-01-14' }));
    expect(expired).toMatchObject({ status: 'ACTIVE', endAt: '2026-01-15T06:59:59.000Z' });
    db().clock.set('2026-01-15T07:00:00.000Z');
    expect((await contractOf(denver.client, contract.id)).status).toBe('EXPIRED');
  });

  it.each([
    ['a date in the past', '2026-01-14', 'The expiry date 2026-01-14 is in the past; choose today (2026-01-15) or a later date.'],
    ['a date long past', '1999-12-31', 'is in the past'],
    ['a date without zero padding', '2026-2-1', '"2026-2-1" is not a date in the form YYYY-MM-DD.'],
    ['a European date', '01/02/2026', 'is not a date in the form YYYY-MM-DD.'],
    ['a date and time', '2026-02-01T00:00', 'body.on'],
    ['an empty date', '', '"" is not a date in the form YYYY-MM-DD.'],
    ['30 February', '2026-02-30', '"2026-02-30" is not a valid calendar date.'],
    ['month 13', '2026-13-01', '"2026-13-01" is not a valid calendar date.'],
    ['a number', 20260201, 'body.on'],
  ])('refuses an expiry on %s with 400 and changes nothing', async (_what, on, detail) => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await partner.client.post(`/api/v1/contracts/${contract.id}/expire`, { on }), 400, detail);
    await expectDbUnchanged(t.ctx.db, before);
    expect(await contractOf(partner.client, contract.id)).toEqual(contract);
  });

  it('refuses an expiry body with an unknown field (400)', async () => {
    const brand = await party('BRAND');
    const partner = await party('PARTNER');
    const p = await program(brand, 'Outdoor');
    const contract = await acceptTerms(partner, p.terms[0]!);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await brand.client.post(`/api/v1/contracts/${contract.id}/expire`, { reverseAll: true }), 400, 'reverseAll');
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('refuses to open an account with a mis-cased time zone, which the date functions reject later', async () => {
    const operator = await makeOperator(t.ctx);
    const op = await sessionClient(t, operator.userId);
    const before = await dumpDb(t.ctx.db);
    expectProblem(
      await op.post('/api/v1/operator/accounts', {
        kind: 'PARTNER',
        name: 'Lower-case zone',
        timeZone: 'america/denver',
        currency: 'USD',
        admin: { email: 'lower@example.test', name: 'Lower', password: TEST_PASSWORD },
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
    expectOk(await y.client.post(`/api/v1/contracts/${c2.id}/expire`, {}));
    expectOk(await brand.client.post(`/api/v1/contracts/${c3.id}/expire`, {}));
    db().clock.advanceMs(HOUR_MS);
    const c5 = await acceptTerms(x, p2.terms[1]!);
    db().clock.advanceMs(HOUR_MS);
    const ids = [c1.id, c2.id, c3.id, c4.id, c5.id] as const;
    return { brand, x, y, z, p1, p2, ids };
  }

  const idsOf = (page: { items: Array<{ id: number }> }) => page.items.map((c) => c.id);

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
      expect({ query, ids: idsOf(page), total: page.total }).toEqual({ query, ids: expected, total: expected.length });
    }
    // A partner sees only its own contracts, whatever it filters on.
    expect(idsOf(await list(x.client, ''))).toEqual([c5, c4, c1]);
    expect(idsOf(await list(x.client, `?programId=${p1.id}`))).toEqual([c1]);
    expect(idsOf(await list(y.client, ''))).toEqual([c2]);
    expect((await list(x.client, `?partnerAccountId=${y.account.id}`)).total).toBe(0);
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
      expect({ ids: idsOf(body), page: body.page, pageSize: body.pageSize, total: body.total }).toEqual({
        ids: expected,
        page: n,
        pageSize: 2,
        total: 5,
      });
    }
    expect(idsOf(await page('?sort=id&order=asc'))).toEqual([c1, c2, c3, c4, c5]);
    expect(idsOf(await page('?sort=id&order=desc'))).toEqual([c5, c4, c3, c2, c1]);
    expect(idsOf(await page('?sort=startAt&order=asc'))).toEqual([c1, c2, c3, c4, c5]);
    // Ties are broken by the newest id; contracts without an end come last.
    expect(idsOf(await page('?sort=partnerName&order=asc'))).toEqual([c5, c4, c1, c2, c3]);
    expect(idsOf(await page('?sort=endAt&order=asc'))).toEqual([c3, c2, c4, c5, c1]);
    expect(idsOf(await page('?sort=programName&order=asc&pageSize=3'))).toEqual([c5, c4, c3]);
  });

  it.each([
    ['an unknown sort key', '?sort=bogus', 'Cannot sort by "bogus"; sort by one of: id, startAt, endAt, programName, partnerName, brandName, terminationReason.'],
    ['SQL as sort key', '?sort=id%3B%20drop%20table%20contracts', 'Cannot sort by "id; drop table contracts"'],
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
