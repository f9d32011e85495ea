/**
 * The outbox is read in id order only (src/outbox/read-events.ts: a reader's cursor, with
 * filters by type and account applied to the rows it reads), so its two secondary
 * indexes served no reader and cost every write: the lock job writes thousands of events
 * a second, and the GIN index on the accounts and the btree on the subject added a sixth
 * or more to what writing them cost (5,000 lock events on PostgreSQL: 300 to 520 ms with
 * both, 270 ms without). A reader that needs one account's events fast
 * (webhook delivery per account) will keep its own cursor per subscriber instead.
 */
export const outboxWithoutIndexes = {
  id: '0009-outbox-without-indexes',
  sql: /* sql */ `
drop index if exists outbox_events_accounts_idx;
drop index if exists outbox_events_subject_idx;
`,
};
