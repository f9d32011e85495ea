/**
 * The impact-compatible Actions API (issue 13 item 5): PUT and DELETE /Advertisers/{SID}/Actions
 * as impact.com's scripts send them (form-urlencoded or JSON, HTTP Basic), each QUEUED as a
 * one-row batch and applied by the worker through the returns engine; the submission's status
 * as impact.com answers it; errors in impact.com's envelope.
 */
import { expect, it } from 'vitest';
import { issueApiToken } from '../../src/modules/accounts/api-tokens.js';
import { Worker } from '../../src/worker/worker.js';
import { makeActionWorld } from '../support/action-helpers.js';
import { actionRow, makeSaleAction } from '../support/actions.js';
import { makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

describeDb('impact-compatible Actions API', (context) => {
  async function setup() {
    const t: TestApp = await startTestApp(context());
    const world = await makeActionWorld(t.ctx, context().clock);
    const token = await issueApiToken(t.ctx, world.brand.actor, { label: 'migrated script' });
    const auth = `Basic ${Buffer.from(`${token.accountSid}:${token.authToken}`).toString('base64')}`;
    const call = (method: 'PUT' | 'DELETE' | 'GET', url: string, body?: string, type = 'application/x-www-form-urlencoded') =>
      t.app.inject({ method, url, headers: { authorization: auth, ...(body !== undefined ? { 'content-type': type } : {}) }, ...(body !== undefined ? { payload: body } : {}) });
    const drain = () => new Worker(t.ctx, { kinds: ['returns-batch'] }).drain();
    return { t, world, sid: token.accountSid, call, drain };
  }

  it('modifies by PUT (form), reverses by DELETE (JSON, .json suffix), each QUEUED then Complete, with the action changed and its history', async () => {
    const { t, world, sid, call, drain } = await setup();
    try {
      const a = await makeSaleAction(t.ctx, world.brand, world.partner, world.program, { amount: '100.00' });
      const b = await makeSaleAction(t.ctx, world.brand, world.partner, world.program, { amount: '40.00' });
      const put = await call('PUT', `/Advertisers/${sid}/Actions`, form({ ActionId: `${a}`, Amount: '75.50', Reason: 'ORDER_UPDATE' }));
      expect(put.statusCode).toBe(200);
      const queued = put.json();
      expect(queued.Status).toBe('QUEUED');
      expect(queued.QueuedUri).toMatch(new RegExp(`^/Advertisers/${sid}/APISubmissions/A-[0-9a-f-]{36}$`));
      const before = (await call('GET', queued.QueuedUri)).json();
      expect(before).toMatchObject({ Type: 'Modification', Status: 'Queued', CompletionDate: '' });

      const orderId = (await t.ctx.db.query<{ order_id: string }>('select order_id from actions where id = $1', [String(b)])).rows[0]!.order_id;
      const del = await call(
        'DELETE',
        `/Advertisers/${sid}/Actions.json`,
        JSON.stringify({ ActionTrackerId: world.program.saleEventTypeId, OrderId: orderId, DispositionCode: 'ITEM_RETURNED' }),
        'application/json',
      );
      expect(del.statusCode).toBe(200);
      await drain();

      expect(await actionRow(t.ctx, a)).toMatchObject({ state: 'PENDING', amount_minor: 7550n, payout_minor: 755n, modification_count: 2 });
      expect(await actionRow(t.ctx, b)).toMatchObject({ state: 'REVERSED', reversal_reason: 'ITEM_RETURNED' });
      const after = (await call('GET', queued.QueuedUri)).json();
      expect(after).toMatchObject({ BatchId: queued.QueuedUri.split('/').pop(), Type: 'Modification', Status: 'Complete', Outcome: 'APPLIED', ErrorType: '', ActionId: `${a}` });
      expect(after.Payload).toBe(`ActionId=${a}&Amount=75.50&Reason=ORDER_UPDATE`);
      const reversal = (await call('GET', `${del.json().QueuedUri}.json`)).json();
      expect(reversal).toMatchObject({ Type: 'Reversal', Status: 'Complete', Outcome: 'APPLIED', OrderId: orderId });
      // The same change as the UI's: a modification record in the brand's name, and its event.
      const { rows } = await t.ctx.db.query<{ operation: string; actor_kind: string; actor_user_id: number }>(
        'select operation, actor_kind, actor_user_id from action_modifications where action_id = $1 and seq = 2',
        [String(b)],
      );
      expect(rows[0]).toEqual({ operation: 'REVERSE', actor_kind: 'BRAND', actor_user_id: world.brand.adminUserId });
    } finally {
      await t.close();
    }
  });

  it('answers errors in impact.com’s envelope: a missing DispositionCode, an unknown parameter, bad credentials, another brand’s action', async () => {
    const { t, world, sid, call } = await setup();
    try {
      const a = await makeSaleAction(t.ctx, world.brand, world.partner, world.program);
      const missing = await call('DELETE', `/Advertisers/${sid}/Actions`, form({ ActionId: `${a}` }));
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({ Status: 'ERROR', Message: 'Validation Failed', Errors: [{ Field: 'DispositionCode', Message: expect.stringMatching(/^required/) }] });
      const unknown = await call('PUT', `/Advertisers/${sid}/Actions`, form({ ActionId: `${a}`, Amount: '1.00', Colour: 'red' }));
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().Errors[0].Field).toBe('Colour');
      const anonymous = await t.app.inject({ method: 'PUT', url: `/Advertisers/${sid}/Actions`, payload: form({ ActionId: `${a}`, Amount: '1.00' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().Status).toBe('ERROR');
      const other = await makeAccount(t.ctx, 'BRAND');
      const wrongSid = await call('PUT', `/Advertisers/${other.sid}/Actions`, form({ ActionId: `${a}`, Amount: '1.00' }));
      expect(wrongSid.statusCode).toBe(403);
      const otherToken = await issueApiToken(t.ctx, other.actor, {});
      const asOther = await t.app.inject({
        method: 'PUT',
        url: `/Advertisers/${other.sid}/Actions`,
        payload: form({ ActionId: `${a}`, Amount: '1.00' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${other.sid}:${otherToken.authToken}`).toString('base64')}` },
      });
      expect(asOther.statusCode).toBe(404);
      expect(asOther.json()).toEqual({ Status: 'ERROR', Message: `Action ${a} does not exist or is not visible to this account.`, Errors: [] });
      // Nothing was queued by any of them.
      const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from returns_batches');
      expect(rows[0]!.n).toBe(0);
      expect(await actionRow(t.ctx, a)).toMatchObject({ state: 'PENDING', modification_count: 1 });
    } finally {
      await t.close();
    }
  });
});
