/**
 * Paystubs and the operator's payout console through the API (issue 12 items 6-8): a
 * partner lists its paystubs and opens one with the actions it paid (paged, CSV, Excel,
 * PDF); each paid action carries its PaystubId. The operator lists runs, downloads their
 * files, marks a run sent and a paystub failed (its money back to available by correcting
 * postings, its actions unpaid, the reason shown to the partner), grants manual paystubs
 * (refused with the shortfall when the fee is not covered) and forfeits balances.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runPayouts } from '../../src/flows/run-payouts.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { ledgerBalanceMinor } from '../../src/modules/ledger/queries.js';
import { checkPayouts } from '../../src/modules/payouts/check-payouts.js';
import { accountClient, clientFor } from '../support/action-helpers.js';
import { expectProblem } from '../support/api-helpers.js';
import { startTestApp, type Client, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { pdfText, readWorkbook } from '../support/files.js';
import { asEventPayload, eventsSince, outboxCursor } from '../support/outbox.js';
import { available, DAY_MS, ibanSettings, makeAvailable, payoutWorld, saveSettings, usSettings, validateEveryStoredPain001, validatePain001OrThrow, type PayoutWorld } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks
type Body = Record<string, any>;
function ok(response: LightMyRequestResponse, status = 200): Body {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  return response.json() as Body;
}

describeDb('paystubs and payout runs through the API', (db) => {
  let t: TestApp;
  let w: PayoutWorld;
  let operator: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    w = await payoutWorld(t.ctx, db().clock, { partners: 2 });
    operator = await clientFor(t, w.operator.userId);
  });
  afterEach(async () => {
    // Every bank file a run of these tests wrote validates against its ISO 20022 schema.
    await validateEveryStoredPain001(t.ctx.db);
    await t.close();
  });

  /** The partners' balances paid by the run two days after they became available. */
  async function paidRun(amounts: string[][]): Promise<{ runId: number; actionIds: bigint[][] }> {
    const actionIds = await makeAvailable(t.ctx, db().clock, w, amounts);
    await runPayouts(t.ctx);
    db().clock.advanceMs(DAY_MS);
    const run = await runPayouts(t.ctx);
    return { runId: run.runId!, actionIds };
  }

  it('a partner lists its paystubs and opens one with its actions; each paid action carries its PaystubId', async () => {
    const [partner, other] = w.partners as [typeof w.partners[0], typeof w.partners[0]];
    await saveSettings(t.ctx, partner, usSettings());
    await saveSettings(t.ctx, other, usSettings());
    const cursor = await outboxCursor(t.ctx.db);
    const { actionIds } = await paidRun([['400.00', '100.50', '20.00'], ['300.00']]);
    const client = await accountClient(t, partner);
    const list = ok(await client.get('/api/v1/paystubs'));
    expect(list.Total).toBe(1);
    const paystub = list.Items[0];
    expect(paystub).toMatchObject({
      MediaPartnerId: partner.id,
      Kind: 'AUTOPAY',
      PaymentMethod: 'BANK_TRANSFER',
      WithdrawalMethod: 'EFT',
      Destination: '•••• 6789',
      Currency: 'USD',
      Gross: '52.05',
      Fee: '0.00',
      Net: '52.05',
      Actions: 3,
      Status: 'PROCESSING',
      FailureReason: null,
    });
    expect(ok(await client.get(`/api/v1/paystubs/${paystub.Id}`))).toEqual(paystub);
    const page = ok(await client.get(`/api/v1/paystubs/${paystub.Id}/actions?pageSize=2`));
    expect(page).toMatchObject({ Total: 3, PageSize: 2 });
    expect(page.Items[0]).toMatchObject({ PaystubId: paystub.Id, ActionId: actionIds[0]![0]!.toString(), EventTypeName: 'Sale', SaleAmount: '400.00', Payout: '40.00' });
    expect(Object.keys(page.Items[0])).toEqual(['PaystubId', 'ActionId', 'CampaignId', 'CampaignName', 'ActionTrackerId', 'EventTypeName', 'OrderId', 'SaleAmount', 'Payout', 'Currency', 'EventDate', 'LockingDate']);
    const csv = await client.get(`/api/v1/paystubs/${paystub.Id}/actions/export.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(new RegExp(`paystub-${paystub.Id}-`));
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('PaystubId,ActionId,CampaignId,CampaignName,EventTypeName,OrderId,SaleAmount,Payout,Currency,EventDate,LockingDate');
    expect(lines).toHaveLength(4);
    const { sheet } = await readWorkbook((await client.get(`/api/v1/paystubs/${paystub.Id}/actions/export.xlsx`)).rawPayload);
    expect(sheet().rows).toHaveLength(4);
    expect(pdfText((await client.get(`/api/v1/paystubs/${paystub.Id}/actions/export.pdf`)).rawPayload).texts.join(' ')).toContain(`Paystub ${paystub.Id}`);

    // The action API names the paystub; the action.paid events carry the action as the API shows it.
    const action = ok(await client.get(`/api/v1/actions/${actionIds[0]![0]}`));
    expect(action).toMatchObject({ PaystubId: paystub.Id, StatusDetail: 'Approved/Paid' });
    const paidEvents = (await eventsSince(t.ctx.db, cursor)).filter((e) => e.type === 'action.paid');
    expect(paidEvents.map((e) => e.subject).sort()).toEqual([...actionIds[0]!, ...actionIds[1]!].map((id) => `action:${id}`).sort());
    expect(paidEvents.find((e) => e.subject === `action:${actionIds[0]![0]}`)!.payload).toEqual(asEventPayload(action));

    // Another partner does not see it; a brand reads no paystubs.
    const otherClient = await accountClient(t, other);
    expect(ok(await otherClient.get('/api/v1/paystubs')).Items.map((p: Body) => p.MediaPartnerId)).toEqual([other.id]);
    expectProblem(await otherClient.get(`/api/v1/paystubs/${paystub.Id}`), 404);
    expectProblem(await otherClient.get(`/api/v1/paystubs/${paystub.Id}/actions`), 404);
    expectProblem(await (await accountClient(t, w.brand)).get('/api/v1/paystubs'), 403);
    expectProblem(await client.get('/api/v1/paystubs/0'), 400);
    expectProblem(await client.get('/api/v1/paystubs/99999'), 404);
    expectProblem(await client.get('/api/v1/paystubs?status=PAID'), 400);
  });

  it('the operator lists runs, downloads their files, marks a run sent and a paystub failed: the money is available again and the partner sees why', async () => {
    const [partner, wire] = w.partners as [typeof w.partners[0], typeof w.partners[0]];
    await saveSettings(t.ctx, partner, usSettings());
    await saveSettings(t.ctx, wire, ibanSettings());
    const { runId, actionIds } = await paidRun([['400.00'], ['500.00']]);
    const runs = ok(await operator.get('/api/v1/operator/payout-runs'));
    expect(runs.Items[0]).toMatchObject({
      Id: runId,
      Kind: 'SCHEDULED',
      Status: 'READY',
      Paystubs: 2,
      Held: 0,
      Totals: [{ Currency: 'USD', Paystubs: 2, Gross: '90.00', Fee: '25.00', Net: '65.00' }],
    });
    const detail = ok(await operator.get(`/api/v1/operator/payout-runs/${runId}`));
    expect(detail.Files).toHaveLength(1);
    const file = detail.Files[0];
    expect(file).toMatchObject({ Format: 'PAIN_001_001_03', Currency: 'USD', Part: 1, Payments: 2, Total: '65.00' });
    const download = await operator.get(`/api/v1/operator/payout-runs/${runId}/files/${file.Id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toMatch(/^application\/xml/);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${file.FileName}"`);
    expect(Buffer.byteLength(download.body)).toBe(file.Bytes);
    validatePain001OrThrow({ id: file.Id, format: file.Format, currency: 'USD', fileName: file.FileName, payments: 2, text: download.body });
    expectProblem(await operator.get(`/api/v1/operator/payout-runs/${runId}/files/99999`), 404);
    const stubs = ok(await operator.get(`/api/v1/operator/payout-runs/${runId}/paystubs`));
    const wireStub = stubs.Items.find((p: Body) => p.MediaPartnerId === wire.id);
    expect(wireStub).toMatchObject({ WithdrawalMethod: 'WIRE', Gross: '50.00', Fee: '25.00', Net: '25.00', Destination: '•••• 3000' });

    // Before the run is sent, the bank cannot have returned anything.
    expectProblem(await operator.post(`/api/v1/operator/paystubs/${wireStub.Id}/fail`, { Reason: 'Account closed' }), 409, /not sent to the bank yet/);
    const sent = ok(await operator.post(`/api/v1/operator/payout-runs/${runId}/mark-sent`));
    expect(sent).toMatchObject({ Status: 'SENT' });
    expect(sent.SentDate).not.toBeNull();
    expectProblem(await operator.post(`/api/v1/operator/payout-runs/${runId}/mark-sent`), 409, /marked sent already/);
    expect(ok(await (await accountClient(t, wire)).get(`/api/v1/paystubs/${wireStub.Id}`)).Status).toBe('SENT');

    expectProblem(await operator.post(`/api/v1/operator/paystubs/${wireStub.Id}/fail`, { Reason: ' ' }), 400, /Reason/);
    const failed = ok(await operator.post(`/api/v1/operator/paystubs/${wireStub.Id}/fail`, { Reason: 'Account closed (AC04)' }));
    expect(failed).toMatchObject({ Status: 'FAILED', FailureReason: 'Account closed (AC04)' });
    expectProblem(await operator.post(`/api/v1/operator/paystubs/${wireStub.Id}/fail`, { Reason: 'again' }), 409, /failed already/);
    // Net and fee back to available, by correcting transfers that name what they correct.
    expect(await available(t.ctx, wire)).toBe(5000n);
    expect(await ledgerBalanceMinor(t.ctx.db, 'PARTNER_PAID', wire.id, 'USD')).toBe(0n);
    expect(await ledgerBalanceMinor(t.ctx.db, 'PLATFORM_FEES', wire.id, 'USD')).toBe(0n);
    const { rows: corrections } = await t.ctx.db.query<{ kind: string; corrects: string | null }>(
      `select kind, corrects_transfer_id::text as corrects from ledger_transfers where reference = $1 order by id`,
      [`paystub:${wireStub.Id}`],
    );
    expect(corrections.map((c) => [c.kind, c.corrects !== null])).toEqual([
      ['PAYSTUB', false],
      ['PAYSTUB_FEE', false],
      ['PAYSTUB_RETURNED', true],
      ['PAYSTUB_FEE_RETURNED', true],
    ]);
    // Its action is unpaid again; the partner sees why.
    const wireClient = await accountClient(t, wire);
    expect(ok(await wireClient.get(`/api/v1/actions/${actionIds[1]![0]}`)).PaystubId).toBeNull();
    expect(ok(await wireClient.get('/api/v1/paystubs')).Items[0]).toMatchObject({ Status: 'FAILED', FailureReason: 'Account closed (AC04)' });
    expect((await checkLedger(t.ctx.db)).problems).toEqual([]);
    expect(await checkPayouts(t.ctx.db)).toEqual([]);
    // The next runs pay it again (the threshold seen again, then the next Tuesday or Thursday).
    await runPayouts(t.ctx);
    db().clock.advanceMs(2 * DAY_MS);
    const again = await runPayouts(t.ctx);
    expect(again.paid).toBe(1);
    expect(ok(await wireClient.get(`/api/v1/actions/${actionIds[1]![0]}`)).PaystubId).not.toBeNull();
    expect(await checkPayouts(t.ctx.db)).toEqual([]);
  });

  it('a manual paystub is granted below the threshold when the balance covers the fee, and refused saying by how much it falls short', async () => {
    const [partner, wire] = w.partners as [typeof w.partners[0], typeof w.partners[0]];
    await saveSettings(t.ctx, partner, usSettings('500.00'));
    await saveSettings(t.ctx, wire, ibanSettings('500.00'));
    // 10% payouts: 4.00 (below the 10.00 minimum and the threshold), and 20.00 (a wire costs 25.00).
    await makeAvailable(t.ctx, db().clock, w, [['40.00'], ['200.00']]);
    expect(await runPayouts(t.ctx)).toMatchObject({ paid: 0 });

    const refused = expectProblem(await operator.post('/api/v1/operator/manual-paystubs', { MediaPartnerId: wire.id }), 400, /falls short by 5\.01 USD/);
    expect(refused.detail).toContain('The available balance of 20.00 USD does not cover the WIRE fee of 25.00 USD and leave a remainder');
    expect((refused as unknown as { shortfall: string }).shortfall).toBe('5.01');
    const granted = ok(await operator.post('/api/v1/operator/manual-paystubs', { MediaPartnerId: partner.id }), 201);
    expect(granted.Paystub).toMatchObject({ Kind: 'MANUAL', Gross: '4.00', Fee: '0.00', Net: '4.00', Actions: 1, Status: 'PROCESSING' });
    expect(granted.Run).toMatchObject({ Kind: 'MANUAL', Status: 'READY', Paystubs: 1 });
    expect(await available(t.ctx, partner)).toBe(0n);
    const detail = ok(await operator.get(`/api/v1/operator/payout-runs/${granted.Run.Id}`));
    expect(detail.Files.map((f: Body) => [f.Format, f.Payments, f.Total])).toEqual([['PAIN_001_001_03', 1, '4.00']]);
    // Nothing left: a second one is refused; unknown partners, brands and callers other than operators too.
    expectProblem(await operator.post('/api/v1/operator/manual-paystubs', { MediaPartnerId: partner.id }), 400, /no available balance/);
    expectProblem(await operator.post('/api/v1/operator/manual-paystubs', { MediaPartnerId: w.brand.id }), 404);
    expectProblem(await (await accountClient(t, partner)).post('/api/v1/operator/manual-paystubs', { MediaPartnerId: partner.id }), 403);
    // Not during the hold after a change of bank details.
    await saveSettings(t.ctx, wire, usSettings('500.00'));
    expectProblem(await operator.post('/api/v1/operator/manual-paystubs', { MediaPartnerId: wire.id }), 409, /held until/);
    expect(await checkPayouts(t.ctx.db)).toEqual([]);
  });

  it('a forfeit moves the whole available balance to forfeited funds, recorded with who, when and why; nothing is paid later', async () => {
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(t.ctx, partner, usSettings());
    const [ids] = await makeAvailable(t.ctx, db().clock, w, [['32.00', '10.00']]);
    expectProblem(await operator.post('/api/v1/operator/forfeits', { MediaPartnerId: partner.id, Reason: '' }), 400);
    const forfeit = ok(await operator.post('/api/v1/operator/forfeits', { MediaPartnerId: partner.id, Reason: 'Closure ticket 42: the partner gives up the balance' }), 201);
    expect(forfeit).toMatchObject({
      MediaPartnerId: partner.id,
      Currency: 'USD',
      Amount: '4.20',
      Actions: 2,
      Reason: 'Closure ticket 42: the partner gives up the balance',
      ForfeitedByUserId: w.operator.userId,
      ForfeitedDate: db().clock.now().toISOString(),
    });
    expect(await available(t.ctx, partner)).toBe(0n);
    expect(await ledgerBalanceMinor(t.ctx.db, 'PARTNER_FORFEITED', partner.id, 'USD')).toBe(420n);
    const { rows } = await t.ctx.db.query<{ forfeit: number | null; paystub: string | null }>('select forfeit_id as forfeit, paystub_id::text as paystub from actions where id = any($1::bigint[])', [ids!.map(String)]);
    expect(rows).toEqual([{ forfeit: forfeit.Id, paystub: null }, { forfeit: forfeit.Id, paystub: null }]);
    const { rows: audit } = await t.ctx.db.query<{ actor: number; detail: { reason: string } }>(`select actor_user_id as actor, detail from audit_events where action = 'balance.forfeited'`);
    expect(audit).toEqual([{ actor: w.operator.userId, detail: expect.objectContaining({ reason: 'Closure ticket 42: the partner gives up the balance', amountMinor: '420' }) }]);
    expectProblem(await operator.post('/api/v1/operator/forfeits', { MediaPartnerId: partner.id, Reason: 'again' }), 409, /no available balance/);
    db().clock.advanceMs(3 * DAY_MS);
    expect(await runPayouts(t.ctx)).toMatchObject({ paid: 0 });
    expect((await checkLedger(t.ctx.db)).problems).toEqual([]);
  });

  it('the reconciliation reports a paystub whose gross differs from its actions or its net and fee', async () => {
    const [partner] = w.partners as [typeof w.partners[0]];
    await saveSettings(t.ctx, partner, usSettings());
    await paidRun([['400.00'], []]);
    expect(await checkPayouts(t.ctx.db)).toEqual([]);
    const { rows } = await t.ctx.db.query<{ id: string }>('select id::text from paystubs');
    await t.ctx.db.query('update actions set paystub_id = null where paystub_id = $1 and id = (select min(id) from actions where paystub_id = $1)', [rows[0]!.id]);
    expect(await checkPayouts(t.ctx.db)).toEqual([`paystub ${rows[0]!.id}: gross 4000 differs from the payouts of its actions and its post-lock corrections, 0`]);
  });
});
