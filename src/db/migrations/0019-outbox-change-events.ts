/**
 * Change events: an event may carry only what changed (`changes_only`), the rest being
 * the subject's previous full event. The lock job writes its thousands of `action.locked`
 * events this way, so that building each 800-byte payload no longer halves its speed;
 * readers (src/outbox/read-events.ts) put the whole payload back together.
 *
 * `outbox_coverage` says from which resource id on every resource has its events from
 * its creation: an action recorded before the outbox existed (migration 0008) has no
 * earlier event to start from, and the lock job builds its event whole. Computed here
 * once: the first action with an `action.created` event, or, when there is none, the next
 * action id to come.
 */
export const outboxChangeEvents = {
  id: '0019-outbox-change-events',
  sql: /* sql */ `
alter table outbox_events add column changes_only boolean not null default false;

create table outbox_coverage (
  resource text primary key,
  first_id bigint not null
);
insert into outbox_coverage (resource, first_id)
select 'action', coalesce(
  (select min(substring(subject from 8)::bigint) from outbox_events where type = 'action.created'),
  (select coalesce(max(id), 0) + 1 from actions));
`,
};
