import { Counter, Gauge, Histogram } from 'prom-client';
import type { Db } from '../../db/types.js';
import { registry } from '../../http/metrics.js';

const attempts = new Counter({
  name: 'lockstep_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome: delivered (2xx), failed (retried later), given_up (its 3 days are over)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const attemptDuration = new Histogram({
  name: 'lockstep_webhook_attempt_duration_seconds',
  help: 'How long a webhook delivery attempt took, until the answer or the failure',
  buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 5, 10],
  registers: [registry],
});

const fannedOutEvents = new Counter({
  name: 'lockstep_webhook_events_fanned_out_total',
  help: 'Outbox events the webhook fan-out has passed, whether or not an endpoint subscribed to them',
  registers: [registry],
});

const createdDeliveries = new Counter({
  name: 'lockstep_webhook_deliveries_created_total',
  help: 'Webhook deliveries made from outbox events (one per event and subscribed endpoint)',
  registers: [registry],
});

const disabled = new Counter({
  name: 'lockstep_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints disabled after 5 days of failed deliveries',
  registers: [registry],
});

export const webhookMetrics = {
  delivered(outcome: 'delivered' | 'failed' | 'given_up', seconds: number): void {
    attempts.inc({ outcome });
    attemptDuration.observe(seconds);
  },
  fannedOut(events: number, deliveries: number): void {
    fannedOutEvents.inc(events);
    createdDeliveries.inc(deliveries);
  },
  endpointDisabled(): void {
    disabled.inc();
  },
};

let source: Db | undefined;

/** The database the webhook queue gauges read at each scrape (set once by the app). */
export function observeWebhookQueue(db: Db): void {
  source = db;
}

new Gauge({
  name: 'lockstep_webhook_queue_depth',
  help: 'Webhook deliveries waiting (PENDING), and outbox events the fan-out has not reached yet (state="UNFANNED")',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    const db = source;
    if (!db) return;
    try {
      const { rows } = await db.query<{ pending: number; unfanned: number }>(
        `select (select count(*)::int from webhook_deliveries where state = 'PENDING') as pending,
                greatest(0, coalesce((select max(id) from outbox_events), 0) - coalesce((select last_event_id from webhook_cursor where id = 1), 0))::int as unfanned`,
      );
      this.set({ state: 'PENDING' }, rows[0]!.pending);
      this.set({ state: 'UNFANNED' }, rows[0]!.unfanned);
    } catch {
      // A scrape must not fail because the database does not answer (it shows in /health).
    }
  },
});
