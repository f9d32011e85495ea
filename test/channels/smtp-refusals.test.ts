/**
 * Returns files by e-mail (issue 14, item 3): what the listener refuses, each with an SMTP
 * error that says why, read from what Debian's `swaks` printed, with nothing stored; and
 * STARTTLS with a certificate made by `openssl req` for the test.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { getBrandEventTypeOrThrow } from '../../src/modules/programs/brand-event-types.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { accountClient, makeActionWorld, makeSales } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { describeDb } from '../support/db.js';
import { answers, DOMAIN, emailHarness, SENDER, swaks } from '../support/returns-email.js';

describeDb('returns files by e-mail: refusals and STARTTLS (issue 14 item 3)', (db) => {
  const h = emailHarness(db);

  it('refuses, saying why and storing no file: an unknown address, a regenerated (old) one, another domain, an event type not on E-mail, a sender not allowed, too large, too many attachments or recipients, nothing matching the pattern', async () => {
    await h.start({ maxMessageBytes: 16 * 1024 });
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const [id] = await makeSales(h.t.ctx, world.brand, world.partner, world.program, 1);
    const { eventTypeId, address: old } = await h.emailEventType(world);
    await setReturnsProcessing(h.t.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', regenerateEmailAddress: true });
    const token = (await getBrandEventTypeOrThrow(h.t.ctx.db, world.brand.id, eventTypeId)).returnsEmailToken!;
    const address = `returns-${token}@${DOMAIN}`;
    const csv = h.file('returns.csv', `ActionId,Amount,Reason\n${id},5.00,ORDER_UPDATE\n`);

    const unknown = await swaks(h.listener, ['--to', `returns-${'0'.repeat(32)}@${DOMAIN}`, '--attach', `@${csv}`]);
    expect(unknown.code).toBe(24);
    expect(answers(unknown).join('\n')).toContain('550 5.1.1');
    expect(answers(unknown).join('\n')).toContain('no event type takes files at this address. An address that was regenerated no longer works');

    const regenerated = await swaks(h.listener, ['--to', old, '--attach', `@${csv}`]);
    expect(regenerated.code).toBe(24);
    expect(answers(regenerated).join('\n')).toContain(`550 5.1.1 <${old}>: no event type takes files at this address`);

    const otherDomain = await swaks(h.listener, ['--to', `returns-${token}@elsewhere.example`, '--attach', `@${csv}`]);
    expect(otherDomain.code).toBe(24);
    expect(answers(otherDomain).join('\n')).toContain(`550 5.1.2 <returns-${token}@elsewhere.example>: this server takes mail only for addresses @${DOMAIN}`);

    const big = h.file('big.csv', `ActionId,Amount,Reason\n${`${id},5.00,ORDER_UPDATE\n`.repeat(2000)}`);
    const tooLarge = await swaks(h.listener, ['--to', address, '--attach', `@${big}`]);
    expect(tooLarge.code).toBe(26);
    expect(answers(tooLarge).join('\n')).toMatch(/552 5\.3\.4 The message is [\d.]+ MB; this address takes messages up to 0\.02 MB/);

    const pdf = h.file('returns.pdf', '%PDF-1.4 not a returns file');
    const noMatch = await swaks(h.listener, ['--to', address, '--attach', `@${pdf}`]);
    expect(noMatch.code).toBe(26);
    expect(answers(noMatch).join('\n')).toContain('550 5.6.0 No attachment matches the file pattern "*.csv, *.xml"');
    expect(answers(noMatch).join('\n')).toContain('attached: returns.pdf');
    const reserved = await swaks(h.listener, ['--to', address, '--attach', `@${h.file('result_returns.csv', 'ActionId,Amount,Reason\n')}`]);
    expect(reserved.code).toBe(26);

    const manyFiles = ['a.csv', 'b.csv', 'c.csv', 'd.csv', 'e.csv'].flatMap((name, i) => ['--attach', `@${h.file(name, `ActionId,Amount,Reason\n${id},${i + 1}.00,ORDER_UPDATE\n`)}`]);
    const tooManyFiles = await swaks(h.listener, ['--to', address, ...manyFiles]);
    expect(tooManyFiles.code).toBe(26);
    expect(answers(tooManyFiles).join('\n')).toContain('552 5.3.4 The message has 5 attachments; at most 4 a message');

    // Three event types on E-mail, one recipient more than the listener takes in one message.
    const more = [];
    for (const eventType of [world.program.leadEventTypeId, world.program.clickEventTypeId]) {
      await setReturnsProcessing(h.t.ctx, world.brand.actor, eventType, { method: 'EMAIL' });
      more.push(`returns-${(await getBrandEventTypeOrThrow(h.t.ctx.db, world.brand.id, eventType)).returnsEmailToken}@${DOMAIN}`);
    }
    const tooManyRecipients = await swaks(h.listener, ['--to', [address, ...more].join(','), '--quit-after', 'RCPT']);
    // MAIL FROM and two recipients accepted, the third not.
    expect(answers(tooManyRecipients).filter((line) => line.startsWith('250 Accepted'))).toHaveLength(3);
    expect(answers(tooManyRecipients).join('\n')).toContain('452 4.5.3 Too many recipients: at most 2 a message; send the others in another message.');

    await setReturnsProcessing(h.t.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL', email: { allowedSenders: ['nightly@acme.example'] } });
    const notAllowed = await swaks(h.listener, ['--to', address, '--attach', `@${csv}`]);
    expect(notAllowed.code).toBe(24);
    expect(answers(notAllowed).join('\n')).toContain(`550 5.7.1 <${SENDER}> may not send files to <${address}>: it takes files only from the senders listed`);

    await setReturnsProcessing(h.t.ctx, world.brand.actor, eventTypeId, { method: 'API' });
    const notEmail = await swaks(h.listener, ['--to', address, '--from', 'nightly@acme.example', '--attach', `@${csv}`]);
    expect(notEmail.code).toBe(24);
    expect(answers(notEmail).join('\n')).toContain("550 5.7.1");
    expect(answers(notEmail).join('\n')).toContain("this event type's Returns Processing is not E-mail now");

    expect(await h.count('returns_batches')).toBe(0);
    expect(await h.count('work_items')).toBe(0);
    // What the brand sees: the refusals that reached its address, newest first, each with the answer given.
    await setReturnsProcessing(h.t.ctx, world.brand.actor, eventTypeId, { method: 'EMAIL' });
    const panel = expectOk(await (await accountClient(h.t, world.brand)).get(`/api/v1/event-types/${eventTypeId}/returns-email`));
    const replies = panel.Messages.map((m: { Status: string; Reply: string }) => `${m.Status} ${m.Reply.slice(0, 13)}`);
    expect(replies).toEqual(['REFUSED 550 5.7.1 <op', 'REFUSED 552 5.3.4 The', 'REFUSED 550 5.6.0 No ', 'REFUSED 550 5.6.0 No ', 'REFUSED 552 5.3.4 The']);
    expect(panel.Messages[2].Attachments).toEqual([expect.objectContaining({ FileName: 'result_returns.csv', Outcome: 'IGNORED' })]);
  }, 60_000);

  it('STARTTLS with the configured certificate (swaks --tls)', async () => {
    const key = path.join(h.dir, 'key.pem');
    const cert = path.join(h.dir, 'cert.pem');
    await new Promise<void>((resolve, reject) =>
      execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${DOMAIN}`], (error) => (error ? reject(error) : resolve())),
    );
    await h.start({ tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
    const world = await makeActionWorld(h.t.ctx, db().clock);
    const [id] = await makeSales(h.t.ctx, world.brand, world.partner, world.program, 1);
    const { address } = await h.emailEventType(world);
    const run = await swaks(h.listener, ['--tls', '--to', address, '--attach', `@${h.file('returns.csv', `ActionId,Amount,Reason\n${id},5.00,ORDER_UPDATE\n`)}`]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('STARTTLS');
    expect(run.output).toMatch(/TLS started with cipher/);
    expect(answers(run).join('\n')).toMatch(/250 2\.0\.0 Received: returns\.csv as batch \d+/);
    expect(await h.count('returns_batches')).toBe(1);
  }, 60_000);
});
