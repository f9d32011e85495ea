/**
 * The Salesforce Outbound Message listener under a crash (issue 14): its process is killed
 * with -9 right after it sent the Ack and before any worker applied the batch. What it
 * acknowledged was committed: a restarted instance applies it, once; Salesforce's
 * redelivery of the same message applies nothing more.
 */
import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { getSalesforceStatus } from '../../src/channels/salesforce/status.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { describePostgres } from '../support/db.js';
import { ACK, curlPost, fixtureFile, OPPORTUNITY_MAPPING, setSalesforce, tempDir } from '../support/salesforce.js';
import { killWorkerProcessesAfterEach, startWorkerProcess } from '../support/worker-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
killWorkerProcessesAfterEach();

const dir = tempDir('lockstep-sf-restart-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function startInstance(schema: string, withWorker: boolean) {
  process.env.LOCKSTEP_TEST_SF_WORKER = withWorker ? '1' : '0';
  try {
    const started = await startWorkerProcess('test/channels/salesforce-listener-entry.ts', schema);
    return { child: started.child, port: Number(started.workerId) };
  } finally {
    delete process.env.LOCKSTEP_TEST_SF_WORKER;
  }
}

describePostgres('Salesforce Outbound Messages: kill -9 after the Ack', (context) => {
  it('the listener is killed right after it acknowledged the message: the batch is applied after the restart, once', async () => {
    const { db } = context();
    const ctx = { db, clock: systemClock };
    const world = await makeActionWorld(ctx, { advanceMs: () => undefined });
    const [id] = await makeSales(ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const eventTypeId = world.program.saleEventTypeId;
    await setSalesforce(ctx, world.brand, eventTypeId, OPPORTUNITY_MAPPING);
    const path = (await getSalesforceStatus(ctx, world.brand.actor, eventTypeId)).outboundPath!;
    const schema = (await db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
    const file = fixtureFile(dir, 'opportunity-closed-lost.xml', { ACTION_1: id! });

    // An instance with the listener and no worker: nothing can apply the batch before the kill.
    const first = await startInstance(schema, false);
    const answer = await curlPost(`http://127.0.0.1:${first.port}${path}`, file);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(ACK);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve)));
    const { rows: stored } = await db.query<{ status: string; state: string; channel: string }>(
      'select b.status, w.state, b.channel from returns_batches b join work_items w on w.id = b.work_item_id',
    );
    expect(stored).toEqual([{ status: 'RECEIVED', state: 'QUEUED', channel: 'SALESFORCE' }]);

    // The restarted instance applies it; Salesforce's redelivery to it is acknowledged and applies nothing.
    const second = await startInstance(schema, true);
    for (const deadline = Date.now() + 60_000; ; ) {
      const { rows } = await db.query<{ status: string }>('select status from returns_batches');
      if (rows[0]!.status === 'DONE') break;
      if (Date.now() > deadline) throw new Error(`The batch was not applied after the restart: ${JSON.stringify(rows)}`);
      await sleep(100);
    }
    const again = await curlPost(`http://127.0.0.1:${second.port}${path}`, file);
    expect(again.status).toBe(200);
    expect(again.body).toContain(ACK);
    await sleep(500);
    const { rows: action } = await db.query<{ state: string; mods: number }>('select state, modification_count as mods from actions where id = $1', [String(id)]);
    expect(action[0]).toEqual({ state: 'REVERSED', mods: 2 });
    expect((await db.query('select id from returns_batches')).rows).toHaveLength(1);
    const { rows: notes } = await db.query<{ outcome: string }>('select outcome from salesforce_notifications');
    expect(notes).toEqual([{ outcome: 'QUEUED' }]);
  }, 120_000);
});
