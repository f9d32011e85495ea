/**
 * Readers go through the outbox in id order (src/outbox/read-events.ts: a cursor, with
 * filters by type and account applied to the rows read), so the GIN index on the accounts
 * served no reader and cost every write (the lock job writes thousands of events a
 * second). The index on the subject stays: the lock job's events start from the action's
 * previous event (src/modules/actions/action-events.ts), found through it.
 */
export const outboxWithoutIndexes = {
  id: '0009-outbox-without-indexes',
  sql: /* sql */ `
drop index if exists outbox_events_accounts_idx;
`,
};
