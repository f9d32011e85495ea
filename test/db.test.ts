import { describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { describeDb } from './support/db.js';

describeDb('database', (ctx) => {
  it('applies migrations once and reads int8 as bigint', async () => {
    const { db } = ctx();
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ big: bigint }>('select 9007199254740993::int8 as big');
    expect(rows[0]?.big).toBe(9007199254740993n);
  });

  it('rolls back a failed transaction and keeps nothing of it', async () => {
    const { db } = ctx();
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into accounts (kind, name, time_zone, currency, sid) values ('BRAND', 'x', 'UTC', 'USD', 'S1')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query('select * from accounts');
    expect(rows).toHaveLength(0);
  });
});

