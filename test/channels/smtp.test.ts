/**
 * Returns files by e-mail (issue 14, item 3), end to end with real counterparts: Debian's
 * `swaks` sends to the running listener (src/channels/smtp/listener.ts); the worker
 * applies the batches; the result mail leaves through SMTP_RELAY_URL to a capture SMTP
 * server the test starts, with result_<name>.csv attached. The refusals and STARTTLS are
 * in smtp-refusals.test.ts, the kill -9 in smtp-restart.test.ts.
 */
import { simpleParser } from 'mailparser';
import { expect, it } from 'vitest';
import { accountClient, makeActionWorld, makeSales } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { makeAccount } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeProgram } from '../support/programs.js';
import { answers, DOMAIN, emailHarness, SENDER, swaks } from '../support/returns-email.js';
import { getBrandEventTypeOrThrow } from '../../src/modules/programs/brand-event-types.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';

describeDb('returns files by e-mail (issue 14 item 3)', (db) => {
  const h = emailHarness(db);

  it('a CSV and an XML attachment sent with swaks become two batches before the 250; applied, each result comes back by e-mail with result_<name>.csv', async () => {
    await h.start();
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const [a, b, c] = await makeSales(h.t.ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
    const { eventTypeId, address } = await h.emailEventType(world);
    const csv = h.file('returns.csv', `ActionId,Amount,Reason\n${a},60.00,ITEM_RETURNED\n${b},0,ORDER_ERROR\n999999999,1.00,ORDER_UPDATE\n`);
    const xml = h.file('returns.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<Rows><Row><ActionId>${c}</ActionId><Amount>75.00</Amount><Reason>ITEM_RETURNED</Reason></Row></Rows>\n`);

    const run = await swaks(h.listener, ['--to', address, '--header', 'Subject: nightly returns', '--attach-type', 'text/csv', '--attach', `@${csv}`, '--attach-type', 'application/xml', '--attach', `@${xml}`]);
    expect(run.code, run.output).toBe(0);
    const accepted = answers(run).find((line) => line.startsWith('250 2.0.0 Received'))!;
    expect(accepted).toMatch(/returns\.csv as batch \d+, returns\.xml as batch \d+; the result goes to ops@acme\.example/);

    // Stored before the answer: both batches and their work items are there, nothing applied yet.
    const { rows: batches } = await h.t.ctx.db.query<{ id: string; file_name: string; channel: string; status: string; work_item_id: string | null }>(
      'select id::text, file_name, channel, status, work_item_id::text from returns_batches order by id',
    );
    expect(batches.map((r) => [r.file_name, r.channel, r.status])).toEqual([
      ['returns.csv', 'EMAIL', 'RECEIVED'],
      ['returns.xml', 'EMAIL', 'RECEIVED'],
    ]);
    expect(batches.every((r) => r.work_item_id !== null)).toBe(true);

    await h.drain();
    const { rows: done } = await h.t.ctx.db.query<{ status: string; counts: Record<string, number> }>('select status, counts from returns_batches order by id');
    expect(done[0]).toMatchObject({ status: 'DONE', counts: { APPLIED: 2, NOT_FOUND: 1 } });
    expect(done[1]).toMatchObject({ status: 'DONE', counts: { APPLIED: 1 } });
    const { rows: actions } = await h.t.ctx.db.query<{ id: string; amount: string; state: string }>(
      'select x.id::text, x.amount_minor::text as amount, x.state from actions x where x.id = any($1::bigint[]) order by x.id',
      [[a, b, c].map(String)],
    );
    const byId = new Map(actions.map((r) => [r.id, [r.amount, r.state]]));
    expect([a, b, c].map((x) => byId.get(String(x)))).toEqual([['6000', 'PENDING'], ['10000', 'REVERSED'], ['7500', 'PENDING']]);

    // The result mails, caught by the capture server the relay URL points at.
    expect(h.capture.received).toHaveLength(2);
    const mails = await Promise.all(h.capture.received.map(async (m) => ({ to: m.to, parsed: await simpleParser(m.raw) })));
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
    const client = await accountClient(h.t, world.brand);
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
    const { rows: outbox } = await h.t.ctx.db.query<{ purpose: string; sent: boolean; message: string | null }>(
      'select purpose, sent_at is not null as sent, message_encrypted as message from outbox_emails order by id',
    );
    expect(outbox).toEqual([
      { purpose: 'returns-result', sent: true, message: null },
      { purpose: 'returns-result', sent: true, message: null },
    ]);
  }, 60_000);

  it('the same file twice applies once, the same message (Message-ID) twice is answered as received, and without a relay the result stays on the batch page', async () => {
    await h.start({ relay: false });
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const [id] = await makeSales(h.t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const { eventTypeId, address } = await h.emailEventType(world, { returnAddress: 'results@acme.example' });
    const csv = h.file('returns.csv', `ActionId,Amount,Reason\n${id},90.00,ITEM_RETURNED\n`);

    const first = await swaks(h.listener, ['--to', address, '--header', 'Message-Id: <nightly-1@acme.example>', '--attach', `@${csv}`]);
    expect(first.code, first.output).toBe(0);
    expect(answers(first).join('\n')).toMatch(/250 2\.0\.0 Received: returns\.csv as batch \d+; the result goes to results@acme\.example/);
    const again = await swaks(h.listener, ['--to', address, '--header', 'Message-Id: <nightly-1@acme.example>', '--attach', `@${csv}`]);
    expect(again.code).toBe(0);
    expect(answers(again).join('\n')).toMatch(/250 2\.0\.0 Received: this message was received before \(.*, batches \d+\); nothing is applied twice/);
    const sameFile = await swaks(h.listener, ['--to', address, '--header', 'Message-Id: <nightly-2@acme.example>', '--attach', `@${csv}`]);
    expect(sameFile.code).toBe(0);
    expect(answers(sameFile).join('\n')).toMatch(/returns\.csv as batch \d+ \(received before\)/);
    expect(await h.count('returns_batches')).toBe(1);
    expect(await h.count('work_items')).toBe(1);

    await h.drain();
    const { rows } = await h.t.ctx.db.query<{ amount: string; mods: number }>('select amount_minor::text as amount, modification_count as mods from actions where id = $1', [String(id)]);
    expect(rows[0]).toEqual({ amount: '9000', mods: 2 });
    expect(await h.count('outbox_emails')).toBe(0);
    const panel = expectOk(await (await accountClient(h.t, world.brand)).get(`/api/v1/event-types/${eventTypeId}/returns-email`));
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
    await h.start();
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const [id] = await makeSales(h.t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    await h.emailEventType(world);
    const other = await makeAccount(h.t.ctx, 'BRAND');
    const otherProgram = await makeProgram(h.t.ctx, other);
    await setReturnsProcessing(h.t.ctx, other.actor, otherProgram.saleEventTypeId, { method: 'EMAIL' });
    const otherToken = (await getBrandEventTypeOrThrow(h.t.ctx.db, other.id, otherProgram.saleEventTypeId)).returnsEmailToken!;
    const csv = h.file('returns.csv', `ActionId,Amount,Reason\n${id},1.00,ORDER_UPDATE\n`);
    const run = await swaks(h.listener, ['--to', `returns-${otherToken}@${DOMAIN}`, '--attach', `@${csv}`]);
    expect(run.code, run.output).toBe(0);
    await h.drain();
    const { rows } = await h.t.ctx.db.query<{ brand: number; eventType: number; counts: Record<string, number> }>(
      'select brand_account_id as brand, event_type_id as "eventType", counts from returns_batches',
    );
    expect(rows).toEqual([{ brand: other.id, eventType: otherProgram.saleEventTypeId, counts: { NOT_FOUND: 1 } }]);
    const { rows: action } = await h.t.ctx.db.query<{ amount: string; mods: number }>('select amount_minor::text as amount, modification_count as mods from actions where id = $1', [String(id)]);
    expect(action[0]).toEqual({ amount: '10000', mods: 1 });
    // Neither brand reads the other's messages.
    const panel = expectOk(await (await accountClient(h.t, world.brand)).get(`/api/v1/event-types/${world.program.saleEventTypeId}/returns-email`));
    expect(panel.Messages).toEqual([]);
  }, 60_000);

  it('a file that cannot be read: the mail says why and attaches no result; it goes to the return address', async () => {
    await h.start();
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const { address } = await h.emailEventType(world, { returnAddress: 'results@acme.example' });
    const run = await swaks(h.listener, ['--to', address, '--attach', `@${h.file('binary.csv', '\u0000\u0001\u0002PK\u0003\u0004')}`]);
    expect(run.code, run.output).toBe(0);
    await h.drain();
    expect(h.capture.received.map((m) => m.to)).toEqual([['results@acme.example']]);
    const mail = await simpleParser(h.capture.received[0]!.raw);
    expect(mail.subject).toBe('Not applied: binary.csv could not be read');
    expect(mail.text).toContain('could not be read, so none of it was applied');
    expect(mail.text).toContain('Status: FAILED');
    expect(mail.attachments).toEqual([]);
  }, 60_000);
});
