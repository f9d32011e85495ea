/**
 * Returns files by e-mail (issue 14, item 3), end to end with real counterparts: Debian's
 * `swaks` sends to the running listener (src/channels/smtp/listener.ts); the worker
 * applies the batches; the result mail leaves through SMTP_RELAY_URL to a capture SMTP
 * server the test starts, with result_<name>.csv attached. Refusals are read from what
 * swaks printed: each says why, and nothing is stored.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startSmtpListener, type SmtpListener } from '../../src/channels/smtp/listener.js';
import { setReturnsProcessing, type SetReturnsProcessingInput } from '../../src/modules/programs/set-returns-processing.js';
import { getBrandEventTypeOrThrow } from '../../src/modules/programs/brand-event-types.js';
import { Worker } from '../../src/worker/worker.js';
import { accountClient, makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { makeAccount, startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const DOMAIN = 'mail.lockstep.test';
const SENDER = 'ops@acme.example';

interface Swaks {
  code: number;
  output: string;
}

/** Runs /usr/bin/swaks against the listener; never throws on a refusal (the exit code says which step failed). */
function swaks(listener: SmtpListener, args: string[]): Promise<Swaks> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/swaks',
      ['--server', `127.0.0.1:${listener.port}`, '--from', SENDER, '--helo', 'client.acme.example', '--timeout', '30', ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** The server's answers swaks printed (`<-  250 …`, `<** 550 …`), one a line. */
const answers = (run: Swaks) =>
  run.output
    .split('\n')
    .filter((line) => /^<[-~*]+ /.test(line))
    .map((line) => line.replace(/^<[-~*]+ +/, ''));

describeDb('returns files by e-mail (issue 14 item 3)', (db) => {
  let t: TestApp | undefined;
  let capture: TestSmtp | undefined;
  let listener: SmtpListener | undefined;
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-smtp-'));
  });
  afterEach(async () => {
    await listener?.close();
    await t?.close();
    await capture?.close();
    listener = undefined;
    t = undefined;
    capture = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(options: { relay?: boolean; maxMessageBytes?: number; tls?: { cert: Buffer; key: Buffer } } = {}) {
    if (options.relay !== false) capture = await startSmtp();
    t = await startTestApp(db(), {
      publicUrl: 'https://lockstep.example',
      mailFrom: 'Lockstep <no-reply@lockstep.example>',
      mailDomain: DOMAIN,
      smtpPort: 2525,
      smtpRelayUrl: capture ? `smtp://127.0.0.1:${capture.port}` : undefined,
    });
    listener = await startSmtpListener(t.ctx, {
      port: 0,
      host: '127.0.0.1',
      mailDomain: DOMAIN,
      tls: options.tls,
      maxMessageBytes: options.maxMessageBytes ?? 256 * 1024,
      maxAttachments: 4,
      maxRecipients: 2,
    });
    return { t, listener };
  }

  async function emailEventType(world: ActionWorld, email: SetReturnsProcessingInput['email'] = {}) {
    const eventTypeId = world.program.saleEventTypeId;
    await setReturnsProcessing(t!.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', email });
    const row = await getBrandEventTypeOrThrow(t!.ctx.db, world.brand.id, eventTypeId);
    return { eventTypeId, address: `returns-${row.returnsEmailToken}@${DOMAIN}` };
  }

  function file(name: string, content: string): string {
    const at = path.join(dir, name);
    fs.writeFileSync(at, content);
    return at;
  }

  const drain = () => new Worker(t!.ctx, { kinds: ['returns-batch', 'send-email'], pollMs: 20 }).drain();
  const count = async (table: string) => (await t!.ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

  it('a CSV and an XML attachment sent with swaks become two batches before the 250; applied, each result comes back by e-mail with result_<name>.csv', async () => {
    await start();
    const world = await makeActionWorld(t!.ctx, db().clock);
    const [a, b, c] = await makeSales(t!.ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
    const { eventTypeId, address } = await emailEventType(world);
    const csv = file('returns.csv', `ActionId,Amount,Reason\n${a},60.00,ITEM_RETURNED\n${b},0,ORDER_ERROR\n999999999,1.00,ORDER_UPDATE\n`);
    const xml = file('returns.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<Rows><Row><ActionId>${c}</ActionId><Amount>75.00</Amount><Reason>ITEM_RETURNED</Reason></Row></Rows>\n`);

    const run = await swaks(listener!, ['--to', address, '--header', 'Subject: nightly returns', '--attach-type', 'text/csv', '--attach', `@${csv}`, '--attach-type', 'application/xml', '--attach', `@${xml}`]);
    expect(run.code, run.output).toBe(0);
    const accepted = answers(run).find((line) => line.startsWith('250 2.0.0 Received'))!;
    expect(accepted).toMatch(/returns\.csv as batch \d+, returns\.xml as batch \d+; the result goes to ops@acme\.example/);

    // Stored before the answer: both batches and their work items are there, nothing applied yet.
    const { rows: batches } = await t!.ctx.db.query<{ id: string; file_name: string; channel: string; status: string; work_item_id: string | null }>(
      'select id::text, file_name, channel, status, work_item_id::text from returns_batches order by id',
    );
    expect(batches.map((r) => [r.file_name, r.channel, r.status])).toEqual([
      ['returns.csv', 'EMAIL', 'RECEIVED'],
      ['returns.xml', 'EMAIL', 'RECEIVED'],
    ]);
    expect(batches.every((r) => r.work_item_id !== null)).toBe(true);

    await drain();
    const { rows: done } = await t!.ctx.db.query<{ status: string; counts: Record<string, number> }>('select status, counts from returns_batches order by id');
    expect(done[0]).toMatchObject({ status: 'DONE', counts: { APPLIED: 2, NOT_FOUND: 1 } });
    expect(done[1]).toMatchObject({ status: 'DONE', counts: { APPLIED: 1 } });
    const { rows: actions } = await t!.ctx.db.query<{ id: string; amount: string; state: string }>(
      'select x.id::text, x.amount_minor::text as amount, x.state from actions x where x.id = any($1::bigint[]) order by x.id',
      [[a, b, c].map(String)],
    );
    const byId = new Map(actions.map((r) => [r.id, [r.amount, r.state]]));
    expect([a, b, c].map((x) => byId.get(String(x)))).toEqual([['6000', 'PENDING'], ['10000', 'REVERSED'], ['7500', 'PENDING']]);

    // The result mails, caught by the capture server the relay URL points at.
    expect(capture!.received).toHaveLength(2);
    const mails = await Promise.all(capture!.received.map(async (m) => ({ to: m.to, parsed: await simpleParser(m.raw) })));
    const csvMail = mails.find((m) => m.parsed.subject?.includes('returns.csv'))!;
    expect(csvMail.to).toEqual([SENDER]);
    expect(csvMail.parsed.subject).toBe('Result of returns.csv: 2 applied, 1 not applied');
    expect(csvMail.parsed.text).toContain(`Batch: ${batches[0]!.id}`);
    expect(csvMail.parsed.text).toContain('APPLIED: 2');
    expect(csvMail.parsed.text).toContain('NOT_FOUND: 1');
    expect(csvMail.parsed.text).toContain(`https://lockstep.example/transactions/returns-batches/${batches[0]!.id}`);
    expect(csvMail.parsed.attachments.map((x) => x.filename)).toEqual(['result_returns.csv']);
    const resultLines = csvMail.parsed.attachments[0]!.content.toString('utf8').trim().split('\n');
    expect(resultLines[0]).toBe('ActionId,Amount,Reason,Outcome,ActionId,Message');
    expect(resultLines.slice(1).map((line) => line.split(',')[3])).toEqual(['APPLIED', 'APPLIED', 'NOT_FOUND']);
    const xmlMail = mails.find((m) => m.parsed.subject?.includes('returns.xml'))!;
    expect(xmlMail.parsed.subject).toBe('Result of returns.xml: 1 applied, 0 not applied');
    expect(xmlMail.parsed.attachments.map((x) => x.filename)).toEqual(['result_returns.csv']);
    expect(xmlMail.parsed.attachments[0]!.content.toString('utf8')).toContain(`${c},75.00,ITEM_RETURNED,APPLIED,${c}`);
    // The reply threads with the message it answers.
    expect(xmlMail.parsed.inReplyTo).toBeTruthy();

    // The brand's panel: the message, its batches and where the results went.
    const client = await accountClient(t!, world.brand);
    const panel = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/returns-email`));
    expect(panel).toMatchObject({ Address: address, Method: 'EMAIL', Server: { Host: 'lockstep.example', Port: 2525, StartTls: false }, ResultsMailed: true });
    expect(panel.Messages).toHaveLength(1);
    expect(panel.Messages[0]).toMatchObject({ Status: 'ACCEPTED', Sender: SENDER, From: SENDER, Subject: 'nightly returns' });
    expect(panel.Messages[0].Attachments).toMatchObject([
      { FileName: 'returns.csv', Outcome: 'BATCH', BatchId: batches[0]!.id, BatchStatus: 'DONE', ResultTo: SENDER, ResultNote: `Result mailed to ${SENDER}.` },
      { FileName: 'returns.xml', Outcome: 'BATCH', BatchId: batches[1]!.id, BatchStatus: 'DONE', ResultTo: SENDER },
    ]);
    expect(panel.Messages[0].Attachments[0].ResultEmailedDate).not.toBeNull();
    // The outbox erased the message once sent.
    const { rows: outbox } = await t!.ctx.db.query<{ purpose: string; sent: boolean; message: string | null }>(
      'select purpose, sent_at is not null as sent, message_encrypted as message from outbox_emails order by id',
    );
    expect(outbox).toEqual([
      { purpose: 'returns-result', sent: true, message: null },
      { purpose: 'returns-result', sent: true, message: null },
    ]);
  }, 60_000);

  it('refuses, saying why and storing no file: an unknown address, a regenerated (old) one, another domain, an event type not on E-mail, a sender not allowed, too large, too many attachments or recipients, nothing matching the pattern', async () => {
    await start({ maxMessageBytes: 16 * 1024 });
    const world = await makeActionWorld(t!.ctx, db().clock);
    const [id] = await makeSales(t!.ctx, world.brand, world.partner, world.program, 1);
    const { eventTypeId, address: old } = await emailEventType(world);
    await setReturnsProcessing(t!.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', regenerateEmailAddress: true });
    const token = (await getBrandEventTypeOrThrow(t!.ctx.db, world.brand.id, eventTypeId)).returnsEmailToken!;
    const address = `returns-${token}@${DOMAIN}`;
    const csv = file('returns.csv', `ActionId,Amount,Reason\n${id},5.00,ORDER_UPDATE\n`);

    const unknown = await swaks(listener!, ['--to', `returns-${'0'.repeat(32)}@${DOMAIN}`, '--attach', `@${csv}`]);
    expect(unknown.code).toBe(24);
    expect(answers(unknown).join('\n')).toContain('550 5.1.1');
    expect(answers(unknown).join('\n')).toContain('no event type takes files at this address. An address that was regenerated no longer works');

    const regenerated = await swaks(listener!, ['--to', old, '--attach', `@${csv}`]);
    expect(regenerated.code).toBe(24);
    expect(answers(regenerated).join('\n')).toContain(`550 5.1.1 <${old}>: no event type takes files at this address`);

    const otherDomain = await swaks(listener!, ['--to', `returns-${token}@elsewhere.example`, '--attach', `@${csv}`]);
    expect(otherDomain.code).toBe(24);
    expect(answers(otherDomain).join('\n')).toContain(`550 5.1.2 <returns-${token}@elsewhere.example>: this server takes mail only for addresses @${DOMAIN}`);

    const big = file('big.csv', `ActionId,Amount,Reason\n${`${id},5.00,ORDER_UPDATE\n`.repeat(2000)}`);
    const tooLarge = await swaks(listener!, ['--to', address, '--attach', `@${big}`]);
    expect(tooLarge.code).toBe(26);
    expect(answers(tooLarge).join('\n')).toMatch(/552 5\.3\.4 The message is [\d.]+ MB; this address takes messages up to 0\.02 MB/);

    const pdf = file('returns.pdf', '%PDF-1.4 not a returns file');
    const noMatch = await swaks(listener!, ['--to', address, '--attach', `@${pdf}`]);
    expect(noMatch.code).toBe(26);
    expect(answers(noMatch).join('\n')).toContain('550 5.6.0 No attachment matches the file pattern "*.csv, *.xml"');
    expect(answers(noMatch).join('\n')).toContain('attached: returns.pdf');
    const reserved = await swaks(listener!, ['--to', address, '--attach', `@${file('result_returns.csv', 'ActionId,Amount,Reason\n')}`]);
    expect(reserved.code).toBe(26);

    const manyFiles = ['a.csv', 'b.csv', 'c.csv', 'd.csv', 'e.csv'].flatMap((name, i) => ['--attach', `@${file(name, `ActionId,Amount,Reason\n${id},${i + 1}.00,ORDER_UPDATE\n`)}`]);
    const tooManyFiles = await swaks(listener!, ['--to', address, ...manyFiles]);
    expect(tooManyFiles.code).toBe(26);
    expect(answers(tooManyFiles).join('\n')).toContain('552 5.3.4 The message has 5 attachments; at most 4 a message');

    // Three event types on E-mail, one recipient more than the listener takes in one message.
    const more = [];
    for (const eventType of [world.program.leadEventTypeId, world.program.clickEventTypeId]) {
      await setReturnsProcessing(t!.ctx, world.brand.actor, eventType, { method: 'EMAIL' });
      more.push(`returns-${(await getBrandEventTypeOrThrow(t!.ctx.db, world.brand.id, eventType)).returnsEmailToken}@${DOMAIN}`);
    }
    const tooManyRecipients = await swaks(listener!, ['--to', [address, ...more].join(','), '--quit-after', 'RCPT']);
    // MAIL FROM and two recipients accepted, the third not.
    expect(answers(tooManyRecipients).filter((line) => line.startsWith('250 Accepted'))).toHaveLength(3);
    expect(answers(tooManyRecipients).join('\n')).toContain('452 4.5.3 Too many recipients: at most 2 a message; send the others in another message.');

    await setReturnsProcessing(t!.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', email: { allowedSenders: ['nightly@acme.example'] } });
    const notAllowed = await swaks(listener!, ['--to', address, '--attach', `@${csv}`]);
    expect(notAllowed.code).toBe(24);
    expect(answers(notAllowed).join('\n')).toContain(`550 5.7.1 <${SENDER}> may not send files to <${address}>: it takes files only from the senders listed`);

    await setReturnsProcessing(t!.ctx, world.brand.actor, eventTypeId, { method: 'API' });
    const notEmail = await swaks(listener!, ['--to', address, '--from', 'nightly@acme.example', '--attach', `@${csv}`]);
    expect(notEmail.code).toBe(24);
    expect(answers(notEmail).join('\n')).toContain("550 5.7.1");
    expect(answers(notEmail).join('\n')).toContain("this event type's Returns Processing is not E-mail now");

    expect(await count('returns_batches')).toBe(0);
    expect(await count('work_items')).toBe(0);
    // What the brand sees: the refusals that reached its address, newest first, each with the answer given.
    await setReturnsProcessing(t!.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL' });
    const panel = expectOk(await (await accountClient(t!, world.brand)).get(`/api/v1/event-types/${eventTypeId}/returns-email`));
    const replies = panel.Messages.map((m: { Status: string; Reply: string }) => `${m.Status} ${m.Reply.slice(0, 13)}`);
    expect(replies).toEqual(['REFUSED 550 5.7.1 <op', 'REFUSED 552 5.3.4 The', 'REFUSED 550 5.6.0 No ', 'REFUSED 550 5.6.0 No ', 'REFUSED 552 5.3.4 The']);
    expect(panel.Messages[2].Attachments).toEqual([expect.objectContaining({ FileName: 'result_returns.csv', Outcome: 'IGNORED' })]);
  }, 60_000);

  it('the same file twice applies once, the same message (Message-ID) twice is answered as received, and without a relay the result stays on the batch page', async () => {
    await start({ relay: false });
    const world = await makeActionWorld(t!.ctx, db().clock);
    const [id] = await makeSales(t!.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const { eventTypeId, address } = await emailEventType(world, { returnAddress: 'results@acme.example' });
    const csv = file('returns.csv', `ActionId,Amount,Reason\n${id},90.00,ITEM_RETURNED\n`);

    const first = await swaks(listener!, ['--to', address, '--header', 'Message-Id: <nightly-1@acme.example>', '--attach', `@${csv}`]);
    expect(first.code, first.output).toBe(0);
    expect(answers(first).join('\n')).toMatch(/250 2\.0\.0 Received: returns\.csv as batch \d+; the result goes to results@acme\.example/);
    const again = await swaks(listener!, ['--to', address, '--header', 'Message-Id: <nightly-1@acme.example>', '--attach', `@${csv}`]);
    expect(again.code).toBe(0);
    expect(answers(again).join('\n')).toMatch(/250 2\.0\.0 Received: this message was received before \(.*, batches \d+\); nothing is applied twice/);
    const sameFile = await swaks(listener!, ['--to', address, '--header', 'Message-Id: <nightly-2@acme.example>', '--attach', `@${csv}`]);
    expect(sameFile.code).toBe(0);
    expect(answers(sameFile).join('\n')).toMatch(/returns\.csv as batch \d+ \(received before\)/);
    expect(await count('returns_batches')).toBe(1);
    expect(await count('work_items')).toBe(1);

    await drain();
    const { rows } = await t!.ctx.db.query<{ amount: string; mods: number }>('select amount_minor::text as amount, modification_count as mods from actions where id = $1', [String(id)]);
    expect(rows[0]).toEqual({ amount: '9000', mods: 2 });
    expect(await count('outbox_emails')).toBe(0);
    const panel = expectOk(await (await accountClient(t!, world.brand)).get(`/api/v1/event-types/${eventTypeId}/returns-email`));
    expect(panel.ResultsMailed).toBe(false);
    expect(panel.Messages.map((m: { Status: string }) => m.Status)).toEqual(['ACCEPTED', 'DUPLICATE', 'ACCEPTED']);
    expect(panel.Messages[0].Attachments[0]).toMatchObject({ Outcome: 'SAME_FILE' });
    expect(panel.Messages[2].Attachments[0]).toMatchObject({
      Outcome: 'BATCH',
      BatchStatus: 'DONE',
      ResultTo: 'results@acme.example',
      ResultEmailedDate: null,
      ResultNote: expect.stringContaining('no outgoing mail server is configured (SMTP_RELAY_URL)'),
    });
  }, 60_000);

  it("an address of another account puts files only into that account's event type: this brand's actions are untouched", async () => {
    await start();
    const world = await makeActionWorld(t!.ctx, db().clock);
    const [id] = await makeSales(t!.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    await emailEventType(world);
    const other = await makeAccount(t!.ctx, 'BRAND');
    const otherProgram = await makeProgram(t!.ctx, other);
    await setReturnsProcessing(t!.ctx, other.actor, otherProgram.saleEventTypeId, { method: 'EMAIL' });
    const otherToken = (await getBrandEventTypeOrThrow(t!.ctx.db, other.id, otherProgram.saleEventTypeId)).returnsEmailToken!;
    const csv = file('returns.csv', `ActionId,Amount,Reason\n${id},1.00,ORDER_UPDATE\n`);
    const run = await swaks(listener!, ['--to', `returns-${otherToken}@${DOMAIN}`, '--attach', `@${csv}`]);
    expect(run.code, run.output).toBe(0);
    await drain();
    const { rows } = await t!.ctx.db.query<{ brand: number; eventType: number; counts: Record<string, number> }>(
      'select brand_account_id as brand, event_type_id as "eventType", counts from returns_batches',
    );
    expect(rows).toEqual([{ brand: other.id, eventType: otherProgram.saleEventTypeId, counts: { NOT_FOUND: 1 } }]);
    const { rows: action } = await t!.ctx.db.query<{ amount: string; mods: number }>('select amount_minor::text as amount, modification_count as mods from actions where id = $1', [String(id)]);
    expect(action[0]).toEqual({ amount: '10000', mods: 1 });
    // Neither brand reads the other's messages.
    const panel = expectOk(await (await accountClient(t!, world.brand)).get(`/api/v1/event-types/${world.program.saleEventTypeId}/returns-email`));
    expect(panel.Messages).toEqual([]);
  }, 60_000);

  it('STARTTLS with the configured certificate (swaks --tls)', async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await new Promise<void>((resolve, reject) =>
      execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${DOMAIN}`], (error) => (error ? reject(error) : resolve())),
    );
    await start({ tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
    const world = await makeActionWorld(t!.ctx, db().clock);
    const [id] = await makeSales(t!.ctx, world.brand, world.partner, world.program, 1);
    const { address } = await emailEventType(world);
    const run = await swaks(listener!, ['--tls', '--to', address, '--attach', `@${file('returns.csv', `ActionId,Amount,Reason\n${id},5.00,ORDER_UPDATE\n`)}`]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('STARTTLS');
    expect(run.output).toMatch(/TLS started with cipher/);
    expect(answers(run).join('\n')).toMatch(/250 2\.0\.0 Received: returns\.csv as batch \d+/);
    expect(await count('returns_batches')).toBe(1);
  }, 60_000);
});
