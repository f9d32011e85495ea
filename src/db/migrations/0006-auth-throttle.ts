/**
 * Hardening of the accounts module (src/modules/accounts).
 *
 * 1. auth_throttles: failed attempts per identity under attack (a login e-mail, an
 *    invitation token, an Account SID), so that guessing is slowed however many client
 *    addresses the guesses come from (auth-throttle.ts has the rules). Rows are keyed by
 *    a SHA-256 of the scope and the normalized key, so no e-mail, token or SID is kept
 *    here in clear, and they live only while failures are remembered (24 hours).
 *    The table is shared by every app instance, which is what makes the wait hold
 *    across them.
 * 2. invitations.declined_at: an invitee who has a login can decline an invitation
 *    from their pending invitations; a declined invitation is no longer pending.
 * 3. invitations by e-mail: a logged-in user's pending invitations are found by their
 *    e-mail, across accounts.
 */
export const authThrottle = {
  id: '0006-auth-throttle',
  sql: /* sql */ `
create table auth_throttles (
  key_hash text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  blocked_until timestamptz
);
-- Forgotten rows are deleted oldest first, a few at a time (forgetStaleThrottles).
create index auth_throttles_last_failure_idx on auth_throttles (last_failure_at);

alter table invitations add column declined_at timestamptz;
create index invitations_email_idx on invitations (lower(email));
`,
};
