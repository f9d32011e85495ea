/**
 * `lockstep returns import` (issue 13 item 7): the file is stored as a batch of channel CLI
 * and applied by the same engine in this process; the counts are printed, and the command
 * fails (exit 1) when any row was not applied. The command's action is a thin edge over
 * importReturnsFile and batchSucceeded, tested here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { batchSucceeded, countsReport, importReturnsFile } from '../../src/cli/returns-import.js';
import { makeActionWorld, makeSales } from '../support/action-helpers.js';
import { actionRow } from '../support/actions.js';
import { describeDb } from '../support/db.js';

describeDb('lockstep returns import', (context) => {
  it('applies the file as the brand’s admin, reports the counts, and fails when a row is not applied; the same file again applies nothing', async () => {
    const { db, clock } = context();
    const ctx = { db, clock };
    const world = await makeActionWorld(ctx, clock);
    const [a, b] = await makeSales(ctx, world.brand, world.partner, world.program, 2, { amount: () => '100.00' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-import-'));
    try {
      const good = path.join(dir, 'good.csv');
      fs.writeFileSync(good, `ActionId,Amount,Reason\n${a},90.00,ITEM_RETURNED\n${b},100.00,ORDER_UPDATE\n`);
      const done = await importReturnsFile(ctx, good, { eventType: world.program.saleEventTypeId });
      expect(done).toMatchObject({ channel: 'CLI', status: 'DONE', rowsTotal: 2, counts: { APPLIED: 1, UNCHANGED: 1 } });
      expect(batchSucceeded(done)).toBe(true);
      expect(countsReport(done)).toMatch(/DONE, 2 of 2 rows\n {2}APPLIED +1\n {2}UNCHANGED +1$/);
      const { rows } = await db.query<{ actor_user_id: number }>('select actor_user_id from action_modifications where action_id = $1 and seq = 2', [String(a)]);
      expect(rows[0]!.actor_user_id).toBe(world.brand.adminUserId);

      const bad = path.join(dir, 'bad.csv');
      fs.writeFileSync(bad, `ActionId,Amount,Reason\n${a},80.00,ITEM_RETURNED\n${b},1.001,ORDER_UPDATE\n`);
      const failed = await importReturnsFile(ctx, bad, { eventType: world.program.saleEventTypeId, user: world.brand.adminEmail });
      expect(failed.counts).toMatchObject({ APPLIED: 1, INVALID: 1 });
      expect(batchSucceeded(failed)).toBe(false);
      expect(await actionRow(ctx, a!)).toMatchObject({ amount_minor: 8000n });

      const again = await importReturnsFile(ctx, good, { eventType: world.program.saleEventTypeId });
      expect(again.id).toBe(done.id);
      expect(await actionRow(ctx, a!)).toMatchObject({ amount_minor: 8000n, modification_count: 3 });
      await expect(importReturnsFile(ctx, good, { eventType: world.program.saleEventTypeId, user: 'nobody@example.test' })).rejects.toThrow(/is not a user of the brand/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
