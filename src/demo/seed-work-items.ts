import type { ServiceContext } from '../core/context.js';

/**
 * Two dead runs of periodic jobs, as the worker leaves them when both attempts failed,
 * so the operator console's Work items page has something to show and retry: the
 * credit-clicks run of three days ago during a database restart, and last night's
 * prune-work-items run that hit a statement timeout. Retrying either is harmless: a job
 * does whatever is left to do.
 */
export async function seedWorkItems(ctx: ServiceContext, now: Date): Promise<void> {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
  const minute = (date: Date) => date.toISOString().slice(0, 16);
  const runs = [
    {
      kind: 'credit-clicks',
      due: at(72),
      error: 'Connection terminated unexpectedly (the database restarted while the run was going)',
      progress: { done: 1200 },
    },
    {
      kind: 'prune-work-items',
      due: at(9),
      error: 'canceling statement due to statement timeout',
      progress: null,
    },
  ];
  for (const run of runs) {
    const due = new Date(Math.floor(run.due.getTime() / 60_000) * 60_000);
    const ended = new Date(due.getTime() + 20_000);
    await ctx.db.query(
      `insert into work_items (kind, payload, state, attempts, max_attempts, run_after, last_error, progress, dedupe_key,
                               created_at, updated_at, started_at, finished_at)
       values ($1, $2::jsonb, 'DEAD', 2, 2, $3, $4, $5::jsonb, $6, $3, $7, $3, $7)`,
      [run.kind, JSON.stringify({ scheduledFor: due.toISOString() }), due, run.error, run.progress ? JSON.stringify(run.progress) : null, `${run.kind}:${minute(due)}`, ended],
    );
  }
}
