/**
 * A brand's SFTP login through the API (Settings, the Returns Processing panel): the
 * password shown once and stored as an argon2 hash, rotation, keys checked (ed25519, RSA
 * of 2048 bits or more, ECDSA; a private key, a short RSA key, a DSA key or garbage is a
 * 400 that says what to send), the same key twice a 409, admins only, every change audited.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyPassword } from '../../src/core/crypto.js';
import { eraseSftpAccessOfClosedAccount } from '../../src/modules/sftp-access/erase-sftp-access.js';
import { expectOk, quickAccount, quickUser, sessionClient } from '../support/api-helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { makeKey, tempDir } from './support.js';

describeDb('the SFTP login through the API', (db) => {
  let t: TestApp;
  let dir: string;
  beforeEach(async () => {
    t = await startTestApp(db(), { sftpPort: 2222 });
    dir = tempDir('lockstep-sftp-api-');
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates a password shown once, rotates it, takes good keys, refuses bad ones, and lists the folders', async () => {
    const brand = await quickAccount(t.ctx, 'BRAND', { name: 'Acme Outdoor' });
    const program = await makeProgram(t.ctx, brand);
    const admin = await sessionClient(t, brand.adminUserId, brand.id);
    const empty = expectOk(await admin.get('/api/v1/sftp-access'));
    expect(empty).toMatchObject({ Running: true, Host: 'localhost', Port: 2222, Username: null, PasswordSet: false, Keys: [], Folders: [] });

    const issued = expectOk(await admin.post('/api/v1/sftp-access/password'), 201);
    expect(issued.Username).toMatch(/^acme-outdoor-[0-9a-f]{6}$/);
    expect(issued.Password).toMatch(/^[a-z2-9]{24}$/);
    const { rows } = await t.ctx.db.query<{ hash: string }>('select password_hash as hash from sftp_accounts where account_id = $1', [brand.id]);
    expect(rows[0]!.hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(rows[0]!.hash, issued.Password)).toBe(true);
    const shown = expectOk(await admin.get('/api/v1/sftp-access'));
    expect(JSON.stringify(shown)).not.toContain(issued.Password);
    expect(shown).toMatchObject({ Username: issued.Username, PasswordSet: true });
    const rotated = expectOk(await admin.post('/api/v1/sftp-access/password'), 201);
    expect(rotated.Username).toBe(issued.Username);
    const after = await t.ctx.db.query<{ hash: string }>('select password_hash as hash from sftp_accounts where account_id = $1', [brand.id]);
    expect(await verifyPassword(after.rows[0]!.hash, issued.Password)).toBe(false);

    for (const [type, bits] of [['ed25519', undefined], ['rsa', 3072], ['ecdsa', 384]] as const) {
      const key = makeKey(dir, type, bits);
      const added = expectOk(await admin.post('/api/v1/sftp-access/keys', { PublicKey: key.publicKey }), 201);
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key.file}.pub`]).toString().split(' ')[1];
      expect(added).toMatchObject({ Fingerprint: printed, Label: 'tests@lockstep', Bits: bits ?? 256 });
    }
    const ed = makeKey(dir);
    expectOk(await admin.post('/api/v1/sftp-access/keys', { PublicKey: ed.publicKey, Label: 'CI' }), 201);
    expect((await admin.post('/api/v1/sftp-access/keys', { PublicKey: ed.publicKey })).statusCode).toBe(409);
    const short = makeKey(dir, 'rsa', 1024);
    const refusals = [
      [fs.readFileSync(ed.file, 'utf8'), 'private key'],
      [short.publicKey, '1024 bits'],
      ['ssh-dss AAAAB3NzaC1kc3MAAACBAP', 'not an OpenSSH public key'],
      ['hello', 'not an OpenSSH public key'],
      ['', 'paste your public key'],
    ] as const;
    for (const [text, says] of refusals) {
      const response = await admin.post('/api/v1/sftp-access/keys', { PublicKey: text });
      expect(response.statusCode, text.slice(0, 30)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().detail).toContain(says);
    }
    const listed = expectOk(await admin.get('/api/v1/sftp-access'));
    expect(listed.Keys).toHaveLength(4);
    expectOk(await admin.delete(`/api/v1/sftp-access/keys/${listed.Keys[0].Id}`), 204);
    expect((await admin.delete(`/api/v1/sftp-access/keys/${listed.Keys[0].Id}`)).statusCode).toBe(404);
    expect(expectOk(await admin.get('/api/v1/sftp-access')).Keys).toHaveLength(3);

    // The folders: one per event type set to SFTP upload.
    expectOk(await admin.request({ method: 'PUT', url: `/api/v1/event-types/${program.saleEventTypeId}/returns-processing`, payload: { Method: 'SFTP_UPLOAD' } }));
    const withFolder = expectOk(await admin.get('/api/v1/sftp-access'));
    expect(withFolder.Folders).toEqual([expect.objectContaining({ EventTypeId: program.saleEventTypeId, Folder: `${program.saleEventTypeId}-sale` })]);
    expect(expectOk(await admin.get(`/api/v1/event-types/${program.saleEventTypeId}/sftp-files`))).toEqual({ Folder: `${program.saleEventTypeId}-sale`, Files: [] });

    expectOk(await admin.delete('/api/v1/sftp-access/password'), 204);
    expect((await admin.delete('/api/v1/sftp-access/password')).statusCode).toBe(404);
    const { rows: audit } = await t.ctx.db.query<{ action: string }>(`select action from audit_events where action like 'sftp.%' order by id`);
    expect(audit.map((a) => a.action)).toEqual([
      'sftp.password_issued',
      'sftp.password_rotated',
      'sftp.key_added',
      'sftp.key_added',
      'sftp.key_added',
      'sftp.key_added',
      'sftp.key_removed',
      'sftp.password_removed',
    ]);
    // A user who is not an admin reads the files, not the login.
    const user = await quickUser(t.ctx, { accountId: brand.id, role: 'USER' });
    const member = await sessionClient(t, user.userId, brand.id);
    expect((await member.get('/api/v1/sftp-access')).statusCode).toBe(403);
    expect((await member.post('/api/v1/sftp-access/password')).statusCode).toBe(403);
    expectOk(await member.get(`/api/v1/event-types/${program.saleEventTypeId}/sftp-files`));
    // Account closure's erase step drops the password and the keys, and the keys' labels.
    await t.ctx.db.transaction((tx) => eraseSftpAccessOfClosedAccount(tx, brand.id, t.ctx.clock.now()));
    expect(expectOk(await admin.get('/api/v1/sftp-access'))).toMatchObject({ Username: issued.Username, PasswordSet: false, Keys: [] });
    const { rows: labels } = await t.ctx.db.query<{ label: string }>('select label from sftp_keys where account_id = $1', [brand.id]);
    expect(labels.map((l) => l.label)).toEqual(['', '', '', '']);
  });
});
