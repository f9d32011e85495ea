/**
 * The outbox events webhooks added (issue 16 item 6), each written in the transaction of
 * its change, with the resource as its own API route returns it, for the accounts it
 * belongs to: statement issued and paid (the brand), paystub created, paid and failed
 * (the partner), ticket updated (every account it names), returns batch completed (the
 * brand). Then delivered: a partner's endpoint receives its paystub's events, signed.
 */
import { expect, it } from 'vitest';
import { failPaystub } from '../../src/flows/fail-paystub.js';
import { returnsBatchKind, submitReturnsBatch } from '../../src/flows/apply-returns-batch.js';
import { runPayouts } from '../../src/flows/run-payouts.js';
import { createEndpoint } from '../../src/modules/webhooks/endpoints.js';
import { deliverWebhooksUntilIdle } from '../../src/modules/webhooks/pump.js';
import { configureWebhooks } from '../../src/modules/webhooks/transport.js';
import { markRunSentInTx } from '../../src/modules/payouts/payout-runs.js';
import { openTicket } from '../../src/modules/tickets/open-ticket.js';
import { addTicketMessage } from '../../src/modules/tickets/ticket-messages.js';
import { Worker } from '../../src/worker/worker.js';
import '../../src/http/event-payloads.js';
import { testConfig } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { eventsSince, outboxCursor } from '../support/outbox.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { configureTestPayouts, DAY_MS, makeAvailable, payoutWorld, saveSettings, usSettings } from '../payouts/support.js';

describeDb('webhooks: the finance, ticket and returns events', (db) => {
  it('statement issued and paid, paystub created, paid and failed, ticket updated, returns batch completed: each with its resource, for its accounts', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    configureTestPayouts();
    configureWebhooks(testConfig({ webhookAllowedHosts: ['127.0.0.1'] }));
    const receiver = await new WebhookReceiver().start();
    try {
      const w = await payoutWorld(ctx, clock, { partners: 1 });
      const partner = w.partners[0]!;
      const { secret } = await createEndpoint(ctx, partner.actor, { url: receiver.url, eventTypes: ['paystub.created', 'paystub.paid', 'paystub.failed', 'statement.issued'] });
      receiver.secrets = [secret];
      await saveSettings(ctx, partner, usSettings('10.00'));

      let cursor = await outboxCursor(sql);
      await makeAvailable(ctx, clock, w, [['400.00']]);
      const billing = (await eventsSince(sql, cursor)).filter((e) => e.type.startsWith('statement.'));
      expect(billing.map((e) => e.type)).toEqual(['statement.issued', 'statement.paid']);
      expect(billing[0]!.accountIds).toEqual([w.brand.id]);
      expect(billing[0]!.payload).toMatchObject({ Status: 'OPEN', Total: '40.00' });
      expect(billing[1]!.payload).toMatchObject({ Status: 'PAID' });

      cursor = await outboxCursor(sql);
      await runPayouts(ctx);
      clock.advanceMs(DAY_MS);
      const run = await runPayouts(ctx);
      expect(run).toMatchObject({ paid: 1 });
      await sql.transaction((tx) => markRunSentInTx(tx, run.runId!, w.operator.userId, clock.now()));
      const { rows } = await sql.query<{ id: bigint }>('select id from paystubs');
      await failPaystub(ctx, w.operator, rows[0]!.id, 'Account closed');
      const paystubEvents = (await eventsSince(sql, cursor)).filter((e) => e.type.startsWith('paystub.'));
      expect(paystubEvents.map((e) => [e.type, e.subject, e.accountIds, e.payload.Status])).toEqual([
        ['paystub.created', `paystub:${rows[0]!.id}`, [partner.id], 'PROCESSING'],
        ['paystub.paid', `paystub:${rows[0]!.id}`, [partner.id], 'SENT'],
        ['paystub.failed', `paystub:${rows[0]!.id}`, [partner.id], 'FAILED'],
      ]);
      expect(paystubEvents[2]!.payload).toMatchObject({ FailureReason: 'Account closed' });

      // Delivered to the partner's endpoint, signed; the brand's statements are not the partner's.
      await deliverWebhooksUntilIdle(ctx);
      expect(receiver.received.map((r) => r.event.Type)).toEqual(['paystub.created', 'paystub.paid', 'paystub.failed']);
      expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);

      cursor = await outboxCursor(sql);
      const ticket = await openTicket(ctx, partner.actor, { type: 'GENERAL', subject: 'A question', message: 'Where is it?', attachments: [] });
      await addTicketMessage(ctx, partner.actor, ticket.id, { message: 'Any news?' });
      const tickets = (await eventsSince(sql, cursor)).filter((e) => e.type === 'ticket.updated');
      expect(tickets.map((e) => [e.subject, e.accountIds, e.payload.Subject])).toEqual([
        [`ticket:${ticket.id}`, [partner.id], 'A question'],
        [`ticket:${ticket.id}`, [partner.id], 'A question'],
      ]);

      cursor = await outboxCursor(sql);
      const received = await submitReturnsBatch(ctx, w.brand.actor, w.program.saleEventTypeId, {
        fileName: 'returns.csv',
        contentType: 'text/csv',
        channel: 'API',
        content: Buffer.from('ActionId,Amount,Reason\n999999,1.00,ORDER_UPDATE\n'),
      });
      if (received.ignored) throw new Error('ignored');
      await new Worker(ctx, { kinds: [returnsBatchKind.name] }).drain();
      const batches = (await eventsSince(sql, cursor)).filter((e) => e.type === 'returns_batch.completed');
      expect(batches.map((e) => [e.subject, e.accountIds, e.payload.Status])).toEqual([[`returns_batch:${received.batch.id}`, [w.brand.id], 'DONE']]);
    } finally {
      await receiver.stop();
    }
  });
});
