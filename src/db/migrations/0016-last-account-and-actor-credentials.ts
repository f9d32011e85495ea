/**
 * Two things users of issue 17 noticed.
 *
 * The right first account (item 4): a user's last used account (`users.last_account_id`,
 * set when they switch), so that a login lands where they last worked, on any device.
 *
 * Who did it, when it was an integration (item 8): a change made with an API
 * credential (an Auth Token) records that credential beside the user who created it, so
 * histories and audit rows show "API: <label>" rather than the person, who did not act.
 * The token's creator stays in actor_user_id: the token acts with that member's role.
 * No foreign key, as the other columns of these append-only rows (migration 0003); API
 * tokens are revoked, never deleted, so the reference holds.
 */
export const lastAccountAndActorCredentials = {
  id: '0016-last-account-and-actor-credentials',
  sql: /* sql */ `
alter table action_modifications add column actor_credential_id integer;
alter table audit_events add column actor_credential_id integer;
alter table users add column last_account_id integer references accounts (id);
`,
};
