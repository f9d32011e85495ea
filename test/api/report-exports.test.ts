/**
 * Reports: the catalog and exports as async jobs (issue 16 items 1 and 4). A job is QUEUED,
 * written by the worker with the downloads' own writers, and its file downloaded; the same
 * request within 10 minutes is the same job; another account's job is not found; bad
 * filters are a 400 naming each; the impact-compatible ReportExport / Jobs form answers as
 * impact.com's does.
 */
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { Worker } from '../../src/worker/worker.js';
import { MAX_RUNNING_EXPORTS, pruneExpiredExports } from '../../src/modules/reports/exports.js';
import { makeSaleAction } from '../support/actions.js';
import { expectProblem, issueToken } from '../support/api-helpers.js';
import { logInClient, makeAccount, makeOperator, startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { pdfText, readWorkbook } from '../support/files.js';
import { makeContract, makeProgram } from '../support/programs.js';

describeDb('Report exports', (context) => {
  async function setup() {
    const t = await startTestApp(context());
    const brand = await makeAccount(t.ctx, 'BRAND');
    const other = await makeAccount(t.ctx, 'BRAND');
    const partner = await makeAccount(t.ctx, 'PARTNER');
    const program = await makeProgram(t.ctx, brand);
    const otherProgram = await makeProgram(t.ctx, other);
    await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, partner, otherProgram);
    context().clock.advanceMs(3_600_000);
    const ids: bigint[] = [];
    for (const amount of ['10.00', '20.50', '30.01']) ids.push(await makeSaleAction(t.ctx, brand, partner, program, { amount }));
    const foreign = await makeSaleAction(t.ctx, other, partner, otherProgram, { amount: '99.00' });
    const drain = () => new Worker(t.ctx, { kinds: ['report-export'] }).drain();
    return {
      t,
      brand,
      other,
      partner,
      program,
      ids,
      foreign,
      drain,
      client: await logInClient(t.app, brand.adminEmail),
      otherClient: await logInClient(t.app, other.adminEmail),
      partnerClient: await logInClient(t.app, partner.adminEmail),
    };
  }

  it('lists the reports each kind of account may run, with their columns and filters', async () => {
    const { t, client, partnerClient } = await setup();
    try {
      const brandReports = (await client.get('/api/v1/reports')).json().Items as Array<{ Id: string; Category: string; Columns: string[]; Filters: string[] }>;
      expect(brandReports.map((r) => r.Id)).toEqual(['pending-payouts-actions', 'reversed-actions', 'rejected-conversions', 'contract-history', 'balance-movements', 'returns-batches', 'statements', 'clicks-by-link', 'performance-by-partner'].filter((id) => id !== 'balance-movements'));
      const pending = brandReports.find((r) => r.Id === 'pending-payouts-actions')!;
      expect(pending.Category).toBe('Actions');
      expect(pending.Columns).toEqual(expect.arrayContaining(['Id', 'Amount', 'Payout', 'LockingDate']));
      expect(pending.Filters).toEqual(expect.arrayContaining(['state', 'programId', 'partnerId', 'from', 'to']));
      const partnerReports = (await partnerClient.get('/api/v1/reports')).json().Items as Array<{ Id: string }>;
      expect(partnerReports.map((r) => r.Id)).toEqual(['pending-payouts-actions', 'reversed-actions', 'contract-history', 'balance-movements', 'paystubs', 'paystub-action-listing', 'clicks-by-link', 'performance-by-brand']);
      // A report of another audience is not there for the caller.
      expectProblem(await partnerClient.post('/api/v1/reports/returns-batches/exports', { Format: 'csv' }), 404, /no report returns-batches/);
    } finally {
      await t.close();
    }
  });

  it('queues an export (202), writes it with the worker, and downloads the brand’s own rows with the filters in the file', async () => {
    const { t, program, ids, client, drain } = await setup();
    try {
      const asked = await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'csv', Filters: { state: 'PENDING', programId: program.id } });
      expect(asked.statusCode).toBe(202);
      const job = asked.json();
      expect(job).toMatchObject({ Report: 'pending-payouts-actions', Format: 'csv', Status: 'QUEUED', Filters: { state: 'PENDING', programId: String(program.id) } });
      expect(asked.headers.location).toBe(job.Url);
      // While it is queued the download says so: 202, Retry-After, the job.
      const early = await client.get(job.DownloadUrl);
      expect(early.statusCode).toBe(202);
      expect(early.headers['retry-after']).toBe('2');
      expect(early.json().Status).toBe('QUEUED');
      // The same request again within 10 minutes is the same job.
      const again = await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'csv', Filters: { programId: String(program.id), state: 'PENDING' } });
      expect(again.statusCode).toBe(200);
      expect(again.json().Id).toBe(job.Id);

      await drain();
      const done = (await client.get(job.Url)).json();
      expect(done).toMatchObject({ Status: 'COMPLETED', RowsWritten: 3, FileName: expect.stringMatching(/^pending-payouts-actions-\d{4}-\d{2}-\d{2}\.csv$/) });
      const file = await client.get(job.DownloadUrl);
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toMatch(/^text\/csv/);
      expect(file.headers['content-disposition']).toBe(`attachment; filename="${done.FileName}"`);
      expect(Number(file.headers['content-length'])).toBe(done.Bytes);
      const records = parse(file.body, { columns: true }) as Array<Record<string, string>>;
      expect(records.map((r) => r.Id)).toEqual(ids.map(String).reverse());
      expect(records.map((r) => r.Amount)).toEqual(['30.01', '20.50', '10.00']);
      // Listed among the report's exports.
      const list = (await client.get('/api/v1/reports/pending-payouts-actions/exports')).json();
      expect(list).toMatchObject({ Total: 1, Items: [{ Id: job.Id, Status: 'COMPLETED' }] });
    } finally {
      await t.close();
    }
  });

  it('writes Excel and PDF files that hold the same rows and name the filters', async () => {
    const { t, ids, client, drain } = await setup();
    try {
      const xlsx = (await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'xlsx', Filters: { state: 'PENDING' } })).json();
      const pdf = (await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'pdf', Filters: { state: 'PENDING' } })).json();
      expect(pdf.Id).not.toBe(xlsx.Id);
      await drain();
      const workbook = await readWorkbook((await client.get(xlsx.DownloadUrl)).rawPayload);
      expect(workbook.sheet('Pending Payouts Actions').records.map((r) => String(r.Id))).toEqual(ids.map(String).reverse());
      expect(workbook.sheet('About').rows.flat()).toContain('Filters: state = PENDING');
      const document = await client.get(pdf.DownloadUrl);
      expect(document.headers['content-type']).toBe('application/pdf');
      const { texts } = pdfText(document.rawPayload);
      expect(texts.join(' ')).toContain('Filters: state = PENDING');
      expect(texts.join(' ')).toContain('3 rows.');
    } finally {
      await t.close();
    }
  });

  it('exports performance by partner and by brand, and clicks by link, with the real sums', async () => {
    const { t, partner, client, partnerClient, drain } = await setup();
    try {
      const byPartner = (await client.post('/api/v1/reports/performance-by-partner/exports', { Format: 'csv' })).json();
      const byBrand = (await partnerClient.post('/api/v1/reports/performance-by-brand/exports', { Format: 'csv' })).json();
      const links = (await partnerClient.post('/api/v1/reports/clicks-by-link/exports', { Format: 'csv' })).json();
      expectProblem(await client.post('/api/v1/reports/performance-by-partner/exports', { Filters: { from: 'yesterday' } }), 400);
      await drain();
      const rows = (job: { DownloadUrl: string }, who = client) => who.get(job.DownloadUrl).then((r) => parse(r.body, { columns: true }) as Array<Record<string, string>>);
      // 10.00 + 20.50 + 30.01 at 10%: 6.05 of payout (each rounded once: 1.00 + 2.05 + 3.00).
      expect(await rows(byPartner)).toEqual([
        { MediaPartnerId: String(partner.id), MediaPartnerName: expect.any(String), Currency: 'USD', Actions: '3', Amount: '60.51', Payout: '6.05' },
      ]);
      // The partner's brands: this brand's three and the other brand's one.
      const brands = await rows(byBrand, partnerClient);
      expect(brands.map((r) => [r.Actions, r.Amount]).sort()).toEqual([
        ['1', '99.00'],
        ['3', '60.51'],
      ]);
      // Each sale came through its own link and click (the test's makeSaleAction): four links, a click each, newest first.
      const linkRows = await rows(links, partnerClient);
      expect(linkRows.map((r) => [r.Clicks, r.Status])).toEqual(Array(4).fill(['1', 'ACTIVE']));
      expect(linkRows.map((r) => Number(r.Id))).toEqual([...linkRows.map((r) => Number(r.Id))].sort((a, b) => b - a));
      expect((await t.ctx.db.query('select 1 from report_exports where status = $1', ['COMPLETED'])).rows).toHaveLength(3);
    } finally {
      await t.close();
    }
  });

  it('keeps every account to its own: another brand’s job is not found, and its rows never in the file', async () => {
    const { t, foreign, client, otherClient, drain } = await setup();
    try {
      const job = (await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'csv' })).json();
      expectProblem(await otherClient.get(job.Url), 404);
      expectProblem(await otherClient.get(job.DownloadUrl), 404);
      expectProblem(await otherClient.delete(job.Url), 404);
      expect((await otherClient.get('/api/v1/reports/pending-payouts-actions/exports')).json().Total).toBe(0);
      await drain();
      const records = parse((await client.get(job.DownloadUrl)).body, { columns: true }) as Array<Record<string, string>>;
      expect(records).toHaveLength(3);
      expect(records.map((r) => r.Id)).not.toContain(String(foreign));
      // A filter naming another brand's partner or program finds nothing of theirs either.
      const operator = await makeOperator(t.ctx);
      const operatorClient = await logInClient(t.app, operator.email);
      expectProblem(await operatorClient.get(job.Url), 404);
    } finally {
      await t.close();
    }
  });

  it('refuses filters the report does not take, values that are not valid, and more than the limit of running jobs', async () => {
    const { t, client } = await setup();
    try {
      const unknown = expectProblem(await client.post('/api/v1/reports/pending-payouts-actions/exports', { Filters: { colour: 'red' } }), 400, /not a filter of Pending Payouts Actions: colour/);
      expect(unknown.errors).toEqual([{ field: 'Filters', message: 'not a filter of Pending Payouts Actions: colour' }]);
      const bad = expectProblem(await client.post('/api/v1/reports/pending-payouts-actions/exports', { Filters: { state: 'MAYBE', currency: 'usd' } }), 400);
      expect(bad.errors!.map((e: { field: string }) => e.field).sort()).toEqual(['Filters.currency', 'Filters.state']);
      expectProblem(await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'docx' }), 400);
      expectProblem(await client.post('/api/v1/reports/no-such-report/exports', {}), 404);
      expectProblem(await client.post('/api/v1/reports/pending-payouts-actions/exports', { Filters: { from: '2026-13-45' } }), 400);
      expectProblem(await client.get('/api/v1/reports/pending-payouts-actions/exports/abc'), 400);
      expectProblem(await client.get('/api/v1/reports/pending-payouts-actions/exports/999999'), 404);
      // Three different requests queue; a fourth waits for one of them.
      for (let i = 0; i < MAX_RUNNING_EXPORTS; i++) {
        expect((await client.post('/api/v1/reports/pending-payouts-actions/exports', { Filters: { orderId: `order-${i}` } })).statusCode).toBe(202);
      }
      expectProblem(await client.post('/api/v1/reports/pending-payouts-actions/exports', { Filters: { orderId: 'one-more' } }), 429, /queued or running/);
    } finally {
      await t.close();
    }
  });

  it('cancels a queued job (the worker then writes nothing), refuses to cancel a completed one, and prunes expired files', async () => {
    const { t, brand, client, drain } = await setup();
    try {
      const first = (await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'csv' })).json();
      const cancelled = await client.delete(first.Url);
      expect(cancelled.json().Status).toBe('CANCELLED');
      await drain();
      expect((await client.get(first.Url)).json()).toMatchObject({ Status: 'CANCELLED', Bytes: 0 });
      expectProblem(await client.get(first.DownloadUrl), 409, /cancelled/);
      // A cancelled job is not "the same request": asking again makes a new one.
      const second = await client.post('/api/v1/reports/pending-payouts-actions/exports', { Format: 'csv' });
      expect(second.statusCode).toBe(202);
      await drain();
      expectProblem(await client.delete(second.json().Url), 409, /already COMPLETED/);
      // Seven days later the file is gone: 410 until the prune deletes the job.
      context().clock.advanceMs(7 * 86_400_000 + 1000);
      const later = await logInClient(t.app, brand.adminEmail);
      expectProblem(await later.get(second.json().DownloadUrl), 410, /expired/);
      expect(await pruneExpiredExports(t.ctx.db, t.ctx.clock.now())).toBe(2);
      expectProblem(await later.get(second.json().Url), 404);
      const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from report_export_chunks');
      expect(rows[0]!.n).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('answers the impact-compatible ReportExport and Jobs as impact.com does, for brands and partners', async () => {
    const { t, ids, client, partnerClient, drain } = await setup();
    try {
      const token = await issueToken(client, 'migrated report script');
      const queued = await token.client.get(`/Advertisers/${token.accountSid}/ReportExport/pending-payouts-actions?state=PENDING&ResultFormat=CSV`);
      expect(queued.statusCode).toBe(200);
      const answer = queued.json();
      expect(answer).toEqual({
        Status: 'QUEUED',
        QueuedUri: expect.stringMatching(new RegExp(`^/Advertisers/${token.accountSid}/Jobs/\\d+$`)),
        ResultUri: expect.stringMatching(new RegExp(`^/Advertisers/${token.accountSid}/Jobs/\\d+/Download$`)),
      });
      expect((await token.client.get(answer.QueuedUri)).json()).toMatchObject({ Status: 'QUEUED', ReportId: 'pending-payouts-actions', CompletedDate: '' });
      expect((await token.client.get(answer.ResultUri)).statusCode).toBe(202);
      await drain();
      expect((await token.client.get(answer.QueuedUri)).json()).toMatchObject({ Status: 'COMPLETED', RecordsProcessed: '3' });
      const file = await token.client.get(answer.ResultUri);
      expect(file.statusCode).toBe(200);
      expect((parse(file.body, { columns: true }) as Array<{ Id: string }>).map((r) => r.Id)).toEqual(ids.map(String).reverse());
      // impact.com's envelope for errors; another account's SID in the path is refused.
      const bad = await token.client.get(`/Advertisers/${token.accountSid}/ReportExport/pending-payouts-actions?ResultFormat=DOCX`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ Status: 'ERROR', Errors: [{ Field: 'ResultFormat' }] });
      expect((await token.client.get(`/Advertisers/${token.accountSid}/ReportExport/pending-payouts-actions?colour=red`)).json()).toMatchObject({
        Status: 'ERROR',
        Errors: [{ Field: 'Filters', Message: expect.stringMatching(/colour/) }],
      });
      expect((await token.client.get(`/Advertisers/${token.accountSid}1/Jobs/1`)).statusCode).toBe(403);
      const partnerToken = await issueToken(partnerClient, 'partner script');
      expect((await partnerToken.client.get(answer.QueuedUri.replace(token.accountSid, partnerToken.accountSid))).statusCode).toBe(404);
      const partnerQueued = await partnerToken.client.get(`/Mediapartners/${partnerToken.accountSid}/ReportExport/contract-history`);
      expect(partnerQueued.json().QueuedUri).toMatch(new RegExp(`^/Mediapartners/${partnerToken.accountSid}/Jobs/\\d+$`));
      // The brand's job id under the partner's SID is not the partner's.
      const brandJobId = answer.QueuedUri.split('/').pop();
      expect((await partnerToken.client.get(`/Mediapartners/${partnerToken.accountSid}/Jobs/${brandJobId}`)).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
