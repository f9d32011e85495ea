/**
 * The operator console's work items: GET /api/v1/operator/work-items (failed and dead by
 * default, filters, paging, oldest first) and POST /api/v1/operator/work-items/:id/retry.
 * Operators only: brands, partners and API tokens are refused, and nothing changes.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { enqueue, registerKind, Worker } from '../../src/worker/index.js';
import { basicClient, Client, startTestApp, type TestApp } from '../support/app.js';
import { diffDumps, dumpDb, expectOk, expectProblem, issueToken, quickAccount, quickUser, sessionClient } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';

const failing = registerKind<{ note?: string; long?: string }>(
  'test-console-failing',
  async (ctx) => {
    await ctx.checkpoint({ sentFiles: 2 });
    throw new Error(`The SFTP server of ${ctx.payload.note ?? 'the partner'} refused the upload; check its host key.`);
  },
  { maxAttempts: 1 },
);
const quick = registerKind('test-console-quick', async () => undefined, { maxAttempts: 3, backoff: { baseMs: 60_000 } });
let flakyFails = true;
const flaky = registerKind(
  'test-console-flaky',
  async (ctx) => {
    if (flakyFails) throw new Error('The bank API answered 503; try later.');
    return { resumedFrom: ctx.progress };
  },
  { maxAttempts: 3, backoff: { baseMs: 60_000 } },
);
const KINDS = [failing.name, quick.name, flaky.name];

interface WorkItemDto {
  Id: string;
  Kind: string;
  State: string;
  Attempts: number;
  MaxAttempts: number;
  LastError: string | null;
  Progress: unknown;
  PayloadSummary: string;
  DedupeKey: string | null;
  RunAfterDate: string;
  LeaseOwner: string | null;
  LeaseExpiresDate: string | null;
  CreatedDate: string;
  UpdatedDate: string;
  StartedDate: string | null;
  FinishedDate: string | null;
}
interface WorkItemPage {
  Items: WorkItemDto[];
  Page: number;
  PageSize: number;
  Total: number;
}

describeDb('operator console: work items', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  /** A dead, a failed, a queued and a done item, oldest first in that order. */
  async function makeItems() {
    const dead = (await enqueue(t.ctx.db, failing, { note: 'Trail Blog', long: 'x'.repeat(300) }, { dedupeKey: 'console:dead' })).id;
    const failed = (await enqueue(t.ctx.db, flaky, {})).id;
    const done = (await enqueue(t.ctx.db, quick, {})).id;
    const queued = (await enqueue(t.ctx.db, quick, {}, { delayMs: 3_600_000 })).id;
    flakyFails = true;
    await new Worker(t.ctx, { kinds: KINDS }).drain();
    return { dead, failed, queued, done };
  }

  it('lists failed and dead items by default, oldest first, with their error, progress and a payload summary', async () => {
    const ids = await makeItems();
    const operator = await sessionClient(t, (await quickUser(t.ctx, { operator: true })).userId);
    const page = expectOk<WorkItemPage>(await operator.get('/api/v1/operator/work-items'));
    expect(page).toMatchObject({ Page: 1, PageSize: 50, Total: 2 });
    expect(page.Items.map((i) => [i.Id, i.State])).toEqual([
      [ids.dead.toString(), 'DEAD'],
      [ids.failed.toString(), 'FAILED'],
    ]);
    const [dead, failed] = page.Items;
    expect(dead).toMatchObject({
      Kind: failing.name,
      Attempts: 1,
      MaxAttempts: 1,
      LastError: 'The SFTP server of Trail Blog refused the upload; check its host key.',
      Progress: { sentFiles: 2 },
      DedupeKey: 'console:dead',
      LeaseOwner: null,
      LeaseExpiresDate: null,
    });
    expect(dead!.PayloadSummary).toHaveLength(200);
    expect(dead!.PayloadSummary.startsWith('{"long": "xxx')).toBe(true);
    expect(dead!.PayloadSummary.endsWith('…')).toBe(true);
    expect(Date.parse(dead!.FinishedDate!)).toBeGreaterThanOrEqual(Date.parse(dead!.StartedDate!));
    expect(failed).toMatchObject({ Kind: flaky.name, State: 'FAILED', Attempts: 1, MaxAttempts: 3, LastError: 'The bank API answered 503; try later.', PayloadSummary: '{}', FinishedDate: null });
    // A FAILED item says when it runs again.
    expect(Date.parse(failed!.RunAfterDate)).toBeGreaterThan(Date.now() + 50_000);

    const other = expectOk<WorkItemPage>(await operator.get('/api/v1/operator/work-items?state=QUEUED,DONE'));
    expect(other.Items.map((i) => [i.Id, i.State])).toEqual([
      [ids.done.toString(), 'DONE'],
      [ids.queued.toString(), 'QUEUED'],
    ]);
    expect(expectOk<WorkItemPage>(await operator.get(`/api/v1/operator/work-items?state=DEAD,FAILED,DONE&kind=${flaky.name}`)).Items.map((i) => i.Id)).toEqual([ids.failed.toString()]);
    const second = expectOk<WorkItemPage>(await operator.get('/api/v1/operator/work-items?pageSize=1&page=2'));
    expect(second).toMatchObject({ Page: 2, PageSize: 1, Total: 2 });
    expect(second.Items.map((i) => i.Id)).toEqual([ids.failed.toString()]);

    expectProblem(await operator.get('/api/v1/operator/work-items?state=BROKEN'), 400, 'one state or several separated by commas');
    expectProblem(await operator.get('/api/v1/operator/work-items?status=DEAD'), 400);
  });

  it('retries a dead or failed item: back in the queue now with its attempts from 0 and its progress; it then runs; other states are a 409', async () => {
    const ids = await makeItems();
    const operator = await sessionClient(t, (await quickUser(t.ctx, { operator: true })).userId);

    const answer = expectOk<WorkItemDto>(await operator.post(`/api/v1/operator/work-items/${ids.failed}/retry`));
    expect(answer).toMatchObject({ Id: ids.failed.toString(), State: 'QUEUED', Attempts: 0, LastError: 'The bank API answered 503; try later.', FinishedDate: null });
    expect(Date.parse(answer.RunAfterDate)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(expectOk<WorkItemDto>(await operator.post(`/api/v1/operator/work-items/${ids.dead}/retry`, {}))).toMatchObject({ State: 'QUEUED', Attempts: 0 });
    expect(expectOk<WorkItemPage>(await operator.get('/api/v1/operator/work-items')).Total).toBe(0);

    const again = expectProblem(await operator.post(`/api/v1/operator/work-items/${ids.failed}/retry`), 409, `Work item ${ids.failed} is QUEUED; only a FAILED or DEAD item can be retried`);
    expect(again).toMatchObject({ state: 'QUEUED' });
    expectProblem(await operator.post(`/api/v1/operator/work-items/${ids.done}/retry`), 409, 'is DONE');
    expectProblem(await operator.post('/api/v1/operator/work-items/987654321/retry'), 404, 'There is no work item 987654321.');
    expectProblem(await operator.post('/api/v1/operator/work-items/abc/retry'), 400);
    expectProblem(await operator.post('/api/v1/operator/work-items/0/retry'), 400);
    expectProblem(await operator.post(`/api/v1/operator/work-items/${ids.dead}/retry`, { Attempts: 5 }), 400);

    flakyFails = false;
    await new Worker(t.ctx, { kinds: [flaky.name] }).drain();
    const done = expectOk<WorkItemPage>(await operator.get(`/api/v1/operator/work-items?state=DONE&kind=${flaky.name}`));
    expect(done.Items).toEqual([expect.objectContaining({ Id: ids.failed.toString(), State: 'DONE', Attempts: 1, Progress: { resumedFrom: null } })]);
  });

  it('is for operators only: brands, partners, API tokens and nobody are refused, and nothing changes', async () => {
    const ids = await makeItems();
    const brand = await quickAccount(t.ctx, 'BRAND');
    const partner = await quickAccount(t.ctx, 'PARTNER');
    const brandSession = await sessionClient(t, brand.adminUserId, brand.id);
    const partnerSession = await sessionClient(t, partner.adminUserId, partner.id);
    const token = await issueToken(brandSession);
    const callers = {
      brand: brandSession,
      partner: partnerSession,
      brandToken: basicClient(t.app, token.accountSid, token.authToken),
      nobody: new Client(t.app),
    };
    const before = await dumpDb(t.ctx.db);
    for (const [who, client] of Object.entries(callers)) {
      const status = who === 'nobody' ? 401 : 403;
      const list = await client.get('/api/v1/operator/work-items');
      expectProblem(list, status);
      expect(list.body).not.toContain('SFTP');
      expectProblem(await client.post(`/api/v1/operator/work-items/${ids.dead}/retry`), status);
      expectProblem(await client.post(`/api/v1/operator/work-items/${ids.failed}/retry`), status);
    }
    // Only the token's last use is recorded (a column dumps leave out).
    expect(diffDumps(before, await dumpDb(t.ctx.db))).toEqual([]);
  });
});
