/**
 * Ticket e-mails (issue 15, item 1) through the invitations' outbox: with SMTP_RELAY_URL
 * set, each event on a ticket queues its e-mails in the change's own transaction (one row
 * a recipient, encrypted, with its send-email work item); without it, nothing; a change
 * that rolls back or is refused, nothing either. End to end, the worker sends them after
 * the commit through a real SMTP exchange (smtp-server).
 */
import { afterEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { parseSecretsKeyOrThrow, decryptSecret } from '../../src/core/secrets.js';
import { resolveTicket } from '../../src/flows/resolve-ticket.js';
import type { AccountActor, OperatorActor } from '../../src/modules/accounts/actor.js';
import type { EmailMessage } from '../../src/outbox/emails.js';
import { openTicket } from '../../src/modules/tickets/open-ticket.js';
import { addTicketMessage, markTicketResolved, setTicketStatus } from '../../src/modules/tickets/ticket-messages.js';
import { Worker } from '../../src/worker/worker.js';
import { accountClient, clientFor, makeSales } from '../support/action-helpers.js';
import { expectOk as ok, expectProblem as problem } from '../support/api-helpers.js';
import { addMember, makeAccount, makeOperator, startTestApp, TEST_SECRETS_KEY, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';
import { decoded, startSmtp, type TestSmtp } from '../support/smtp.js';

const MAIL = { publicUrl: 'https://lockstep.example', mailFrom: 'Lockstep <no-reply@lockstep.example>' };

interface Queued extends EmailMessage {
  purpose: string;
  ref: string;
}

describeDb('ticket e-mails through the outbox', (db) => {
  let t: TestApp | undefined;
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await smtp?.close();
    smtp = undefined;
  });

  const key = parseSecretsKeyOrThrow(TEST_SECRETS_KEY);
  let seen = 0;
  /** The e-mails queued since the last call, decrypted, in the order queued. */
  async function queuedSinceLast(): Promise<Queued[]> {
    const { rows } = await t!.ctx.db.query<{ id: number; purpose: string; subject: string; message: string }>(
      'select id::int, purpose, subject, message_encrypted as message from outbox_emails where id > $1 order by id',
      [seen],
    );
    seen = rows.at(-1)?.id ?? seen;
    return rows.map((row) => ({ purpose: row.purpose, ref: row.subject, ...(JSON.parse(decryptSecret(key, row.message)) as EmailMessage) }));
  }
  const sendEmailItems = async () => (await t!.ctx.db.query(`select 1 from work_items where kind = 'send-email'`)).rows.length;

  /** A partner with its admin (the requester), a second admin and a plain user; two operators. */
  async function world() {
    seen = 0;
    const partner = await makeAccount(t!.ctx, 'PARTNER', { name: 'Mail Trail Partner' });
    const secondAdmin = await addMember(t!.ctx, partner.id, 'ADMIN');
    const user = await addMember(t!.ctx, partner.id, 'USER');
    const operators = [await makeOperator(t!.ctx), await makeOperator(t!.ctx)];
    const operator: OperatorActor = { type: 'operator', userId: operators[0]!.userId };
    const userActor: AccountActor = { ...partner.actor, userId: user.userId, role: 'USER' };
    return { partner, secondAdmin, user, operators, operator, userActor };
  }

  const who = (mails: Queued[]) => mails.map((m) => [m.purpose, m.to]);

  it('each event queues its e-mails, in its transaction: the requester hears of replies, review, rejection and outcome; the operators of new tickets and replies', async () => {
    t = await startTestApp(db(), { ...MAIL, smtpRelayUrl: 'smtp://127.0.0.1:2525' });
    const { partner, secondAdmin, user, operators, operator, userActor } = await world();
    const operatorEmails = operators.map((o) => o.email);

    const ticket = await openTicket(t.ctx, partner.actor, { type: 'MANUAL_PAYSTUB', subject: 'Pay my 6.00', message: 'I am closing this channel.' });
    const opened = await queuedSinceLast();
    // The requester's confirmation, the other admin (not the plain user), each operator.
    expect(who(opened)).toEqual([
      ['ticket-opened', partner.adminEmail],
      ['ticket-opened', secondAdmin.email],
      ...operatorEmails.map((email) => ['ticket-opened', email]),
    ]);
    expect(opened.every((m) => m.ref === `ticket:${ticket.id}`)).toBe(true);
    expect(opened[0]!.subject).toBe(`We received your ticket #${ticket.id}: Pay my 6.00`);
    expect(opened[0]!.text).toContain('a manual paystub');
    expect(opened[0]!.text).toContain(`https://lockstep.example/help/tickets/${ticket.id}`);
    expect(opened[1]!.text).toContain('an account you administer');
    expect(opened[2]!.subject).toBe(`New ticket #${ticket.id} from Mail Trail Partner: Pay my 6.00`);
    expect(opened[2]!.text).toContain('> I am closing this channel.');
    expect(opened[2]!.text).toContain(`https://lockstep.example/operator/tickets/${ticket.id}`);
    expect(opened.some((m) => m.to === user.email)).toBe(false);
    // Stored encrypted, one send-email item each; nothing has left yet.
    const stored = await t.ctx.db.query<{ message: string }>('select message_encrypted as message from outbox_emails');
    expect(stored.rows.every((r) => !r.message.includes('example.test') && !r.message.includes('closing'))).toBe(true);
    expect(await sendEmailItems()).toBe(4);

    await addTicketMessage(t.ctx, operator, ticket.id, { message: 'Which currency?' });
    const reply = await queuedSinceLast();
    expect(who(reply)).toEqual([['ticket-reply', partner.adminEmail]]);
    expect(reply[0]!.text).toContain('> Which currency?');

    // The account's reply goes to the operators, whoever of the account writes it.
    await addTicketMessage(t.ctx, userActor, ticket.id, { message: 'USD, please.' });
    expect(who(await queuedSinceLast())).toEqual(operatorEmails.map((email) => ['ticket-reply', email]));

    await setTicketStatus(t.ctx, operator, ticket.id, { status: 'IN_REVIEW', message: 'Checking your balance.' });
    const review = await queuedSinceLast();
    expect(who(review)).toEqual([['ticket-in-review', partner.adminEmail]]);
    expect(review[0]!.text).toContain('> Checking your balance.');
    // In review again without a word: nothing new to tell.
    await setTicketStatus(t.ctx, operator, ticket.id, { status: 'IN_REVIEW' });
    expect(await queuedSinceLast()).toEqual([]);

    await setTicketStatus(t.ctx, operator, ticket.id, { status: 'REJECTED', message: 'The PayPal fee would take it all.' });
    const rejected = await queuedSinceLast();
    expect(who(rejected)).toEqual([['ticket-rejected', partner.adminEmail]]);
    expect(rejected[0]!.subject).toBe(`Your ticket #${ticket.id} was rejected: Pay my 6.00`);
    expect(rejected[0]!.text).toContain('> The PayPal fee would take it all.');

    // A plain user's ticket: the account's admins hear of it. Resolving it (through the flow that performs it) tells the requester the outcome.
    const general = await openTicket(t.ctx, userActor, { type: 'GENERAL', subject: 'A question', message: 'How do links work?' });
    expect(who(await queuedSinceLast())).toEqual([
      ['ticket-opened', user.email],
      ['ticket-opened', partner.adminEmail],
      ['ticket-opened', secondAdmin.email],
      ...operatorEmails.map((email) => ['ticket-opened', email]),
    ]);
    await resolveTicket(t.ctx, operator, general.id, { message: 'See the Links page.' });
    const resolved = await queuedSinceLast();
    expect(who(resolved)).toEqual([['ticket-resolved', user.email]]);
    expect(resolved[0]!.text).toContain('> Resolved.');
    expect(resolved[0]!.text).toContain('> See the Links page.');
  });

  it('queues nothing without SMTP_RELAY_URL', async () => {
    t = await startTestApp(db(), { publicUrl: MAIL.publicUrl });
    const { partner, operator, userActor } = await world();
    const ticket = await openTicket(t.ctx, partner.actor, { type: 'GENERAL', subject: 'Hello', message: 'A question.' });
    await addTicketMessage(t.ctx, operator, ticket.id, { message: 'An answer.' });
    await addTicketMessage(t.ctx, userActor, ticket.id, { message: 'Thanks.' });
    await setTicketStatus(t.ctx, operator, ticket.id, { status: 'IN_REVIEW', message: 'Looking.' });
    await resolveTicket(t.ctx, operator, ticket.id);
    const other = await openTicket(t.ctx, partner.actor, { type: 'GENERAL', subject: 'Again', message: 'Another.' });
    await setTicketStatus(t.ctx, operator, other.id, { status: 'REJECTED', message: 'No.' });
    expect(await queuedSinceLast()).toEqual([]);
    expect(await sendEmailItems()).toBe(0);
  });

  it('queues nothing for a change that rolls back or is refused', async () => {
    t = await startTestApp(db(), { ...MAIL, smtpRelayUrl: 'smtp://127.0.0.1:2525' });
    const { partner, operator } = await world();
    const ticket = await openTicket(t.ctx, partner.actor, { type: 'GENERAL', subject: 'Hello', message: 'A question.' });
    await queuedSinceLast();
    const items = await sendEmailItems();

    // The resolution's transaction fails after the e-mail was queued in it: neither stays.
    const failure = new Error('the flow failed after marking the ticket resolved');
    await expect(
      t.ctx.db.transaction(async (tx) => {
        await markTicketResolved(tx, ticket.id, operator.userId, 'Resolved.', t!.ctx.clock.now());
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await queuedSinceLast()).toEqual([]);
    expect(await sendEmailItems()).toBe(items);
    expect((await t.ctx.db.query<{ status: string }>('select status from tickets where id = $1', [ticket.id.toString()])).rows[0]!.status).toBe('OPEN');

    // Refused changes: a rejection without a reason, a message on a rejected ticket.
    await expect(setTicketStatus(t.ctx, operator, ticket.id, { status: 'REJECTED' })).rejects.toThrow(/tells the requester why/);
    await setTicketStatus(t.ctx, operator, ticket.id, { status: 'REJECTED', message: 'Duplicate of another ticket.' });
    await queuedSinceLast();
    await expect(addTicketMessage(t.ctx, partner.actor, ticket.id, { message: 'But…' })).rejects.toThrow(/open a new ticket/);
    await expect(resolveTicket(t.ctx, operator, ticket.id)).rejects.toThrow(/already rejected/);

    // A resolution whose operation is refused leaves the ticket in review and e-mails nothing (the requester reads why in the thread).
    const brand = await makeAccount(t.ctx, 'BRAND');
    const program = await makeProgram(t.ctx, brand, { timeZone: 'UTC' });
    await makeContract(t.ctx, partner, program);
    (db().clock as ManualClock).advanceMs(3_600_000);
    const [sale] = await makeSales(t.ctx, brand, partner, program, 1);
    const cpc = await openTicket(t.ctx, brand.actor, { type: 'CPC_REVERSAL', subject: 'Bot clicks', message: 'Reverse these.', actionIds: [sale!] });
    await queuedSinceLast();
    await expect(resolveTicket(t.ctx, operator, cpc.id)).rejects.toThrow(/None of the ticket's actions could be reversed/);
    expect(await queuedSinceLast()).toEqual([]);
  });

  it('end to end: opened and answered through the API, the e-mails leave after the commit through SMTP, then are erased', async () => {
    smtp = await startSmtp();
    t = await startTestApp(db(), { ...MAIL, smtpRelayUrl: `smtp://127.0.0.1:${smtp.port}` });
    const partner: TestAccount = await makeAccount(t.ctx, 'PARTNER', { name: 'Smtp Trail Partner' });
    const operator = await makeOperator(t.ctx);
    const partnerClient = await accountClient(t, partner);
    const operatorClient = await clientFor(t, operator.userId);

    const opened = ok(await partnerClient.post('/api/v1/tickets', { Type: 'GENERAL', Subject: 'Where is my payout?', Message: 'It was due on the 20th.' }), 201);
    ok(await operatorClient.post(`/api/v1/tickets/${opened.Id}/messages`, { Message: 'The brand paid today; it clears tomorrow.' }), 201);
    problem(await operatorClient.post(`/api/v1/operator/tickets/${opened.Id}/status`, { Status: 'REJECTED' }), 409);
    expect(smtp.received).toEqual([]);

    await new Worker({ db: db().db, clock: db().clock }, { kinds: ['send-email'], pollMs: 20 }).drain();
    // The worker may send them in any order: each is found by its subject.
    const mails = smtp.received.map((m) => ({ from: m.from, to: m.to, text: decoded(m.raw) }));
    expect(mails).toHaveLength(3);
    expect(mails.every((m) => m.from === 'no-reply@lockstep.example')).toBe(true);
    const mail = (subject: string) => mails.find((m) => m.text.includes(`Subject: ${subject}`))!;
    expect(mail(`We received your ticket #${opened.Id}: Where is my payout?`).to).toEqual([partner.adminEmail]);
    const toOperator = mail(`New ticket #${opened.Id} from Smtp Trail Partner`);
    expect(toOperator.to).toEqual([operator.email]);
    expect(toOperator.text).toContain('> It was due on the 20th.');
    const reply = mail(`Reply on your ticket #${opened.Id}`);
    expect(reply.to).toEqual([partner.adminEmail]);
    expect(reply.text).toContain('> The brand paid today; it clears tomorrow.');
    expect(reply.text).toContain(`https://lockstep.example/help/tickets/${opened.Id}`);
    const rows = await t.ctx.db.query<{ purpose: string; message: string | null; sent: boolean }>(
      'select purpose, message_encrypted as message, sent_at is not null as sent from outbox_emails order by id',
    );
    expect(rows.rows).toEqual([
      { purpose: 'ticket-opened', message: null, sent: true },
      { purpose: 'ticket-opened', message: null, sent: true },
      { purpose: 'ticket-reply', message: null, sent: true },
    ]);
  });
});
