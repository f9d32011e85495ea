/**
 * The platform's own SFTP server (issue 14 item 1), the sftp-access module's tables
 * (src/modules/sftp-access).
 *
 * - sftp_accounts: one row per brand account that was given SFTP access: its generated
 *   username (unique across the platform: the login names the account) and, when a
 *   password was generated, its argon2id hash (the password itself is shown once and never
 *   stored). A null hash: password login is off, keys only.
 * - sftp_keys: the OpenSSH public keys that may log in as the account, each with its
 *   SHA256 fingerprint as `ssh-keygen -l` prints it. A removed key keeps its row
 *   (removed_at) for the record and is refused at login.
 * - sftp_hidden_batches: files the brand deleted from its folder. The batch itself is
 *   never deleted (its outcomes are the record of what changed); it only leaves the
 *   folder's listing.
 *
 * The users who generated a password or added a key are kept without a foreign key, as
 * in 0016: a closure may erase a login, and the credential then acts as an admin of the
 * account (see the sftp-access module's uploadActor).
 */
export const sftpAccess = {
  id: '0022-sftp-access',
  sql: /* sql */ `
create table sftp_accounts (
  account_id integer primary key references accounts (id),
  username text not null unique,
  password_hash text,
  password_set_at timestamptz,
  password_set_by integer,
  created_at timestamptz not null
);

create table sftp_keys (
  id integer generated always as identity primary key,
  account_id integer not null references sftp_accounts (account_id),
  algorithm text not null,
  bits integer not null,
  fingerprint text not null,
  public_key text not null,
  label text not null default '',
  created_by integer not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  removed_at timestamptz
);
create unique index sftp_keys_active_fingerprint_key on sftp_keys (account_id, fingerprint) where removed_at is null;

create table sftp_hidden_batches (
  batch_id bigint primary key references returns_batches (id),
  account_id integer not null references accounts (id),
  hidden_at timestamptz not null
);
create index sftp_hidden_batches_account_idx on sftp_hidden_batches (account_id);
`,
};
