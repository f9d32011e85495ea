import { describe, expect, it } from 'vitest';
import { CopyRows, type CopyColumn } from '../src/db/copy-binary.js';
import { migrate } from '../src/db/migrate.js';
import { describeDb } from './support/db.js';

const PROBE_COLUMNS: CopyColumn[] = [
  { name: 'id', type: 'int4' },
  { name: 't', type: 'text' },
  { name: 'n', type: 'int8' },
  { name: 'at', type: 'timestamptz' },
];

describeDb('database', (ctx) => {
  it('applies migrations once and reads int8 as bigint', async () => {
    const { db } = ctx();
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ big: bigint }>('select 9007199254740993::int8 as big');
    expect(rows[0]?.big).toBe(9007199254740993n);
  });

  it('applies each migration in its own transaction: a failing one rolls back alone, named, and the ones before it stay', async () => {
    const { db } = ctx();
    const list = [
      { id: '9001-probe-a', sql: 'create table probe_a (id int)' },
      { id: '9002-probe-b', sql: 'create table probe_b (id int); select 1 / 0' },
      { id: '9003-probe-c', sql: 'create table probe_c (id int)' },
    ];
    await expect(migrate(db, undefined, list)).rejects.toThrow(/Migration 9002-probe-b failed and was rolled back/);
    const tables = async () =>
      (await db.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = current_schema() and table_name like 'probe_%' order by 1")).rows.map((r) => r.name);
    expect(await tables()).toEqual(['probe_a']);
    const applied = (await db.query<{ id: string }>("select id from schema_migrations where id like '900%'")).rows.map((r) => r.id);
    expect(applied).toEqual(['9001-probe-a']);
    // Fixed, the rest applies, and what was applied is not applied again.
    expect(await migrate(db, undefined, [list[0]!, { ...list[1]!, sql: 'create table probe_b (id int)' }, list[2]!])).toEqual(['9002-probe-b', '9003-probe-c']);
    expect(await tables()).toEqual(['probe_a', 'probe_b', 'probe_c']);
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

  it('copyRows appends rows in binary COPY, any value surviving the round trip', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text, n bigint, at timestamptz)');
    const texts = ['plain', 'tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', '\\.', 'ünïcödé ✓ 🎉', '', ' spaced ', 'end\\', 'x'.repeat(40_000)];
    const times = [new Date('2026-03-29T01:30:00.123Z'), new Date('1999-12-31T23:59:59.999Z'), new Date('2000-01-01T00:00:00.000Z'), new Date('1969-07-20T20:17:40.001Z')];
    const ints = [2 ** 31 - 1, -(2 ** 31), -5];
    const bigs = [9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n];
    const rows = new CopyRows(PROBE_COLUMNS, 64); // starts small: the buffer must grow
    texts.forEach((t, i) => {
      rows.add([i, t, bigs[i % bigs.length]!, times[i % times.length]!]);
    });
    rows.add([texts.length, null, null, null]);
    ints.forEach((id, i) => {
      rows.add([id, `int ${i}`, null, null]);
    });
    expect(rows.rows).toBe(texts.length + 1 + ints.length);
    expect(await db.copyRows('copy_probe', rows)).toBe(texts.length + 1 + ints.length);
    const { rows: back } = await db.query<{ id: number; t: string | null; n: bigint | null; at: Date | null }>(
      'select id, t, n, at from copy_probe where id between 0 and $1 order by id',
      [texts.length],
    );
    expect(back.map((r) => r.t)).toEqual([...texts, null]);
    expect(back.slice(0, -1).map((r) => r.n)).toEqual(texts.map((_, i) => bigs[i % bigs.length]));
    expect(back.slice(0, -1).map((r) => r.at?.toISOString())).toEqual(texts.map((_, i) => times[i % times.length]!.toISOString()));
    expect(back.at(-1)).toMatchObject({ n: null, at: null });
    const { rows: extremes } = await db.query<{ id: number }>('select id from copy_probe where t like $1 order by id', ['int %']);
    expect(extremes.map((r) => r.id)).toEqual([...ints].sort((a, b) => a - b));
    expect(await db.copyRows('copy_probe', new CopyRows(PROBE_COLUMNS))).toBe(0);
  });

  it('copyRows is all or nothing: one refused row writes none of the batch', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text, n bigint, at timestamptz)');
    const rows = (...ids: number[]) => {
      const copy = new CopyRows(PROBE_COLUMNS);
      for (const id of ids) copy.add([id, `row ${id}`, null, null]);
      return copy;
    };
    await db.copyRows('copy_probe', rows(1));
    await expect(db.copyRows('copy_probe', rows(2, 1))).rejects.toThrow(/duplicate key/);
    await db.exec('alter table copy_probe add constraint small check (id < 100)');
    await expect(db.copyRows('copy_probe', rows(3, 100))).rejects.toThrow(/small/);
    const { rows: stored } = await db.query<{ id: number }>('select id from copy_probe order by id');
    expect(stored.map((r) => r.id)).toEqual([1]);
    // The database is still usable after the failures.
    expect(await db.copyRows('copy_probe', rows(4))).toBe(1);
    await expect(db.copyRows('copy_probe; drop table accounts', rows(5))).rejects.toThrow(/Unsafe identifier/);
    // A column the table does not have, or of another type, is refused by the database.
    const wrongType = new CopyRows([{ name: 'id', type: 'text' }]);
    wrongType.add(['6']);
    await expect(db.copyRows('copy_probe', wrongType)).rejects.toThrow();
    expect((await db.query<{ n: number }>('select count(*)::int as n from copy_probe')).rows[0]!.n).toBe(2);
  });

  it('copyRows during a transaction is not part of it: its rows stay when the transaction rolls back', async () => {
    const { db } = ctx();
    await db.exec('create table copy_probe (id int primary key, t text)');
    let copying: Promise<number> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into copy_probe values (1, 'in the transaction')`);
        const rows = new CopyRows(PROBE_COLUMNS.slice(0, 2));
        rows.add([2, 'copied']);
        copying = db.copyRows('copy_probe', rows);
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

describe('binary COPY rows', () => {
  it('writes the signature, each field with its length, -1 for NULL, and the trailer', () => {
    const rows = new CopyRows([
      { name: 'id', type: 'int4' },
      { name: 't', type: 'text' },
      { name: 'at', type: 'timestamptz' },
    ]);
    rows.add([258, 'é', new Date('2000-01-01T00:00:00.001Z')]);
    rows.add([-1, null, null]);
    const bytes = rows.finish();
    const expected = Buffer.concat([
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 3, 0, 0, 0, 4, 0, 0, 1, 2, 0, 0, 0, 2, 0xc3, 0xa9, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]),
      Buffer.from([0, 3, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xff, 0xff]),
    ]);
    expect(bytes.equals(expected)).toBe(true);
    expect(() => rows.add([1, 'late', null])).toThrow(/finished/);
  });

  it('refuses values a column cannot take, naming the column', () => {
    const rows = new CopyRows(PROBE_COLUMNS);
    expect(() => rows.add([1, 'a\0b', null, null])).toThrow(/t value holds a NUL/);
    expect(() => rows.add([1.5, null, null, null])).toThrow(/id column takes int4/);
    expect(() => rows.add([2 ** 31, null, null, null])).toThrow(/id column takes int4/);
    expect(() => rows.add([1, null, 2n ** 63n, null])).toThrow(/n column takes int8/);
    expect(() => rows.add([1, null, null, new Date(Number.NaN)])).toThrow(/an invalid date/);
    expect(() => rows.add([1, null, null])).toThrow(/needs 4 values/);
    expect(() => rows.add([1, undefined as unknown as null, null, null])).toThrow(/no value for t; write null/);
    expect(() => rows.add(['1', null, null, null])).toThrow(/id column takes int4 values; "1" is not one/);
    // Nothing of a refused row is kept: the stream holds the good row alone.
    rows.add([7, 'ok', null, null]);
    expect(rows.rows).toBe(1);
    const alone = new CopyRows(PROBE_COLUMNS);
    alone.add([7, 'ok', null, null]);
    expect(rows.finish().equals(alone.finish())).toBe(true);
  });
});
