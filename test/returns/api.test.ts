/**
 * Returns batches through the native API (issue 13 items 2 and 4), end to end on both
 * engines: a file per layout (order level, item level, reset; CSV and XML) uploaded as
 * multipart or as the raw body, stored, applied by the worker, each action's new state,
 * payout and history checked; the batch, its rows, the result file, the summary and the
 * original; the same file again; reserved names.
 */
import { expect, it } from 'vitest';
import { Worker } from '../../src/worker/worker.js';
import { accountClient, makeActionWorld, makeSales } from '../support/action-helpers.js';
import { actionRow, makeSaleAction } from '../support/actions.js';
import { startTestApp, type Client, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

function multipart(fileName: string, content: string, type = 'text/csv'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----lockstep-test-boundary';
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeDb('returns batches: native API', (context) => {
  async function setup() {
    const t: TestApp = await startTestApp(context());
    const world = await makeActionWorld(t.ctx, context().clock);
    const brand = await accountClient(t, world.brand);
    const drain = () => new Worker(t.ctx, { kinds: ['returns-batch'] }).drain();
    const upload = (client: Client, fileName: string, content: string, type?: string) => {
      const body = multipart(fileName, content, type);
      return client.request({ method: 'POST', url: `/api/v1/event-types/${world.program.saleEventTypeId}/returns-batches`, ...body });
    };
    const orderIdOf = async (id: bigint) => (await t.ctx.db.query<{ order_id: string }>('select order_id from actions where id = $1', [String(id)])).rows[0]!.order_id;
    return { t, world, brand, drain, upload, orderIdOf };
  }

  it('an order-level CSV: stored and acknowledged (202), applied by the worker, rows, result file, summary and original', async () => {
    const { t, world, brand, drain, upload, orderIdOf } = await setup();
    try {
      const [a, b, c] = await makeSales(t.ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
      const file = [
        'ActionId,Oid,ActionTrackerId,Amount,currencyCode,Reason',
        `${a},,,80.00,USD,ITEM_RETURNED`,
        `,${await orderIdOf(b!)},${world.program.saleEventTypeId},0,,CONS_FRAUD`,
        `${c},,,=1+1,,ORDER_UPDATE`,
        '999999999,,,1.00,,ORDER_UPDATE',
      ].join('\r\n');
      const sent = await upload(brand, 'mods_2026_12_03.csv', `${file}\r\n`);
      expect(sent.statusCode).toBe(202);
      const receipt = sent.json();
      expect(receipt).toMatchObject({ Status: 'RECEIVED', FileName: 'mods_2026_12_03.csv', Channel: 'UPLOAD', RowsTotal: null, Duplicate: false, ReceiptUrl: `/api/v1/returns-batches/${receipt.Id}` });
      await drain();
      const batch = (await brand.get(receipt.ReceiptUrl)).json();
      expect(batch).toMatchObject({ Status: 'DONE', Format: 'CSV', RowsTotal: 4, RowsDone: 4 });
      expect(batch.Counts).toMatchObject({ APPLIED: 2, INVALID: 1, NOT_FOUND: 1, LOCKED: 0 });
      expect(await actionRow(t.ctx, a!)).toMatchObject({ state: 'PENDING', amount_minor: 8000n, payout_minor: 800n });
      expect(await actionRow(t.ctx, b!)).toMatchObject({ state: 'REVERSED', reversal_reason: 'CONS_FRAUD' });
      expect(await actionRow(t.ctx, c!)).toMatchObject({ state: 'PENDING', amount_minor: 10000n, modification_count: 1 });
      const detail = (await brand.get(`/api/v1/actions/${a}`)).json();
      expect(detail.Modifications.at(-1)).toMatchObject({ Operation: 'MODIFY_AMOUNT', Reason: 'ITEM_RETURNED' });

      const invalid = (await brand.get(`${receipt.ReceiptUrl}/rows?outcome=INVALID`)).json();
      expect(invalid.Total).toBe(1);
      expect(invalid.Items[0]).toMatchObject({ RowNumber: 3, Outcome: 'INVALID', ActionId: null, Message: expect.stringMatching(/^Amount: /) });
      expect(invalid.Items[0].Cells).toContainEqual({ Column: 'Amount', Value: '=1+1' });

      const result = await brand.get(batch.ResultUrl);
      expect(result.statusCode).toBe(200);
      expect(result.headers['content-disposition']).toContain('result_mods_2026_12_03.csv');
      const lines = result.body.trim().split(/\r?\n/);
      expect(lines[0]).toBe('ActionId,Oid,ActionTrackerId,Amount,currencyCode,Reason,Outcome,ActionId,Message');
      expect(lines).toHaveLength(5);
      expect(lines[1]).toMatch(new RegExp(`^${a},,,80.00,USD,ITEM_RETURNED,APPLIED,${a},`));
      // A formula-looking cell is guarded, as in every download.
      expect(lines[3]).toContain(",'=1+1,");
      expect(lines[4]).toMatch(/,NOT_FOUND,,Action 999999999 does not exist/);

      const summary = (await brand.get(batch.SummaryUrl)).json();
      expect(summary).toMatchObject({ BatchId: receipt.Id, Status: 'DONE', RowsTotal: 4, Counts: { APPLIED: 2 } });
      expect(summary.DurationMs).toBeGreaterThanOrEqual(0);
      const original = await brand.get(batch.OriginalUrl);
      expect(original.body).toBe(`${file}\r\n`);

      // The same bytes again: the first batch, nothing applied again.
      const again = await upload(brand, 'mods_copy.csv', `${file}\r\n`);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ Id: receipt.Id, Duplicate: true, Status: 'DONE' });
      expect((await t.ctx.db.query<{ n: number }>('select count(*)::int as n from returns_batches')).rows[0]!.n).toBe(1);
      // The platform's own reply names are never applied.
      const reply = await upload(brand, 'result_mods.csv', `${file}\r\nextra`);
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ Status: 'IGNORED', FileName: 'result_mods.csv' });
      const list = (await brand.get(`/api/v1/returns-batches?eventTypeId=${world.program.saleEventTypeId}&status=DONE`)).json();
      expect(list.Items.map((i: { Id: string }) => i.Id)).toEqual([receipt.Id]);
    } finally {
      await t.close();
    }
  });

  it('item-level and reset files, CSV and XML, as raw bodies: each action’s items, payout and history', async () => {
    const { t, world, brand, drain, orderIdOf } = await setup();
    try {
      const items = await makeSaleAction(t.ctx, world.brand, world.partner, world.program, {
        items: [
          { Sku: 'TENT-2P', Category: 'Tents', Quantity: 1, Amount: '250.00' },
          { Sku: 'STOVE-1', Category: 'Stoves', Quantity: 1, Amount: '50.00' },
        ],
      });
      const xmlItems = await makeSaleAction(t.ctx, world.brand, world.partner, world.program, {
        items: [{ Sku: 'BOOT-42', Category: 'Boots', Quantity: 2, Amount: '200.00' }],
      });
      const [toReset] = await makeSales(t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '60.00' });
      await brand.post(`/api/v1/actions/${toReset}/reverse`, { Reason: 'CONS_FRAUD' });
      const raw = (body: string, fileName: string, type: string) =>
        brand.request({
          method: 'POST',
          url: `/api/v1/event-types/${world.program.saleEventTypeId}/returns-batches?fileName=${fileName}`,
          payload: body,
          headers: { 'content-type': type },
        });
      const csv = `ActionId,Sku1,Category1,Quantity1,Amount1,Sku2,Category2,Quantity2,Amount2,Reason\n${items},TENT-2P,Tents,1,200.00,STOVE-1,Stoves,0,0,ITEM_RETURNED\n`;
      expect((await raw(csv, 'items.csv', 'text/csv')).statusCode).toBe(202);
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Rows><Row><Oid>${await orderIdOf(xmlItems)}</Oid><ActionTrackerId>${world.program.saleEventTypeId}</ActionTrackerId><Sku1>BOOT-42</Sku1><Quantity1>1</Quantity1><Amount1>100.00</Amount1><Reason>ORDER_UPDATE</Reason></Row></Rows>\n`;
      expect((await raw(xml, 'items.xml', 'application/xml')).statusCode).toBe(202);
      const reset = `<Rows><Row><Oid>${await orderIdOf(toReset!)}</Oid><ActionTrackerId>${world.program.saleEventTypeId}</ActionTrackerId><Reason>RESET</Reason></Row></Rows>`;
      expect((await raw(reset, 'reset.xml', 'text/xml')).statusCode).toBe(202);
      await drain();
      const batches = (await brand.get('/api/v1/returns-batches')).json();
      expect(batches.Items.map((b: { FileName: string; Status: string; Counts: { APPLIED: number } }) => `${b.FileName} ${b.Status} ${b.Counts.APPLIED}`).sort()).toEqual([
        'items.csv DONE 1',
        'items.xml DONE 1',
        'reset.xml DONE 1',
      ]);
      // The tent at 200.00 pays 20% (its group); the stove is rejected.
      expect(await actionRow(t.ctx, items)).toMatchObject({ state: 'PENDING', amount_minor: 20000n, payout_minor: 4000n });
      const detail = (await brand.get(`/api/v1/actions/${items}`)).json();
      expect(detail.Items.map((i: { Sku: string; Quantity: number; Rejected: boolean }) => `${i.Sku} ${i.Quantity} ${i.Rejected}`)).toEqual(['TENT-2P 1 false', 'STOVE-1 0 true']);
      expect(detail.Modifications.slice(1).map((m: { Operation: string }) => m.Operation)).toEqual(['REJECT_ITEM', 'MODIFY_AMOUNT']);
      expect(await actionRow(t.ctx, xmlItems)).toMatchObject({ state: 'PENDING', amount_minor: 10000n, payout_minor: 1000n });
      expect(await actionRow(t.ctx, toReset!)).toMatchObject({ state: 'PENDING', amount_minor: 6000n, reversal_reason: null });
    } finally {
      await t.close();
    }
  });

  it('a file that cannot be read fails with the reason and applies nothing; a partner and another brand see nothing', async () => {
    const { t, world, brand, drain, upload } = await setup();
    try {
      const sent = await upload(brand, 'binary.csv', '\u0000\u0001\u0002PK\u0003\u0004');
      expect(sent.statusCode).toBe(202);
      await drain();
      const batch = (await brand.get(sent.json().ReceiptUrl)).json();
      expect(batch.Status).toBe('FAILED');
      expect(batch.Error).toEqual(expect.any(String));
      expect((await brand.get(batch.ResultUrl)).statusCode).toBe(409);
      const partner = await accountClient(t, world.partner);
      expect((await partner.get(sent.json().ReceiptUrl)).statusCode).toBe(403);
      expect((await upload(partner, 'x.csv', 'ActionId,Reason\n1,RESET\n')).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
