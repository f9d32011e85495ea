/**
 * An earlier version could store an accepted conversion without its action: an OrderId
 * holding a lone UTF-16 surrogate was stored with U+FFFD in its place, so the row written
 * no longer matched the request, the action for it was never written, and every retry of
 * the order answered a false conflict. Requests with such text are now refused at the edge
 * and the conversion and its action are written together or not at all
 * (record-conversions.ts); this repairs rows the old version left behind. Each becomes a
 * rejected conversion with the reason INCOMPLETE_RECORD, so the brand sees it in the
 * rejected conversions list, and each repair is reported in the audit log.
 */
export const conversionsWithTheirActions = {
  id: '0004-conversions-with-their-actions',
  sql: /* sql */ `
with orphaned as (
  update conversions c
     set status = 'REJECTED', reject_reason = 'INCOMPLETE_RECORD'
   where c.status = 'ACCEPTED' and not exists (select 1 from actions a where a.conversion_id = c.id)
  returning c.id, c.brand_account_id, c.event_type_id, c.order_id
)
insert into audit_events (at, actor_user_id, account_id, action, subject, detail)
select now(), null, o.brand_account_id, 'conversion.repaired', 'conversion:' || o.id,
       jsonb_build_object('from', 'ACCEPTED', 'to', 'REJECTED', 'rejectReason', 'INCOMPLETE_RECORD',
                          'eventTypeId', o.event_type_id, 'orderId', o.order_id,
                          'why', 'stored without its action by an earlier version')
  from orphaned o;
`,
};
