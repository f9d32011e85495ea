/**
 * Returns by e-mail under a crash (issue 14): the listener's process is killed with -9
 * right after it answered 250 and before any worker applied the file. What it
 * acknowledged was committed: a restarted instance applies it, once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { getBrandEventTypeOrThrow } from '../../src/modules/programs/brand-event-types.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { describePostgres } from '../support/db.js';
import { DOMAIN, swaks } from '../support/returns-email.js';
import { killWorkerProcessesAfterEach, startWorkerProcess } from '../support/worker-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
killWorkerProcessesAfterEach();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-smtp-restart-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function startInstance(schema: string, withWorker: boolean) {
  process.env.MAIL_DOMAIN = DOMAIN;
  process.env.LOCKSTEP_TEST_SMTP_WORKER = withWorker ? '1' : '0';
  try {
    const started = await startWorkerProcess('test/channels/smtp-listener-entry.ts', schema);
    return { child: started.child, port: Number(started.workerId) };
  } finally {
    delete process.env.MAIL_DOMAIN;
    delete process.env.LOCKSTEP_TEST_SMTP_WORKER;
  }
}

describePostgres('returns by e-mail: kill -9 after the 250', (context) => {
  it('the listener is killed right after it acknowledged the message: the batch is applied after the restart, once', async () => {
    const { db } = context();
    const ctx = { db, clock: systemClock };
    const world = await makeActionWorld(ctx, { advanceMs: () => undefined });
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const eventTypeId = world.program.saleEventTypeId;
    await setReturnsProcessing(ctx, world.brand.actor, eventTypeId, { method: 'EMAIL' });
    const token = (await getBrandEventTypeOrThrow(db, world.brand.id, eventTypeId)).returnsEmailToken!;
    const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const csv = path.join(dir, 'returns.csv');
    fs.writeFileSync(csv, `ActionId,Amount,Reason\n${id},40.00,ITEM_RETURNED\n`);

    // An instance with the listener and no worker: nothing can apply the file before the kill.
    const first = await startInstance(schema, false);
    const sent = await swaks(first, ['--to', `returns-${token}@${DOMAIN}`, '--attach', `@${csv}`]);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toMatch(/250 2\.0\.0 Received: returns\.csv as batch \d+/);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve)));
    const { rows: stored } = await db.query<{ status: string; state: string }>(
      'select b.status, w.state from returns_batches b join work_items w on w.id = b.work_item_id',
    );
    expect(stored).toEqual([{ status: 'RECEIVED', state: 'QUEUED' }]);

    // The restarted instance applies it.
    await startInstance(schema, true);
    for (const deadline = Date.now() + 60_000; ; ) {
      const { rows } = await db.query<{ status: string }>('select status from returns_batches');
      if (rows[0]!.status === 'DONE') break;
      if (Date.now() > deadline) throw new Error(`The batch was not applied after the restart: ${JSON.stringify(rows)}`);
      await sleep(100);
    }
    const { rows: action } = await db.query<{ amount: string; mods: number }>('select amount_minor::text as amount, modification_count as mods from actions where id = $1', [String(id)]);
    expect(action[0]).toEqual({ amount: '4000', mods: 2 });
    const { rows: messages } = await db.query<{ status: string }>('select status from returns_email_messages');
    expect(messages).toEqual([{ status: 'ACCEPTED' }]);
  }, 120_000);
});
