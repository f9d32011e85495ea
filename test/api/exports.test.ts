import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { makeSaleAction } from '../support/actions.js';
import { pdfText, readWorkbook } from '../support/files.js';
import { exportActions, listActions } from '../../src/modules/actions/list-actions.js';

describeDb('Downloads (CSV, Excel, PDF)', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  /** A brand with three pending USD sales and one JPY sale, and another brand with one sale of the same partner. */
  async function actionsWorld() {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    const yenProgram = await makeProgram(t.ctx, brand, { currency: 'JPY' });
    const otherProgram = await makeProgram(t.ctx, other);
    for (const p of [program, yenProgram, otherProgram]) await makeContract(t.ctx, partner, p);
    db().clock.advanceMs(3_600_000);
    const usd: bigint[] = [];
    for (const amount of ['10.00', '20.50', '30.01']) usd.push(await makeSaleAction(t.ctx, brand, partner, program, { amount }));
    const yen = await makeSaleAction(t.ctx, brand, partner, yenProgram, { amount: '1500' });
    const foreign = await makeSaleAction(t.ctx, other, partner, otherProgram, { amount: '99.00' });
    return { program, usd, yen, foreign, client: await logInClient(t.app, brand.adminEmail) };
  }

  /** A partner with one active contract. */
  async function contractWorld() {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    await makeContract(t.ctx, partner, program);
    return { program, client: await logInClient(t.app, partner.adminEmail) };
  }

  it('exports the filtered actions of the brand only, with the field names users know', async () => {
    const { program, usd, client } = await actionsWorld();
    const response = await client.get(`/api/v1/actions/export.csv?state=PENDING&programId=${program.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="actions-\d{4}-\d{2}-\d{2}\.csv"/);
    const records = parse(response.body, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.Id)).toEqual(usd.map(String).reverse());
    expect(records.map((r) => r.Amount)).toEqual(['30.01', '20.50', '10.00']);
    expect(records[0]).toMatchObject({ State: 'PENDING', StatusDetail: 'Pending', Currency: 'USD', Payout: '3.00' });
    const bad = await client.get('/api/v1/actions/export.csv?statusDetail=Nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/Unknown status detail/);
  });

  it('exports the same actions as an Excel workbook and a PDF, brand only, with the filters', async () => {
    const { program, usd, yen, foreign, client } = await actionsWorld();
    const xlsx = await client.get('/api/v1/actions/export.xlsx?state=PENDING');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(/attachment; filename="actions-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const { sheet, workbook } = await readWorkbook(xlsx.rawPayload);
    const { header, records } = sheet('Actions');
    expect(header).toEqual(expect.arrayContaining(['Id', 'CampaignName', 'StatusDetail', 'Amount', 'Payout', 'Currency', 'EventDate']));
    expect(records.map((r) => r.Id)).toEqual([yen, ...[...usd].reverse()].map(String));
    expect(records.map((r) => r.Amount)).toEqual([1500, 30.01, 20.5, 10]);
    expect(records.map((r) => r.Currency)).toEqual(['JPY', 'USD', 'USD', 'USD']);
    expect(records[1]).toMatchObject({ Payout: 3, EventDate: expect.any(Date) });
    const amountColumn = header.indexOf('Amount') + 1;
    expect(workbook.getWorksheet('Actions')!.getRow(2).getCell(amountColumn).numFmt).toBe('#,##0');
    expect(workbook.getWorksheet('Actions')!.getRow(3).getCell(amountColumn).numFmt).toBe('#,##0.00');
    expect(sheet('About').rows.flat()).toContain('Filters: state = PENDING');

    const filtered = await client.get(`/api/v1/actions/export.pdf?state=PENDING&programId=${program.id}`);
    expect(filtered.statusCode).toBe(200);
    expect(filtered.headers['content-type']).toBe('application/pdf');
    expect(filtered.headers['content-disposition']).toMatch(/attachment; filename="actions-\d{4}-\d{2}-\d{2}\.pdf"/);
    const { texts, pages } = pdfText(filtered.rawPayload);
    expect(pages).toBe(1);
    expect(texts[0]).toBe('Actions');
    expect(texts).toContain(`Filters: state = PENDING, programId = ${program.id}`);
    expect(texts).toEqual(expect.arrayContaining([...usd.map(String), '30.01', '20.50', '10.00', '3 rows.']));
    expect(texts).not.toContain(String(yen));
    expect(texts).not.toContain(String(foreign));

    for (const format of ['xlsx', 'pdf']) {
      const bad = await client.get(`/api/v1/actions/export.${format}?statusDetail=Nope`);
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json().detail).toMatch(/Unknown status detail/);
    }
  });

  it('follows the sort on screen, across chunks, and says so in the heading', async () => {
    const { usd, yen, client } = await actionsWorld();
    const ascending = parse((await client.get('/api/v1/actions/export.csv?sort=Amount&order=asc')).body, { columns: true }) as Array<Record<string, string>>;
    // Money sorts by currency, then amount: JPY before USD, each ascending.
    expect(ascending.map((r) => r.Id)).toEqual([yen, ...usd].map(String));
    const pdf = pdfText((await client.get('/api/v1/actions/export.pdf?sort=Amount&order=asc&state=PENDING')).rawPayload);
    expect(pdf.texts).toContain('Filters: state = PENDING');
    expect(pdf.texts).toContain('Sorted by Amount, ascending');
    const { sheet } = await readWorkbook((await client.get('/api/v1/actions/export.xlsx')).rawPayload);
    expect(sheet('About').rows.flat()).toContain('Sorted by EventDate, descending');
    // Page by page (two rows a chunk) the keyset on (sort columns, id) gives the same order as one query.
    const brand = (await t.ctx.db.query<{ brand_account_id: number }>('select brand_account_id from actions where id = $1', [String(usd[0])])).rows[0]!.brand_account_id;
    const actor = { type: 'account' as const, userId: 0, accountId: brand, accountKind: 'BRAND' as const, accountTimeZone: 'UTC', role: 'ADMIN' as const, via: 'session' as const };
    for (const sort of ['Amount', 'Payout', 'EventDate', 'OrderId', 'Id', 'State', 'CampaignName'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const chunked: string[] = [];
        for await (const chunk of exportActions(t.ctx.db, actor, { sort, order }, t.ctx.clock.now(), 2)) chunked.push(...chunk.map((a) => String(a.id)));
        const whole: string[] = [];
        for await (const chunk of exportActions(t.ctx.db, actor, { sort, order }, t.ctx.clock.now())) whole.push(...chunk.map((a) => String(a.id)));
        const listed = (await listActions(t.ctx.db, actor, { sort, order, page: 1, pageSize: 50 }, t.ctx.clock.now())).items.map((a) => String(a.id));
        expect(chunked, `${sort} ${order}`).toEqual(whole);
        expect(whole, `${sort} ${order} as the list`).toEqual(listed);
      }
    }
  });

  it('exports Contract History with its filters', async () => {
    const { program, client } = await contractWorld();
    const response = await client.get('/api/v1/contracts/export.csv?status=ACTIVE');
    expect(response.statusCode).toBe(200);
    const records = parse(response.body, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ Status: 'ACTIVE', TerminationReason: 'STILL_ACTIVE', CampaignId: String(program.id) });
  });

  it('exports Contract History as a workbook and a PDF', async () => {
    const { program, client } = await contractWorld();
    const xlsx = await client.get('/api/v1/contracts/export.xlsx?status=ACTIVE');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toMatch(/filename="contract-history-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const { records } = (await readWorkbook(xlsx.rawPayload)).sheet('Contract History');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ Status: 'ACTIVE', CampaignId: program.id, EndDate: null });
    const pdf = await client.get('/api/v1/contracts/export.pdf?status=ACTIVE');
    expect(pdf.statusCode).toBe(200);
    const { texts } = pdfText(pdf.rawPayload);
    expect(texts).toEqual(expect.arrayContaining(['Contract History', 'Filters: status = ACTIVE', 'ACTIVE', 'STILL_ACTIVE', '1 row.']));
    const bad = await client.get('/api/v1/contracts/export.pdf?status=SOMETIMES');
    expect(bad.statusCode).toBe(400);
  });
});
