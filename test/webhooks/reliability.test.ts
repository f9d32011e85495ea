/**
 * Webhooks under a crash, on PostgreSQL (issue 16, Reliability): a worker process killed
 * with -9 while deliveries are in flight; another process takes over once their lease has
 * passed. Every event reaches the receiver, in order per resource, and the only
 * duplicates are repeats of the same webhook-id with the same body.
 */
import { expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { recordEvents } from '../../src/outbox/record-events.js';
import { createEndpoint } from '../../src/modules/webhooks/endpoints.js';
import { configureWebhooks } from '../../src/modules/webhooks/transport.js';
import { quickAccount } from '../support/api-helpers.js';
import { testConfig } from '../support/app.js';
import { describePostgres } from '../support/db.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { killWorkerProcessesAfterEach, startWorkerProcess } from '../support/worker-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
killWorkerProcessesAfterEach();

describePostgres('webhooks: reliability', (context) => {
  it('kill -9 of the worker with deliveries in flight: after the restart every event is delivered, in order per resource, duplicates only with the same webhook-id', async () => {
    const { db } = context();
    const ctx = { db, clock: systemClock };
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1'] }));
    const receiver = await new WebhookReceiver().start();
    try {
      receiver.mode = { kind: 'slow', ms: 15 };
      const brand = await quickAccount(ctx, 'BRAND');
      const { secret } = await createEndpoint(ctx, brand.actor, { url: receiver.url, eventTypes: ['action.modified'] });
      receiver.secrets = [secret];
      const subjects = 200;
      const perSubject = 10;
      const now = new Date();
      await db.transaction(async (tx) => {
        for (let step = 0; step < perSubject; step++) {
          await recordEvents(
            tx,
            Array.from({ length: subjects }, (_, s) => ({
              type: 'action.modified' as const,
              subject: `action:${5000 + s}`,
              accountIds: [brand.id],
              payload: { Id: String(5000 + s), Step: step },
              occurredAt: now,
            })),
          );
        }
      });
      const total = subjects * perSubject;
      const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
      const first = await startWorkerProcess('test/webhooks/webhook-worker-entry.ts', schema);
      for (const deadline = Date.now() + 60_000; receiver.received.length < total / 4; ) {
        if (Date.now() > deadline) throw new Error(`Deliveries did not start: ${receiver.received.length} received`);
        await sleep(5);
      }
      first.child.kill('SIGKILL');
      const { rows: inFlight } = await db.query<{ n: number }>(`select count(*)::int as n from webhook_deliveries where state = 'PENDING' and leased_until is not null`);
      const receivedAtKill = receiver.received.length;
      expect(receivedAtKill).toBeLessThan(total);
      await startWorkerProcess('test/webhooks/webhook-worker-entry.ts', schema);
      for (const deadline = Date.now() + 90_000; ; ) {
        const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from webhook_deliveries where state = 'DELIVERED'`);
        if (rows[0]!.n === total) break;
        if (Date.now() > deadline) throw new Error(`Not everything was delivered after the restart: ${rows[0]!.n} of ${total}`);
        await sleep(100);
      }
      // Every event arrived, signed.
      const ids = new Set(receiver.received.map((r) => r.event.Id));
      expect(ids.size).toBe(total);
      expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
      // A duplicate is the same webhook-id with the same body.
      const bodyOf = new Map<string, string>();
      for (const r of receiver.received) {
        const seen = bodyOf.get(r.id);
        if (seen !== undefined) expect(r.body).toBe(seen);
        bodyOf.set(r.id, r.body);
      }
      expect(bodyOf.size).toBe(total);
      // In order per resource: the first arrival of each step comes after the previous step's.
      for (let s = 0; s < subjects; s++) {
        const steps = receiver.received.filter((r) => r.event.Subject === `action:${5000 + s}`).map((r) => Number(r.event.Payload.Step));
        const firsts = steps.filter((step, i) => steps.indexOf(step) === i);
        expect(firsts, `action:${5000 + s}`).toEqual(Array.from({ length: perSubject }, (_, i) => i));
      }
      // Deliveries were in flight when the worker died (what makes this test mean anything).
      expect(inFlight[0]!.n).toBeGreaterThan(0);
    } finally {
      await receiver.stop();
    }
  }, 180_000);
});
