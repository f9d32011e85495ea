import { describe, expect, it } from 'vitest';
import { copyField } from '../src/db/copy-text.js';
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

  it('runs a named (prepared) statement again and again, in and out of transactions', async () => {
    const { db } = ctx();
    const text = 'select $1::int + 1 as n';
    for (const value of [1, 2, 3]) {
      const { rows } = await db.query<{ n: number }>(text, [value], { name: 'test-plus-one' });
      expect(rows[0]!.n).toBe(value + 1);
    }
    const inside = await db.transaction(async (tx) => (await tx.query<{ n: number }>(text, [41], { name: 'test-plus-one' })).rows[0]!.n);
    expect(inside).toBe(42);
    await expect(db.query(text, ['not a number'], { name: 'test-plus-one' })).rejects.toThrow(/integer/);
    expect((await db.query<{ n: number }>(text, [9], { name: 'test-plus-one' })).rows[0]!.n).toBe(10);
  });

  it('copyRows appends rows given as COPY text, any text surviving the round trip', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text, n bigint, at timestamptz)');
    const texts = ['plain', 'tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'ünïcödé ✓ 🎉', '', ' spaced ', 'end\\'];
    const at = new Date('2026-03-29T01:30:00.123Z');
    let rows = '';
    texts.forEach((t, i) => (rows += `${[i, t, 9007199254740993n, at].map(copyField).join('\t')}\n`));
    rows += `${[texts.length, null, null, null].map(copyField).join('\t')}\n`;
    expect(await db.copyRows('copy_probe', ['id', 't', 'n', 'at'], rows)).toBe(texts.length + 1);
    const { rows: back } = await db.query<{ id: number; t: string | null; n: bigint | null; at: Date | null }>('select id, t, n, at from copy_probe order by id');
    expect(back.map((r) => r.t)).toEqual([...texts, null]);
    expect(back[0]!.n).toBe(9007199254740993n);
    expect(back[0]!.at?.toISOString()).toBe(at.toISOString());
    expect(back.at(-1)).toMatchObject({ n: null, at: null });
    expect(await db.copyRows('copy_probe', ['id'], '')).toBe(0);
  });

  it('copyRows is all or nothing: one refused row writes none of the batch', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text)');
    await db.copyRows('copy_probe', ['id', 't'], '1\tfirst\n');
    await expect(db.copyRows('copy_probe', ['id', 't'], '2\tsecond\n1\tduplicate\n')).rejects.toThrow(/duplicate key/);
    await expect(db.copyRows('copy_probe', ['id', 't'], '3\tthird\nnot-a-number\tx\n')).rejects.toThrow(/integer/);
    const { rows } = await db.query<{ id: number }>('select id from copy_probe order by id');
    expect(rows.map((r) => r.id)).toEqual([1]);
    // The database is still usable after the failures.
    expect(await db.copyRows('copy_probe', ['id', 't'], '4\tfourth\n')).toBe(1);
    await expect(db.copyRows('copy_probe; drop table accounts', ['id'], '5\n')).rejects.toThrow(/Unsafe identifier/);
  });

  it('copyRows during a transaction is not part of it: its rows stay when the transaction rolls back', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text)');
    let copying: Promise<number> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into copy_probe values (1, 'in the transaction')`);
        copying = db.copyRows('copy_probe', ['id', 't'], '2\tcopied\n');
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.query(`insert into copy_probe values (3, 'also in the transaction')`);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await copying).toBe(1);
    const { rows } = await db.query<{ id: number }>('select id from copy_probe order by id');
    expect(rows.map((r) => r.id)).toEqual([2]);
  });
});

describe('COPY text fields', () => {
  it('escapes backslash, tab, newline and carriage return, writes null as \\N, and refuses NUL', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField(12n)).toBe('12');
    expect(copyField(new Date('2026-01-02T03:04:05.006Z'))).toBe('2026-01-02T03:04:05.006Z');
    expect(() => copyField('a\0b')).toThrow(/NUL/);
    expect(() => copyField(Number.NaN)).toThrow(TypeError);
  });
});
