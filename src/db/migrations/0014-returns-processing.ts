/**
 * Returns Processing per event type (issue 13 item 3): what each of the five options needs,
 * kept on the event type beside the option chosen (`returns_processing`, there since 0001).
 *
 * - `returns_settings`: the settings of each option the brand has filled in, keyed by the
 *   option (`{"SFTP_PULL": {...}, "SALESFORCE": {...}}`), so that switching to another
 *   option and back keeps what was entered. No credentials: the channels (issue 14) ask for
 *   them and keep them encrypted.
 * - `returns_email_token`: the unguessable part of the event type's e-mail address
 *   (`returns-<token>@<domain>`), generated the first time the e-mail option is chosen and
 *   kept until it is regenerated; unique, so one address names one event type.
 * - `returns_processing_changed_at`: when the option or its settings last changed (each
 *   change is also in the audit log, with what it was before and after).
 *
 * Existing event types keep the API option, with no settings.
 */
export const returnsProcessing = {
  id: '0014-returns-processing',
  sql: /* sql */ `
alter table event_types
  add column returns_settings jsonb not null default '{}'::jsonb,
  add column returns_email_token text,
  add column returns_processing_changed_at timestamptz;
create unique index event_types_returns_email_token_key on event_types (returns_email_token) where returns_email_token is not null;
`,
};
