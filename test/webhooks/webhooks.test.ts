/**
 * Webhooks end to end (issue 16 item 6): endpoints through the API, events of the outbox
 * fanned out to the endpoints of the accounts they concern, signed per Standard Webhooks
 * and checked by a local receiver with the standardwebhooks package's Webhook.verify;
 * URLs that point inside the platform refused on save and at delivery; every failure of
 * a receiver retried with backoff (the services' clock moved), in order per resource;
 * five days of failures disable the endpoint and tell its admins; a rotated secret
 * signs beside the new one for 24 hours.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { configureMail } from '../../src/outbox/emails.js';
import { recordEvents } from '../../src/outbox/record-events.js';
import { deliverWebhooksUntilIdle } from '../../src/modules/webhooks/pump.js';
import { configureWebhooks } from '../../src/modules/webhooks/transport.js';
import type { LookupAll } from '../../src/modules/webhooks/url-safety.js';
import { isInternalAddress } from '../../src/modules/webhooks/url-safety.js';
import { expectOk, quickAccount, sessionClient } from '../support/api-helpers.js';
import { makeSaleAction } from '../support/actions.js';
import { startTestApp, testConfig, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A stand-in for DNS (the tests' names are not in any zone): names to addresses, changeable mid-test (rebinding). */
const names = new Map<string, string[]>();
const fakeLookup: LookupAll = async (hostname) => {
  const addresses = names.get(hostname);
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

interface World {
  t: TestApp;
  A: TestAccount;
  B: TestAccount;
  P: TestAccount;
  Q: TestAccount;
  program: TestProgram;
  admin: (account: TestAccount) => Promise<Client>;
}

describeDb('webhooks', (db) => {
  let w: World;
  const receivers: WebhookReceiver[] = [];
  const receiver = async () => {
    const r = await new WebhookReceiver().start();
    receivers.push(r);
    return r;
  };

  beforeEach(async () => {
    names.clear();
    const t = await startTestApp(db(), { webhookAllowedHosts: ['127.0.0.1'] });
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1'] }), { lookup: fakeLookup, timeoutMs: 500 });
    const { ctx } = t;
    const A = await quickAccount(ctx, 'BRAND');
    const B = await quickAccount(ctx, 'BRAND');
    const P = await quickAccount(ctx, 'PARTNER');
    const Q = await quickAccount(ctx, 'PARTNER');
    const program = await makeProgram(ctx, A);
    await makeContract(ctx, P, program);
    (ctx.clock as ManualClock).advanceMs(HOUR);
    w = { t, A, B, P, Q, program, admin: (account) => sessionClient(t, account.adminUserId) };
  });

  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.stop();
    configureMail({ smtpRelayUrl: undefined, mailFrom: '', publicUrl: '', secretsKey: undefined, dataDir: '' });
    await w?.t.close();
  });

  const clock = () => w.t.ctx.clock as ManualClock;
  const deliver = () => deliverWebhooksUntilIdle(w.t.ctx);

  async function addEndpoint(account: TestAccount, url: string, eventTypes: string[] = ['action.created', 'action.approved']) {
    const admin = await w.admin(account);
    const created = expectOk<{ Id: string; Secret: string }>(await admin.post('/api/v1/webhooks/endpoints', { Url: url, EventTypes: eventTypes, Description: 'test' }), 201);
    expect(created.Secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    return created;
  }

  async function deliveries(endpointId: string) {
    const admin = await w.admin(w.A);
    return (await admin.get(`/api/v1/webhooks/endpoints/${endpointId}/deliveries?pageSize=500`)).json().Items as Array<Record<string, unknown>>;
  }

  it('approving an action through the API sends action.approved, signed, to the brand and the partner only', async () => {
    const [brandHook, otherBrandHook, partnerHook, otherPartnerHook] = [await receiver(), await receiver(), await receiver(), await receiver()];
    const a = await addEndpoint(w.A, brandHook.url);
    brandHook.secrets = [a.Secret];
    otherBrandHook.secrets = [(await addEndpoint(w.B, otherBrandHook.url)).Secret];
    partnerHook.secrets = [(await addEndpoint(w.P, partnerHook.url, ['action.approved'])).Secret];
    otherPartnerHook.secrets = [(await addEndpoint(w.Q, otherPartnerHook.url, ['action.approved'])).Secret];

    const actionId = await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    const brand = await w.admin(w.A);
    expectOk(await brand.post(`/api/v1/actions/${actionId}/approve`, {}));
    const summary = await deliver();
    expect(summary.delivered).toBe(3);

    expect(brandHook.received.map((r) => r.event.Type)).toEqual(['action.created', 'action.approved']);
    const approved = brandHook.ofType('action.approved')[0]!;
    expect(approved.verifiedBy).toEqual([0]);
    expect(approved.event).toMatchObject({ Type: 'action.approved', Subject: `action:${actionId}`, AccountIds: [w.A.id, w.P.id] });
    expect(approved.event.Payload).toMatchObject({ Id: actionId.toString(), State: 'APPROVED' });
    expect(approved.id).toMatch(new RegExp(`^evt_${approved.event.Id}_${a.Id}$`));
    expect(Math.abs(Number(approved.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(partnerHook.received.map((r) => r.event.Type)).toEqual(['action.approved']);
    expect(partnerHook.received[0]!.verifiedBy).toEqual([0]);
    // A brand's endpoint never gets another brand's event; a partner's only what concerns it.
    expect(otherBrandHook.received).toEqual([]);
    expect(otherPartnerHook.received).toEqual([]);

    // The delivery log: the request, the response code, the time, the attempts.
    const log = await deliveries(a.Id);
    expect(log.map((d) => [d.EventType, d.State, d.Attempts, d.LastResponseCode])).toEqual([
      ['action.approved', 'DELIVERED', 1, 200],
      ['action.created', 'DELIVERED', 1, 200],
    ]);
    const detail = expectOk(await brand.get(`/api/v1/webhooks/deliveries/${log[0]!.Id}`));
    expect(detail.Request).toMatchObject({ Type: 'action.approved', Subject: `action:${actionId}` });
    expect(detail.AttemptLog).toEqual([expect.objectContaining({ Attempt: 1, ResponseCode: 200, Response: 'thanks', WebhookId: approved.id })]);
    // The metrics: attempts by outcome, and the queue's depth.
    const metrics = (await w.t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/lockstep_webhook_attempts_total\{outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/lockstep_webhook_queue_depth\{state="PENDING"\} 0/);
    // Brand B cannot see A's endpoint or delivery.
    const other = await w.admin(w.B);
    expect((await other.get(`/api/v1/webhooks/deliveries/${log[0]!.Id}`)).statusCode).toBe(404);
    expect((await other.get(`/api/v1/webhooks/endpoints/${a.Id}/deliveries`)).statusCode).toBe(404);
  });

  it('refuses URLs that point inside the platform when saving, and nothing is stored', async () => {
    const admin = await w.admin(w.A);
    // Only 127.0.0.1 is allowed: plain HTTP and internal addresses anywhere else are refused.
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1'] }), { lookup: fakeLookup });
    names.set('rebind.example', ['127.0.0.1']);
    names.set('inside.example', ['93.184.216.34', '10.1.2.3']);
    names.set('public.example', ['93.184.216.34']);
    const refused = [
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'https://0.0.0.0/hook',
      'https://rebind.example/hook',
      'https://inside.example/hook',
      'https://nowhere.example/hook',
      'http://public.example/hook',
      'ftp://public.example/hook',
      'https://user:pw@public.example/hook',
      'not a url',
    ];
    for (const url of refused) {
      const response = await admin.post('/api/v1/webhooks/endpoints', { Url: url, EventTypes: ['action.approved'] });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await admin.get('/api/v1/webhooks/endpoints')).json().Items).toEqual([]);
    expectOk(await admin.post('/api/v1/webhooks/endpoints', { Url: 'https://public.example/hook', EventTypes: ['action.approved'] }), 201);
    expect(isInternalAddress('8.8.8.8')).toBe(false);
    expect(isInternalAddress('2001:4860:4860::8888')).toBe(false);
  });

  it('checks again at delivery: a name that now resolves inside (rebinding), or a host no longer allowed, is not connected to', async () => {
    const hook = await receiver();
    names.set('rebind.example', ['93.184.216.34']);
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1', '10.0.0.1'] }), { lookup: fakeLookup, timeoutMs: 500 });
    const rebinding = await addEndpoint(w.A, `https://rebind.example:${hook.port}/hooks`);
    const tenNet = await addEndpoint(w.A, 'http://10.0.0.1/hooks');
    const allowed = await addEndpoint(w.A, hook.url);
    // A name allowed by WEBHOOK_ALLOWED_HOSTS: resolved through the checked lookup, and connected to at that address.
    names.set('receiver.test', ['127.0.0.1']);
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1', '10.0.0.1', 'receiver.test'] }), { lookup: fakeLookup, timeoutMs: 500 });
    const byName = await addEndpoint(w.A, `http://receiver.test:${hook.port}/by-name`);
    hook.secrets = [allowed.Secret, byName.Secret];
    // Now the name points at the loopback address, and 10.0.0.1 is no longer allowed.
    names.set('rebind.example', ['127.0.0.1']);
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1', 'receiver.test'] }), { lookup: fakeLookup, timeoutMs: 500 });
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    await deliver();
    expect(hook.received.map((r) => [r.path, r.verifiedBy]).sort()).toEqual([
      ['/by-name', [1]],
      ['/hooks', [0]],
    ]);
    for (const endpoint of [rebinding, tenNet]) {
      const [delivery] = await deliveries(endpoint.Id);
      expect(delivery).toMatchObject({ State: 'PENDING', Attempts: 1, LastResponseCode: null });
      expect(String(delivery!.LastError)).toMatch(/^Refused before connecting: .*(private, loopback|plain http)/);
    }
  });

  it('a slow receiver, a redirect, a 500 and a closed connection are failed attempts, retried with backoff until the receiver answers', async () => {
    const hook = await receiver();
    const endpoint = await addEndpoint(w.A, hook.url, ['action.created']);
    hook.secrets = [endpoint.Secret];
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    const modes = [{ kind: 'slow', ms: 2000 }, { kind: 'redirect' }, { kind: 'status', status: 500 }, { kind: 'close' }] as const;
    const errors: string[] = [];
    let waited = 0;
    for (const [index, mode] of modes.entries()) {
      hook.mode = mode;
      const round = await deliver();
      expect(round.sent, mode.kind).toBe(1);
      expect(round.delivered).toBe(0);
      const [delivery] = await deliveries(endpoint.Id);
      expect(delivery).toMatchObject({ State: 'PENDING', Attempts: index + 1 });
      errors.push(String(delivery!.LastError));
      // Nothing is due before the backoff has passed; then it is.
      const wait = Date.parse(String(delivery!.NextAttemptDate)) - clock().now().getTime();
      expect(wait).toBeGreaterThanOrEqual(5_000 * 2 ** index);
      expect(wait).toBeLessThanOrEqual(5_500 * 2 ** index);
      expect((await deliver()).sent).toBe(0);
      clock().advanceMs(wait);
      waited += wait;
    }
    expect(errors[0]).toMatch(/timed out/);
    expect(errors[1]).toMatch(/^HTTP 302: a redirect/);
    expect(errors[2]).toMatch(/^HTTP 500/);
    expect(errors[3]).toMatch(/closed the connection/);
    // The redirect was not followed.
    expect(hook.received.filter((r) => r.path === '/elsewhere')).toEqual([]);
    hook.mode = { kind: 'ok' };
    expect((await deliver()).delivered).toBe(1);
    const [delivery] = await deliveries(endpoint.Id);
    expect(delivery).toMatchObject({ State: 'DELIVERED', Attempts: 5, LastResponseCode: 200 });
    const detail = expectOk((await (await w.admin(w.A)).get(`/api/v1/webhooks/deliveries/${delivery!.Id}`)));
    expect(detail.AttemptLog.map((a: { ResponseCode: number | null }) => a.ResponseCode)).toEqual([200, null, 500, 302, null]);
    // Every attempt carried the same webhook-id: a receiver drops the duplicates.
    expect(new Set(hook.received.map((r) => r.id)).size).toBe(1);
    expect(waited).toBeGreaterThan(0);
  });

  it('a receiver down for an hour gets everything once it is back, in order per resource', async () => {
    const hook = await receiver();
    const endpoint = await addEndpoint(w.A, hook.url, ['action.created', 'action.approved', 'action.modified']);
    hook.secrets = [endpoint.Secret];
    const port = hook.port;
    await hook.stop();
    const now = clock().now();
    // Three resources, four events each, interleaved.
    await w.t.ctx.db.transaction((tx) =>
      recordEvents(
        tx,
        Array.from({ length: 12 }, (_, i) => ({
          type: (['action.created', 'action.approved', 'action.modified', 'action.modified'] as const)[Math.floor(i / 3)]!,
          subject: `action:${900 + (i % 3)}`,
          accountIds: [w.A.id, w.P.id],
          payload: { Id: String(900 + (i % 3)), Step: Math.floor(i / 3) },
          occurredAt: now,
        })),
      ),
    );
    for (let minute = 0; minute <= 60; minute += 5) {
      const round = await deliver();
      // Only the head of each resource is ever tried while the receiver is down.
      expect(round.delivered).toBe(0);
      expect(round.sent).toBeLessThanOrEqual(3);
      clock().advanceMs(5 * 60_000);
    }
    const waiting = await deliveries(endpoint.Id);
    expect(waiting).toHaveLength(12);
    expect(waiting.filter((d) => d.Attempts !== 0).map((d) => d.Subject).sort()).toEqual(['action:900', 'action:901', 'action:902']);
    await hook.start(port);
    for (let round = 0; round < 20 && hook.received.length < 12; round++) {
      await deliver();
      clock().advanceMs(HOUR);
    }
    expect(hook.received).toHaveLength(12);
    for (const subject of ['action:900', 'action:901', 'action:902']) {
      const steps = hook.received.filter((r) => r.event.Subject === subject).map((r) => r.event.Payload.Step);
      expect(steps, subject).toEqual([0, 1, 2, 3]);
    }
    expect(hook.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
  });

  it('gives a delivery up after 3 days, disables an endpoint after 5 days of failures and e-mails its admins', async () => {
    configureMail({ smtpRelayUrl: 'smtp://127.0.0.1:9', mailFrom: 'Lockstep <no-reply@lockstep.test>', publicUrl: 'http://lockstep.test', secretsKey: testConfig().secretsKey, dataDir: '/nonexistent' });
    const hook = await receiver();
    hook.mode = { kind: 'status', status: 503 };
    const endpoint = await addEndpoint(w.A, hook.url, ['action.created']);
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    const start = clock().now().getTime();
    let secondSent = false;
    const stateAt: Record<string, string> = {};
    while (clock().now().getTime() - start < 6 * DAY) {
      await deliver();
      const elapsed = clock().now().getTime() - start;
      if (!secondSent && elapsed >= 2.5 * DAY) {
        // A later event keeps the endpoint failing past the first one's three days.
        await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
        secondSent = true;
      }
      const { rows } = await w.t.ctx.db.query<{ enabled: boolean }>('select enabled from webhook_endpoints where id = $1', [endpoint.Id]);
      stateAt[`${Math.floor(elapsed / DAY)}`] = rows[0]!.enabled ? 'enabled' : 'disabled';
      if (!rows[0]!.enabled) break;
      clock().advanceMs(HOUR);
    }
    const log = await deliveries(endpoint.Id);
    const first = log.at(-1)!;
    expect(first.State).toBe('FAILED');
    expect(Date.parse(String(first.LastAttemptDate)) - start).toBeGreaterThanOrEqual(3 * DAY - HOUR);
    expect(Date.parse(String(first.LastAttemptDate)) - start).toBeLessThanOrEqual(3 * DAY + HOUR);
    expect(Number(first.Attempts)).toBeGreaterThan(10);
    const { rows } = await w.t.ctx.db.query<{ enabled: boolean; reason: string; disabled_at: Date }>(
      'select enabled, disabled_reason as reason, disabled_at from webhook_endpoints where id = $1',
      [endpoint.Id],
    );
    expect(rows[0]!.enabled).toBe(false);
    expect(rows[0]!.reason).toMatch(/^Disabled after 5 days in which every delivery failed/);
    const disabledAfter = rows[0]!.disabled_at.getTime() - start;
    expect(disabledAfter).toBeGreaterThanOrEqual(5 * DAY);
    expect(disabledAfter).toBeLessThan(5 * DAY + 7 * HOUR);
    expect(stateAt['4']).toBe('enabled');
    const { rows: emails } = await w.t.ctx.db.query<{ n: number }>(`select count(*)::int as n from outbox_emails where purpose = 'webhook-endpoint-disabled'`);
    expect(emails[0]!.n).toBe(1);
    // Disabled: nothing more is tried; enabled again, what waited goes out.
    const tried = hook.received.length;
    clock().advanceMs(DAY);
    await deliver();
    expect(hook.received.length).toBe(tried);
    hook.mode = { kind: 'ok' };
    hook.received.length = 0;
    expectOk(await (await w.admin(w.A)).patch(`/api/v1/webhooks/endpoints/${endpoint.Id}`, { Enabled: true }));
    await deliver();
    expect(hook.received.map((r) => r.event.Type)).toEqual(['action.created']);
  });

  it('a rotated secret keeps signing beside the new one for 24 hours', async () => {
    const hook = await receiver();
    const endpoint = await addEndpoint(w.A, hook.url, ['action.created']);
    const admin = await w.admin(w.A);
    const rotated = expectOk<{ Secret: string; PreviousSecretExpiresDate: string }>(await admin.post(`/api/v1/webhooks/endpoints/${endpoint.Id}/rotate-secret`, {}));
    expect(rotated.Secret).not.toBe(endpoint.Secret);
    expect(Date.parse(rotated.PreviousSecretExpiresDate) - clock().now().getTime()).toBe(DAY);
    // The secret is not shown again.
    expect(JSON.stringify((await admin.get(`/api/v1/webhooks/endpoints/${endpoint.Id}`)).json())).not.toContain('whsec_');
    hook.secrets = [endpoint.Secret, rotated.Secret];
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    await deliver();
    expect(hook.received[0]!.signature.split(' ')).toHaveLength(2);
    expect(hook.received[0]!.verifiedBy).toEqual([0, 1]);
    clock().advanceMs(DAY + 1000);
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    await deliver();
    expect(hook.received[1]!.signature.split(' ')).toHaveLength(1);
    expect(hook.received[1]!.verifiedBy).toEqual([1]);
    const { rows } = await w.t.ctx.db.query<{ secret: string }>('select secret_encrypted as secret from webhook_endpoints where id = $1', [endpoint.Id]);
    expect(rows[0]!.secret).toMatch(/^v1:/);
    expect(rows[0]!.secret).not.toContain(rotated.Secret.slice(6, 20));
  });

  it('send test event, replay a delivery and replay an event', async () => {
    const hook = await receiver();
    const endpoint = await addEndpoint(w.A, hook.url, ['action.approved']);
    hook.secrets = [endpoint.Secret];
    const admin = await w.admin(w.A);
    const test = expectOk(await admin.post(`/api/v1/webhooks/endpoints/${endpoint.Id}/test`, {}), 202);
    expect(test).toMatchObject({ EventType: 'webhook.test', State: 'PENDING' });
    await deliver();
    expect(hook.received.map((r) => [r.event.Type, r.verifiedBy])).toEqual([['webhook.test', [0]]]);
    expectOk(await admin.post(`/api/v1/webhooks/deliveries/${test.Id}/replay`, {}), 202);
    await deliver();
    expect(hook.received.map((r) => r.id)).toEqual([test.WebhookId, test.WebhookId]);
    // action.created is not subscribed: a replay of the event sends it anyway.
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    await deliver();
    expect(hook.received).toHaveLength(2);
    const { rows } = await w.t.ctx.db.query<{ id: string }>(`select id::text from outbox_events where type = 'action.created' order by id desc limit 1`);
    expectOk(await admin.post(`/api/v1/webhooks/endpoints/${endpoint.Id}/replay`, { EventId: rows[0]!.id }), 202);
    await deliver();
    expect(hook.received.map((r) => r.event.Type)).toEqual(['webhook.test', 'webhook.test', 'action.created']);
    // Another brand's event cannot be replayed to A's endpoint.
    const otherProgram = await makeProgram(w.t.ctx, w.B);
    await makeContract(w.t.ctx, w.Q, otherProgram);
    await makeSaleAction(w.t.ctx, w.B, w.Q, otherProgram);
    const { rows: theirs } = await w.t.ctx.db.query<{ id: string }>(`select id::text from outbox_events where $1 = any(account_ids) order by id desc limit 1`, [w.B.id]);
    expect((await admin.post(`/api/v1/webhooks/endpoints/${endpoint.Id}/replay`, { EventId: theirs[0]!.id })).statusCode).toBe(404);
    // Bad input: unknown event types, an unknown endpoint, a non-admin.
    expect((await admin.post('/api/v1/webhooks/endpoints', { Url: hook.url, EventTypes: ['action.nope'] })).statusCode).toBe(400);
    expect((await admin.post('/api/v1/webhooks/endpoints', { Url: hook.url, EventTypes: [] })).statusCode).toBe(400);
    expect((await admin.patch('/api/v1/webhooks/endpoints/999999', { Enabled: false })).statusCode).toBe(404);
    // Deleted, what waited for it is given up and nothing more is sent.
    hook.mode = { kind: 'status', status: 500 };
    await makeSaleAction(w.t.ctx, w.A, w.P, w.program);
    expectOk(await admin.post(`/api/v1/webhooks/endpoints/${endpoint.Id}/test`, {}), 202);
    expect((await admin.delete(`/api/v1/webhooks/endpoints/${endpoint.Id}`)).statusCode).toBe(204);
    const sent = hook.received.length;
    clock().advanceMs(HOUR);
    await deliver();
    expect(hook.received.length).toBe(sent);
    const { rows: left } = await w.t.ctx.db.query<{ state: string }>('select state from webhook_deliveries where endpoint_id = $1 and state = $2', [endpoint.Id, 'PENDING']);
    expect(left).toEqual([]);
    expect((await admin.get(`/api/v1/webhooks/endpoints/${endpoint.Id}`)).statusCode).toBe(404);
  });
});
