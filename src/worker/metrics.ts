import { Counter, Gauge, Histogram } from 'prom-client';
import type { Db } from '../db/types.js';
import { registry } from '../http/metrics.js';
import type { WorkItemState } from './states.js';

/** How a run of a handler ended, as the worker recorded it. */
export type RunOutcome = 'done' | 'failed' | 'dead' | 'released' | 'lease_lost' | 'unrecorded';

export interface WorkerObserver {
  onRun(kind: string, outcome: RunOutcome, seconds: number): void;
}

const runs = new Counter({
  name: 'lockstep_work_item_runs_total',
  help: 'Runs of work item handlers by kind and how they ended (done, failed, dead, released at shutdown, lease_lost, unrecorded)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

const failures = new Counter({
  name: 'lockstep_work_item_failures_total',
  help: 'Runs of work item handlers that threw (retried later, or dead on the last attempt), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const runDuration = new Histogram({
  name: 'lockstep_work_item_run_duration_seconds',
  help: 'How long a run of a work item handler took, by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
  registers: [registry],
});

export const workerMetrics: WorkerObserver = {
  onRun(kind, outcome, seconds) {
    runs.inc({ kind, outcome });
    if (outcome === 'failed' || outcome === 'dead') failures.inc({ kind });
    runDuration.observe({ kind, outcome }, seconds);
  },
};

// Queue depth and age are read from the database when Prometheus scrapes, in one grouped
// query shared by both gauges (any instance reports the same numbers: it is one table).
let source: Db | undefined;
let snapshot: { at: number; rows: Promise<Array<{ kind: string; state: WorkItemState; n: number; age: number }>> } | undefined;

/** The database the queue gauges read at each scrape (set once by the app). */
export function observeWorkQueue(db: Db): void {
  source = db;
  snapshot = undefined;
}

function queueRows(): Promise<Array<{ kind: string; state: WorkItemState; n: number; age: number }>> {
  const db = source;
  if (!db) return Promise.resolve([]);
  // Both gauges are collected one after the other for one scrape: one query serves both.
  if (snapshot && Date.now() - snapshot.at < 1000) return snapshot.rows;
  const rows = db
    .query<{ kind: string; state: WorkItemState; n: number; age: number }>(
      `select kind, state, count(*)::int as n,
              greatest(0, extract(epoch from statement_timestamp() - min(created_at)))::float8 as age
         from work_items
        where state = any('{QUEUED,RUNNING,FAILED,DEAD}'::text[])
        group by kind, state`,
    )
    .then((result) => result.rows)
    // A scrape must not fail because the database does not answer (it shows in /health).
    .catch(() => []);
  snapshot = { at: Date.now(), rows };
  return rows;
}

new Gauge({
  name: 'lockstep_work_items',
  help: 'Work items not done, by kind and state (QUEUED, RUNNING, FAILED, DEAD)',
  labelNames: ['kind', 'state'] as const,
  registers: [registry],
  async collect() {
    const rows = await queueRows();
    this.reset();
    for (const row of rows) this.set({ kind: row.kind, state: row.state }, row.n);
  },
});

new Gauge({
  name: 'lockstep_work_items_oldest_age_seconds',
  help: 'Age of the oldest work item not done (since it was enqueued), by kind and state',
  labelNames: ['kind', 'state'] as const,
  registers: [registry],
  async collect() {
    const rows = await queueRows();
    this.reset();
    for (const row of rows) this.set({ kind: row.kind, state: row.state }, Number(row.age));
  },
});
