/**
 * Invitation e-mails (issue 17, item 10): with SMTP_RELAY_URL set, an invitation queues
 * its e-mail in its own transaction (outbox_emails, encrypted, and a send-email work
 * item) and the worker sends it after the commit through a real SMTP exchange; the
 * receiving side here is smtp-server. Without SMTP_RELAY_URL nothing is queued, and a
 * refused invitation queues nothing either. The copyable link is in every answer.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Worker } from '../../src/worker/worker.js';
import { logInClient, makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { decoded, startSmtp, type TestSmtp } from '../support/smtp.js';

describeDb('invitation e-mails through the outbox', (db) => {
  let t: TestApp | undefined;
  let smtp: TestSmtp;
  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await smtp.close();
  });

  const sendQueued = () => new Worker({ db: db().db, clock: db().clock }, { kinds: ['send-email'], pollMs: 20 }).drain();
  const emailRows = async () =>
    (await t!.ctx.db.query<{ purpose: string; subject: string; message: string | null; sent: boolean }>(
      'select purpose, subject, message_encrypted as message, sent_at is not null as sent from outbox_emails order by id',
    )).rows;

  it('sends the invitation with its link after the commit, the message stored encrypted and erased once sent', async () => {
    t = await startTestApp(db(), { smtpRelayUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'Lockstep <no-reply@lockstep.example>', publicUrl: 'https://lockstep.example' });
    const brand = await makeAccount(t.ctx, 'BRAND', { name: 'Mail Test Outfitters' });
    const admin = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const response = await admin.post('/api/v1/users/invitations', { Email: 'New.Person@Example.test', Role: 'USER' });
    expect(response.statusCode, response.body).toBe(201);
    const { AcceptUrl, InvitationId } = response.json() as { AcceptUrl: string; InvitationId: number };
    expect(AcceptUrl).toMatch(/^https:\/\/lockstep\.example\/accept-invitation\?token=/);

    // Queued in the invitation's transaction, not sent yet; no address or link in clear.
    const queued = await emailRows();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ purpose: 'invitation', subject: `invitation:${InvitationId}`, sent: false });
    expect(queued[0]!.message).not.toContain('example.test');
    expect(queued[0]!.message).not.toContain(new URL(AcceptUrl).searchParams.get('token'));
    const items = await t.ctx.db.query<{ payload: unknown; state: string }>(`select payload, state from work_items where kind = 'send-email'`);
    expect(items.rows).toEqual([{ payload: { emailId: expect.any(String) }, state: 'QUEUED' }]);
    expect(smtp.received).toEqual([]);

    await sendQueued();
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('no-reply@lockstep.example');
    expect(mail.to).toEqual(['new.person@example.test']);
    const text = decoded(mail.raw);
    expect(text).toMatch(/Subject: .* invited you to Mail Test Outfitters on Lockstep/);
    expect(text).toContain(`Accept the invitation: ${AcceptUrl}`);
    expect(text).toContain('as a user');
    expect(await emailRows()).toEqual([{ purpose: 'invitation', subject: `invitation:${InvitationId}`, message: null, sent: true }]);
    expect((await t.ctx.db.query(`select state from work_items where kind = 'send-email'`)).rows).toEqual([{ state: 'DONE' }]);

    // The link in the e-mail is the one that works: it accepts the invitation.
    const token = new URL(AcceptUrl).searchParams.get('token')!;
    const accept = await t.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload: { Token: token, Name: 'New Person', Password: 'a-long-password-1' } });
    expect(accept.statusCode, accept.body).toBe(200);
    // Sending again (a retried item) sends nothing twice.
    await sendQueued();
    expect(smtp.received).toHaveLength(1);
  });

  it('queues nothing without SMTP_RELAY_URL, nor for a refused invitation; the link is still answered', async () => {
    t = await startTestApp(db(), { publicUrl: 'https://lockstep.example' });
    const brand = await makeAccount(t.ctx, 'BRAND');
    const admin = (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id);
    const first = await admin.post('/api/v1/users/invitations', { Email: 'someone@example.test', Role: 'ADMIN' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().AcceptUrl).toMatch(/accept-invitation\?token=/);
    expect(await emailRows()).toEqual([]);
    await t.close();

    t = await startTestApp(db(), { smtpRelayUrl: `smtp://127.0.0.1:${smtp.port}`, publicUrl: 'https://lockstep.example' });
    const again = await (await logInClient(t.app, brand.adminEmail)).withAccount(brand.id).post('/api/v1/users/invitations', { Email: 'someone@example.test', Role: 'ADMIN' });
    expect(again.statusCode).toBe(409);
    expect(await emailRows()).toEqual([]);
    expect((await t.ctx.db.query(`select 1 from work_items where kind = 'send-email'`)).rows).toEqual([]);
    await sendQueued();
    expect(smtp.received).toEqual([]);
  });
});
