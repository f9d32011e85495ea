/**
 * Issue 17 item 8: a conversion or an operation made with an API credential is recorded
 * with that credential as its actor ("API: <label>"), not as the person who created the
 * token; what a person does in a session still shows their name; partners see neither.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeClick, nextOrderId } from '../support/actions.js';
import { clientFor, makeActionWorld, type ActionWorld } from '../support/action-helpers.js';
import { expectOk, issueToken } from '../support/api-helpers.js';
import type { Client, TestApp } from '../support/app.js';
import { startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

describeDb('the credential as the actor (issue 17 item 8)', (db) => {
  let t: TestApp;
  let w: ActionWorld;
  let brand: Client;
  let partner: Client;
  beforeEach(async () => {
    t = await startTestApp(db());
    w = await makeActionWorld(t.ctx, db().clock);
    brand = await clientFor(t, w.brand.adminUserId, w.brand.id);
    partner = await clientFor(t, w.partner.adminUserId, w.partner.id);
    await t.ctx.db.query(`update users set name = 'Alex Acme' where id = $1`, [w.brand.adminUserId]);
  });
  afterEach(async () => t.close());

  type Mod = { Operation: string; ActorKind: string; ActorUserId: number | null; ActorName: string | null; ActorCredentialId: number | null };

  it('a conversion and an operation made with a token name the token in the history; a session change names the person', async () => {
    const shop = await issueToken(brand, 'Shopify sync');
    const unlabelled = await issueToken(brand, '');
    const clickId = await makeClick(t.ctx, w.partner, w.program, new Date(t.ctx.clock.now().getTime() - 60_000));
    const created = expectOk(
      await shop.client.post('/api/v1/conversions', {
        ActionTrackerId: w.program.saleEventTypeId,
        OrderId: nextOrderId(),
        EventDate: t.ctx.clock.now().toISOString(),
        ClickId: clickId,
        Amount: '80.00',
      }),
      201,
    );
    const id = created.ActionId as string;
    expectOk(await unlabelled.client.post(`/api/v1/actions/${id}/modify`, { Reason: 'ORDER_UPDATE', Amount: '70.00' }));
    expectOk(await brand.post(`/api/v1/actions/${id}/modify`, { Reason: 'ORDER_UPDATE', Amount: '60.00' }));

    const history = (expectOk(await brand.get(`/api/v1/actions/${id}`)).Modifications as Mod[]).map((m) => [m.Operation, m.ActorName, m.ActorCredentialId]);
    expect(history).toEqual([
      ['CREATE', 'API: Shopify sync', shop.id],
      ['MODIFY_AMOUNT', `API: token …${unlabelled.authToken.slice(-4)}`, unlabelled.id],
      ['MODIFY_AMOUNT', 'Alex Acme', null],
    ]);
    // The same history read with the token: the actor is the credential there too.
    expect((expectOk(await shop.client.get(`/api/v1/actions/${id}`)).Modifications as Mod[])[0]).toMatchObject({ ActorName: 'API: Shopify sync' });
    // The token's creator is kept (the token acts with that member's role), but never shown as the one who acted.
    const stored = await t.ctx.db.query<{ actorUserId: number; credentialId: number | null }>(
      `select actor_user_id as "actorUserId", actor_credential_id as "credentialId" from action_modifications where action_id = $1 order by seq`,
      [id],
    );
    expect(stored.rows).toEqual([
      { actorUserId: w.brand.adminUserId, credentialId: shop.id },
      { actorUserId: w.brand.adminUserId, credentialId: unlabelled.id },
      { actorUserId: w.brand.adminUserId, credentialId: null },
    ]);
    // A partner sees that the brand changed its action, not who nor with which credential.
    for (const m of expectOk(await partner.get(`/api/v1/actions/${id}`)).Modifications as Mod[]) {
      expect(m).toMatchObject({ ActorKind: 'BRAND', ActorUserId: null, ActorName: null, ActorCredentialId: null });
    }
    // A bulk operation with the token is recorded the same way; a revoked token's name stays in the history.
    expectOk(await shop.client.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: [id] }));
    expectOk(await brand.delete(`/api/v1/credentials/${shop.id}`), 204);
    expect((expectOk(await brand.get(`/api/v1/actions/${id}`)).Modifications as Mod[]).at(-1)).toMatchObject({
      Operation: 'APPROVE',
      ActorName: 'API: Shopify sync',
      ActorCredentialId: shop.id,
    });
  });

  it('audit rows of changes made with a token record the credential', async () => {
    const token = await issueToken(brand, 'Terraform');
    const created = expectOk(await token.client.post('/api/v1/programs', { Name: 'API program', Currency: 'USD', TimeZone: 'UTC', WebsiteUrl: 'https://shop.example/' }), 201);
    expectOk(await brand.post('/api/v1/programs', { Name: 'UI program', Currency: 'USD', TimeZone: 'UTC', WebsiteUrl: 'https://shop.example/' }), 201);
    const { rows } = await t.ctx.db.query<{ subject: string; credentialId: number | null; actorUserId: number }>(
      `select subject, actor_credential_id as "credentialId", actor_user_id as "actorUserId" from audit_events where action = 'program.created' order by id`,
    );
    expect(rows.map((r) => [r.subject === `program:${created.Id}`, r.credentialId])).toEqual([
      [false, null], // the world's own program, made in code by the admin
      [true, token.id],
      [false, null],
    ]);
  });
});
