/**
 * AllowedOperations on the action itself, through HTTP: what each caller is offered in
 * each state (the brand, an operator, the partner), the same in the list, the detail and
 * the answer of an operation, and every offered operation accepted when asked for. The
 * offer comes from the one transition table (transitions.ts); test/actions/transitions.test.ts
 * checks it against planOperation for every combination.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ActionDetail, ActionPage } from '../../src/http/contract/actions.js';
import type { RequestableOperation } from '../../src/modules/actions/types.js';
import { makeSaleAction } from '../support/actions.js';
import { accountClient, clientFor, makeActionWorld, makeClickAction, type ActionWorld } from '../support/action-helpers.js';
import { makeAccount, makeOperator, startTestApp, type Client, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract } from '../support/programs.js';

const DAY_MS = 86_400_000;
const ITEMS = [
  { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
  { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
];

describeDb('AllowedOperations of an action, per caller and state', (db) => {
  let t: TestApp;
  let w: ActionWorld;
  let brand: Client;
  let partner: Client;
  let operator: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    w = await makeActionWorld(t.ctx, db().clock);
    brand = await accountClient(t, w.brand);
    partner = await accountClient(t, w.partner);
    operator = await clientFor(t, (await makeOperator(t.ctx)).userId);
  });
  afterEach(async () => t.close());

  const sale = async (items = true) =>
    (await makeSaleAction(t.ctx, w.brand, w.partner, w.program, items ? { items: ITEMS } : { amount: '100.00' })).toString();

  async function detail(client: Client, id: string): Promise<ActionDetail> {
    const response = await client.get(`/api/v1/actions/${id}`);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    return response.json() as ActionDetail;
  }

  /** What the caller is offered on the action: in its detail and in its list, which must agree. */
  async function offered(client: Client, id: string): Promise<RequestableOperation[]> {
    const one = (await detail(client, id)).AllowedOperations;
    const page = (await client.get(`/api/v1/actions?actionId=${id}`)).json() as ActionPage;
    expect(page.Items.map((a) => a.AllowedOperations)).toEqual([one]);
    return one;
  }

  async function post(client: Client, id: string, verb: string, body: object = {}): Promise<ActionDetail> {
    const response = await client.post(`/api/v1/actions/${id}/${verb}`, body);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    return response.json() as ActionDetail;
  }

  it('a pending sale: the brand may approve, reverse, modify and reject items; reset only once it differs; an operator may re-attribute; the partner nothing', async () => {
    const id = await sale();
    expect(await offered(brand, id)).toEqual(['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM']);
    expect(await offered(operator, id)).toEqual(['REATTRIBUTE']);
    expect(await offered(partner, id)).toEqual([]);

    // The answer of an operation carries what the caller may do next.
    const modified = await post(brand, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '100.00' });
    expect(modified.AllowedOperations).toEqual(['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM', 'RESET']);
    expect(await offered(brand, id)).toEqual(modified.AllowedOperations);
    const reset = await post(brand, id, 'reset');
    expect(reset.AllowedOperations).toEqual(['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM']);
  });

  it('a sale without items offers no item rejection; one with every item but one rejected still does', async () => {
    expect(await offered(brand, await sale(false))).toEqual(['APPROVE', 'REVERSE', 'MODIFY_AMOUNT']);
    const id = await sale();
    const rejected = await post(brand, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' });
    expect(rejected.State).toBe('PENDING');
    expect(rejected.AllowedOperations).toEqual(['APPROVE', 'REVERSE', 'MODIFY_AMOUNT', 'REJECT_ITEM', 'RESET']);
  });

  it('a reversed sale: the brand may restore or reset it, nobody else anything; past its locking date nothing', async () => {
    const id = await sale();
    const reversed = await post(brand, id, 'reverse', { Reason: 'CONS_FRAUD' });
    expect(reversed.AllowedOperations).toEqual(['RESTORE', 'RESET']);
    expect(await offered(operator, id)).toEqual([]);
    expect(await offered(partner, id)).toEqual([]);
    db().clock.advanceMs(20 * DAY_MS);
    expect(await offered(brand, id)).toEqual([]);
  });

  it('an approved (locked) sale offers nothing to anyone', async () => {
    const id = await sale();
    const approved = await post(brand, id, 'approve');
    expect(approved).toMatchObject({ State: 'APPROVED', AllowedOperations: [] });
    for (const client of [brand, operator, partner]) expect(await offered(client, id)).toEqual([]);
  });

  it('past its locking date a pending sale may only be approved (early, as the lock job would), and support may do nothing', async () => {
    const id = await sale();
    db().clock.advanceMs(20 * DAY_MS);
    expect(await offered(brand, id)).toEqual(['APPROVE']);
    expect(await offered(operator, id)).toEqual([]);
  });

  it('a cost-per-click action: the brand may only approve it; support may re-attribute or reverse it', async () => {
    const id = (await makeClickAction(t.ctx, w.partner, w.program)).toString();
    expect(await offered(brand, id)).toEqual(['APPROVE']);
    expect(await offered(operator, id)).toEqual(['REATTRIBUTE', 'REVERSE_CPC']);
    expect(await offered(partner, id)).toEqual([]);
  });

  it('every operation offered is accepted when asked for', async () => {
    const other = await makeAccount(t.ctx, 'PARTNER');
    await makeContract(t.ctx, other, w.program);
    const bodies: Record<RequestableOperation, [string, object]> = {
      APPROVE: ['approve', {}],
      REVERSE: ['reverse', { Reason: 'CONS_FRAUD' }],
      MODIFY_AMOUNT: ['modify', { Reason: 'ORDER_UPDATE', Amount: '50.00' }],
      REJECT_ITEM: ['reject-item', { ItemIndex: 2, Reason: 'ITEM_RETURNED' }],
      RESTORE: ['restore', {}],
      RESET: ['reset', {}],
      REATTRIBUTE: ['reattribute', { MediaPartnerId: other.id, Reason: 'PUB_ACT_DISPUTE' }],
      REVERSE_CPC: ['reverse-cpc', { Reason: 'CONS_FRAUD' }],
    };
    // Actions in several states, each operation tried on a fresh one of its state.
    const fresh: Array<[string, () => Promise<string>]> = [
      ['pending', () => sale()],
      ['modified', async () => (await post(brand, await sale(), 'modify', { Reason: 'ORDER_UPDATE', Amount: '90.00' })).Id],
      ['reversed', async () => (await post(brand, await sale(), 'reverse', { Reason: 'CONS_FRAUD' })).Id],
      ['cpc', async () => (await makeClickAction(t.ctx, w.partner, w.program)).toString()],
    ];
    let tried = 0;
    for (const [, make] of fresh) {
      for (const [client, onOperatorRoute] of [
        [brand, false],
        [operator, true],
      ] as const) {
        for (const op of await offered(client, await make())) {
          const id = await make();
          const [verb, body] = bodies[op];
          const url = onOperatorRoute ? `/api/v1/operator/actions/${id}/${verb}` : `/api/v1/actions/${id}/${verb}`;
          const response = await client.post(url, body);
          expect({ op, status: response.statusCode, body: response.statusCode === 200 ? '' : response.body }).toEqual({ op, status: 200, body: '' });
          tried += 1;
        }
      }
    }
    expect(tried).toBeGreaterThanOrEqual(12);
  });
});
