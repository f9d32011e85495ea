/**
 * The periodic jobs as work items: the scheduler's tick enqueues one item per job and
 * minute whatever the number of instances, the worker runs it (the job's own advisory
 * lock still keeps two runs apart), and done items are pruned after a week.
 */
import { expect, it } from 'vitest';
import { enqueueJobRun, jobRunKey } from '../../src/jobs/job-kinds.js';
import { JOBS, findJobOrThrow } from '../../src/jobs/scheduler.js';
import { LOCK_DUE_ACTIONS_LOCK_KEY } from '../../src/modules/actions/lock-due-actions.js';
import { Worker } from '../../src/worker/index.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { describeDb } from '../support/db.js';

const lockJob = findJobOrThrow('lock-due-actions');
const pruneJob = findJobOrThrow('prune-work-items');

describeDb('periodic jobs as work items', (db) => {
  it('every instance enqueues the same tick as one item, keyed by the job and its minute', async () => {
    const { db: sql } = db();
    // Three instances whose timers fire a little apart around 12:03.
    const ticks = ['2026-01-15T12:02:59.400Z', '2026-01-15T12:03:00.010Z', '2026-01-15T12:03:01.250Z'];
    const results = await Promise.all(ticks.map((at) => enqueueJobRun(sql, lockJob, new Date(at))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const next = await enqueueJobRun(sql, lockJob, new Date('2026-01-15T12:04:00.050Z'));
    expect(next.created).toBe(true);
    const { rows } = await sql.query<{ kind: string; dedupe_key: string; payload: unknown; max_attempts: number }>(
      'select kind, dedupe_key, payload, max_attempts from work_items order by id',
    );
    expect(rows).toEqual([
      { kind: 'lock-due-actions', dedupe_key: 'lock-due-actions:2026-01-15T12:03', payload: { scheduledFor: '2026-01-15T12:03:00.000Z' }, max_attempts: 2 },
      { kind: 'lock-due-actions', dedupe_key: 'lock-due-actions:2026-01-15T12:04', payload: { scheduledFor: '2026-01-15T12:04:00.000Z' }, max_attempts: 2 },
    ]);
    expect(jobRunKey(lockJob, new Date('2026-01-15T12:03:00Z'))).toBe('lock-due-actions:2026-01-15T12:03');
    expect(JOBS.map((job) => job.name)).toEqual([
      'lock-due-actions',
      'credit-clicks',
      'issue-statements',
      'run-payouts',
      'reconcile',
      'prune-work-items',
      'prune-report-exports',
      'enqueue-due-pulls',
      'run-report-schedules',
      'enqueue-due-salesforce-polls',
    ]);
  });

  it('the worker runs a job’s item: the job does its work, and the item shows its summary', async () => {
    const { db: sql, clock } = db();
    const ctx = { db: sql, clock };
    const world = await makeActionWorld(ctx, clock);
    const ids = await makeSales(ctx, world.brand, world.partner, world.program, 3);
    clock.advanceMs(400 * 86_400_000);
    const { id } = await enqueueJobRun(sql, lockJob, clock.now());
    await new Worker(ctx, { kinds: ['lock-due-actions'] }).drain();
    const { rows } = await sql.query<{ state: string; attempts: number; progress: unknown }>('select state, attempts, progress from work_items where id = $1', [id.toString()]);
    expect(rows[0]).toEqual({ state: 'DONE', attempts: 1, progress: { done: ids.length, ran: true, summary: `${ids.length} action(s) locked` } });
    const { rows: actions } = await sql.query<{ n: number }>(`select count(*)::int as n from actions where state = 'APPROVED'`);
    expect(actions[0]!.n).toBe(ids.length);
  });

  it('a run while another run of the job holds its advisory lock is done at once, saying so', async () => {
    const { db: sql, clock } = db();
    const release = await sql.tryAdvisoryLock(LOCK_DUE_ACTIONS_LOCK_KEY);
    expect(release).not.toBeNull();
    try {
      const { id } = await enqueueJobRun(sql, lockJob, clock.now());
      await new Worker({ db: sql, clock }, { kinds: ['lock-due-actions'] }).drain();
      const { rows } = await sql.query<{ state: string; progress: unknown }>('select state, progress from work_items where id = $1', [id.toString()]);
      expect(rows[0]).toEqual({ state: 'DONE', progress: { done: 0, ran: false, summary: '0 action(s) locked' } });
    } finally {
      await release!();
    }
  });

  it('prune-work-items deletes done items older than a week, and keeps the rest', async () => {
    const { db: sql, clock } = db();
    const items = [];
    for (let minute = 0; minute < 5; minute++) items.push((await enqueueJobRun(sql, lockJob, new Date(Date.UTC(2026, 0, 1, 0, minute)))).id);
    await sql.query(
      `update work_items set state = case when id = any($1::bigint[]) then 'DONE' else 'DEAD' end, finished_at = statement_timestamp() - interval '8 days'`,
      [items.slice(0, 3).map(String)],
    );
    await sql.query(`update work_items set finished_at = statement_timestamp() - interval '6 days' where id = $1`, [items[2]!.toString()]);
    const result = await pruneJob.run({ db: sql, clock });
    expect(result).toEqual({ ran: true, done: 2, summary: '2 done work item(s) deleted' });
    const { rows } = await sql.query<{ id: bigint; state: string }>('select id, state from work_items order by id');
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      [items[2], 'DONE'],
      [items[3], 'DEAD'],
      [items[4], 'DEAD'],
    ]);
  });
});
