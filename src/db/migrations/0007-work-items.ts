/**
 * Durable background work (src/worker): one table every kind of work shares, claimed
 * with FOR UPDATE SKIP LOCKED by every instance's worker. src/worker/index.ts describes
 * the design; src/worker/states.ts the state machine.
 *
 * - A row is RUNNING exactly while a worker holds its lease (the check below), so a
 *   lease can never outlive the state that needs it.
 * - `dedupe_key` is unique (NULLs apart): N instances enqueuing the same periodic run
 *   (`lock-due-actions:2026-01-15T12:03`) make one row. Done rows are pruned after a
 *   while, and their keys with them (prune-work-items).
 * - `max_attempts` is copied from the kind at enqueue, so a row says on its own how many
 *   attempts it gets, whatever the kind's setting is later.
 * - Times are the database's (statement_timestamp()), not an instance's: leases are
 *   compared across machines whose clocks may differ.
 */
export const workItems = {
  id: '0007-work-items',
  sql: /* sql */ `
create table work_items (
  id bigint generated always as identity primary key,
  kind text not null,
  payload jsonb not null,
  state text not null check (state in ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'DEAD')),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null check (max_attempts between 1 and 1000),
  run_after timestamptz not null,
  lease_owner text,
  lease_expires_at timestamptz,
  last_error text,
  progress jsonb,
  dedupe_key text unique,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  constraint work_items_lease_while_running
    check ((state = 'RUNNING') = (lease_owner is not null and lease_expires_at is not null))
);
-- The claim: due items in order (oldest due first).
create index work_items_due_idx on work_items (run_after, id) where state in ('QUEUED', 'FAILED');
-- Leases that expired (a worker killed or stuck), found without reading the other rows.
create index work_items_lease_idx on work_items (lease_expires_at) where state = 'RUNNING';
-- The operator console (by state, oldest first) and the queue metrics.
create index work_items_state_idx on work_items (state, created_at, id);
-- Pruning done items, oldest first.
create index work_items_done_idx on work_items (finished_at) where state = 'DONE';
`,
};
