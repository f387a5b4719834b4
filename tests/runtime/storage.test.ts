// The LMDB store against a real environment in a temp dir: DDL, rows, indexes, statistics, bulk load.

import { afterEach, describe, expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { T } from '../../compiler/ir/types.ts';
import { Store, type StorageTxn, type StoredRow } from '../../runtime/storage/index.ts';

const dirs: string[] = [];
const stores: Store[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-storage-'));
  dirs.push(d);
  return d;
}
function openStore(dir = tempDir()): Store {
  const s = Store.open(dir);
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const table = (s: Store, name: string): TableInfo => {
  const r = s.catalog.getRelation(undefined, name);
  if (!r || r.kind !== 'table') throw new Error(`no table ${name}`);
  return r;
};
const rows = (txn: StorageTxn, t: TableInfo): unknown[][] => [...txn.scan(t, 1000)].flat().map((r) => [...r.values]);
const values = (it: Iterable<StoredRow>): unknown[][] => [...it].map((r) => [...r.values]);

async function usersTable(s: Store): Promise<TableInfo> {
  await s.createTable({
    name: 'users',
    columns: [
      { name: 'id', type: T.int32, nullable: false },
      { name: 'email', type: T.text, nullable: true },
      { name: 'age', type: T.int32, nullable: true },
      { name: 'score', type: T.decimal, nullable: true },
    ],
    primaryKey: ['id'],
    uniques: [{ name: 'users_email_key', columns: ['email'] }],
  });
  await s.createIndex({ name: 'users_age_idx', table: 'users', columns: ['age'], unique: false });
  return table(s, 'users');
}

async function insertAll(s: Store, t: TableInfo, data: readonly (readonly unknown[])[]): Promise<void> {
  const txn = s.begin();
  for (const r of data) txn.insert(t, r);
  await txn.commit();
}

describe('catalog', () => {
  test('DDL is persisted across close and reopen, with stable ids and a bumped version', async () => {
    const dir = tempDir();
    const s = Store.open(dir);
    const v0 = s.catalog.version;
    const t = await usersTable(s);
    await s.createView({ name: 'adults', sql: 'SELECT * FROM users WHERE age >= 18', columnNames: [] });
    await s.createTable({ name: 'events', columns: [{ name: 'id', type: T.int64, nullable: false, serial: true }, { name: 'body', type: T.jsonb, nullable: true }], primaryKey: ['id'] });
    expect(s.catalog.version).toBeGreaterThan(v0);
    const version = s.catalog.version;
    await s.close();

    const r = openStore(dir);
    expect(r.catalog.version).toBe(version);
    const u = table(r, 'users');
    expect(u.id).toBe(t.id);
    expect(u.columns.map((c) => [c.name, c.type.kind, c.nullable, c.ordinal])).toEqual([
      ['id', 'int32', false, 0],
      ['email', 'utf8', true, 1],
      ['age', 'int32', true, 2],
      ['score', 'decimal', true, 3],
    ]);
    expect(u.indexes.map((i) => [i.name, i.columns, i.unique, i.primary])).toEqual([
      ['users_pkey', ['id'], true, true],
      ['users_email_key', ['email'], true, false],
      ['users_age_idx', ['age'], false, false],
    ]);
    expect(r.catalog.getRelation('public', 'adults')).toMatchObject({ kind: 'view', sql: 'SELECT * FROM users WHERE age >= 18' });
    const ev = table(r, 'events');
    expect(ev.columns[0]).toMatchObject({ sequence: 'events_id_seq', defaultSql: "nextval('events_id_seq'::regclass)" });
    expect(r.catalog.listRelations().map((x) => x.name).sort()).toEqual(['adults', 'events', 'users']);
  });

  test('duplicate and missing relations raise 42P07 and 42P01', async () => {
    const s = openStore();
    await usersTable(s);
    expect(s.createTable({ name: 'users', columns: [{ name: 'x', type: T.int32, nullable: true }] })).rejects.toMatchObject({ sqlstate: '42P07' });
    expect(s.dropTable(undefined, 'nope')).rejects.toMatchObject({ sqlstate: '42P01', message: 'relation "nope" does not exist' });
  });

  test('drop table removes its rows and its relation; drop view and drop index', async () => {
    const s = openStore();
    const t = await usersTable(s);
    await insertAll(s, t, [[1, 'a@x', 30, '1.5']]);
    await s.createView({ name: 'v', sql: 'SELECT 1', columnNames: [] });
    await s.dropIndex(undefined, 'users_age_idx');
    expect(table(s, 'users').indexes.map((i) => i.name)).toEqual(['users_pkey', 'users_email_key']);
    await s.dropView(undefined, 'v');
    await s.dropTable(undefined, 'users');
    expect(s.catalog.getRelation(undefined, 'users')).toBeUndefined();
    expect(s.catalog.getRelation(undefined, 'v')).toBeUndefined();
    const t2 = await usersTable(s);
    expect(rows(s.begin(), t2)).toEqual([]);
  });

  test('sequences: nextval counts up and never repeats across a reopen', async () => {
    const dir = tempDir();
    const s = Store.open(dir);
    await s.createTable({ name: 'ev', columns: [{ name: 'id', type: T.int64, nullable: false, serial: true }], primaryKey: ['id'] });
    expect([s.nextval('ev_id_seq'), s.nextval('public.ev_id_seq'), s.begin().nextval('ev_id_seq')]).toEqual([1n, 2n, 3n]);
    await s.close();
    const r = openStore(dir);
    expect(r.nextval('ev_id_seq')).toBeGreaterThan(3n);
    expect(() => r.nextval('missing_seq')).toThrow('relation "missing_seq" does not exist');
  });
});

describe('rows and indexes', () => {
  test('insert, point get, update, delete; full scan in primary-key order; rows survive reopen', async () => {
    const dir = tempDir();
    const s = Store.open(dir);
    const t = await usersTable(s);
    await insertAll(s, t, [
      [3, 'c@x', 40, '3.25'],
      [-7, 'a@x', 20, null],
      [10, null, null, '-1'],
      [1, 'b@x', 20, '10.0'],
    ]);
    const txn = s.begin();
    expect(rows(txn, t).map((r) => r[0])).toEqual([-7, 1, 3, 10]);
    const row = txn.get(t, [3])!;
    expect(row.values).toEqual([3, 'c@x', 40, '3.25']);
    expect(txn.get(t, [4])).toBeUndefined();
    txn.update(t, row.key, [3, 'c@y', 41, '3.5']);
    txn.delete(t, txn.get(t, [10])!.key);
    await txn.commit();
    await s.close();

    const r = openStore(dir);
    const t2 = table(r, 'users');
    const q = r.begin();
    expect(rows(q, t2)).toEqual([
      [-7, 'a@x', 20, null],
      [1, 'b@x', 20, '10.0'],
      [3, 'c@y', 41, '3.5'],
    ]);
    expect(values(q.indexScan(t2, 'users_email_key', ['c@y']))).toEqual([[3, 'c@y', 41, '3.5']]);
    expect(values(q.indexScan(t2, 'users_email_key', ['c@x']))).toEqual([]);
  });

  test('unique violations raise 23505 with PostgreSQL message and detail; NOT NULL raises 23502', async () => {
    const s = openStore();
    const t = await usersTable(s);
    await insertAll(s, t, [[1, 'a@x', 1, null]]);
    const txn = s.begin();
    expect(() => txn.insert(t, [1, 'z@x', 1, null])).toThrow(expect.objectContaining({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "users_pkey"', detail: 'Key (id)=(1) already exists.' }));
    expect(() => txn.insert(t, [2, 'a@x', 1, null])).toThrow(expect.objectContaining({ sqlstate: '23505', message: 'duplicate key value violates unique constraint "users_email_key"', detail: 'Key (email)=(a@x) already exists.' }));
    // NULLs are distinct in a unique index.
    txn.insert(t, [2, null, 1, null]);
    txn.insert(t, [3, null, 1, null]);
    expect(() => txn.insert(t, [null, 'n@x', 1, null])).toThrow(expect.objectContaining({ sqlstate: '23502', message: 'null value in column "id" of relation "users" violates not-null constraint' }));
    // An update moving a row onto an existing unique value fails too.
    expect(() => txn.update(t, txn.get(t, [2])!.key, [2, 'a@x', 1, null])).toThrow(expect.objectContaining({ sqlstate: '23505' }));
    await txn.commit();
    expect(rows(s.begin(), t).map((r) => r[0])).toEqual([1, 2, 3]);
  });

  test('index range scans: equality prefix, bounds, exclusive ends, NULLs excluded from ranges', async () => {
    const s = openStore();
    await s.createTable({
      name: 'm',
      columns: [
        { name: 'id', type: T.int32, nullable: false },
        { name: 'g', type: T.text, nullable: true },
        { name: 'v', type: T.float64, nullable: true },
      ],
      primaryKey: ['id'],
    });
    await s.createIndex({ name: 'm_g_v', table: 'm', columns: ['g', 'v'], unique: false });
    const t = table(s, 'm');
    await insertAll(s, t, [
      [1, 'a', 1.5],
      [2, 'a', -3],
      [3, 'a', null],
      [4, 'b', 0],
      [5, 'a', 7],
      [6, 'a', 1.5],
      [7, null, 2],
    ]);
    const q = s.begin();
    const ids = (it: Iterable<StoredRow>): unknown[] => [...it].map((r) => r.values[0]);
    expect(ids(q.indexScan(t, 'm_g_v', ['a']))).toEqual([3, 2, 1, 6, 5]);
    expect(ids(q.indexScan(t, 'm_g_v', ['a'], { values: ['a', 1.5], inclusive: true }))).toEqual([1, 6, 5]);
    expect(ids(q.indexScan(t, 'm_g_v', ['a'], { values: ['a', 1.5], inclusive: false }))).toEqual([5]);
    expect(ids(q.indexScan(t, 'm_g_v', ['a'], undefined, { values: ['a', 1.5], inclusive: false }))).toEqual([2]);
    expect(ids(q.indexScan(t, 'm_g_v', ['a'], { values: ['a', -3], inclusive: true }, { values: ['a', 1.5], inclusive: true }))).toEqual([2, 1, 6]);
    expect(ids(q.indexScan(t, 'm_g_v', [], { values: ['a'], inclusive: false }))).toEqual([4]);
    expect(ids(q.indexScan(t, 'm_pkey', [], { values: [2], inclusive: true }, { values: [4.5], inclusive: false }))).toEqual([2, 3, 4]);
    expect(ids(q.indexScan(t, 'm_pkey', [6]))).toEqual([6]);
    // Own uncommitted writes are merged into index scans in key order.
    q.insert(t, [8, 'a', 0]);
    q.delete(t, q.get(t, [1])!.key);
    expect(ids(q.indexScan(t, 'm_g_v', ['a'], { values: ['a', -10], inclusive: true }))).toEqual([2, 8, 6, 5]);
    q.rollback();
  });

  test('a key beyond LMDB\'s size limit is refused with 54000 and leaves no trace', async () => {
    const s = openStore();
    await s.createTable({ name: 'docs', columns: [{ name: 'path', type: T.text, nullable: false }], primaryKey: ['path'] });
    const t = table(s, 'docs');
    const txn = s.begin();
    expect(() => txn.insert(t, ['x'.repeat(3000)])).toThrow(expect.objectContaining({ sqlstate: '54000' }));
    txn.insert(t, ['y'.repeat(1000)]);
    await txn.commit();
    expect(rows(s.begin(), t).length).toBe(1);
  });

  test('tables without a primary key use hidden, increasing row ids that survive reopen', async () => {
    const dir = tempDir();
    const s = Store.open(dir);
    await s.createTable({ name: 'log', columns: [{ name: 'msg', type: T.text, nullable: true }] });
    await insertAll(s, table(s, 'log'), [['b'], ['a'], ['b']]);
    await s.close();
    const r = openStore(dir);
    const t = table(r, 'log');
    await insertAll(r, t, [['c']]);
    expect(rows(r.begin(), t)).toEqual([['b'], ['a'], ['b'], ['c']]);
  });

  test('CREATE INDEX builds over existing rows and rejects duplicates with 23505', async () => {
    const s = openStore();
    const t = await usersTable(s);
    await insertAll(s, t, [
      [1, 'a@x', 30, null],
      [2, 'b@x', 30, null],
      [3, 'c@x', 25, null],
    ]);
    await s.createIndex({ name: 'users_id_age', table: 'users', columns: ['age', 'id'], unique: true });
    const t2 = table(s, 'users');
    expect(values(s.begin().indexScan(t2, 'users_id_age', [30])).map((r) => r[0])).toEqual([1, 2]);
    expect(s.createIndex({ name: 'users_age_u', table: 'users', columns: ['age'], unique: true })).rejects.toMatchObject({ sqlstate: '23505', detail: 'Key (age)=(30) already exists.' });
  });

  test('ALTER TABLE: add column with default, drop column, rename column and table', async () => {
    const dir = tempDir();
    const s = Store.open(dir);
    const t = await usersTable(s);
    await insertAll(s, t, [[1, 'a@x', 30, '2']]);
    await s.alterTable({ name: 'users', action: { kind: 'add-column', column: { name: 'active', type: T.bool, nullable: false, defaultSql: 'true' } } });
    await s.alterTable({ name: 'users', action: { kind: 'drop-column', column: 'age' } });
    expect(table(s, 'users').indexes.map((i) => i.name)).toEqual(['users_pkey', 'users_email_key']);
    await insertAll(s, table(s, 'users'), [[2, 'b@x', null, false]]);
    await s.alterTable({ name: 'users', action: { kind: 'rename-column', from: 'email', to: 'mail' } });
    await s.alterTable({ name: 'users', action: { kind: 'rename-table', to: 'people' } });
    expect(s.alterTable({ name: 'people', action: { kind: 'add-column', column: { name: 'x', type: T.int32, nullable: false } } })).rejects.toMatchObject({ sqlstate: '23502' });
    await s.close();
    const r = openStore(dir);
    const p = table(r, 'people');
    expect(p.columns.map((c) => c.name)).toEqual(['id', 'mail', 'score', 'active']);
    expect(p.indexes.find((i) => i.name === 'users_email_key')!.columns).toEqual(['mail']);
    const q = r.begin();
    expect(rows(q, p)).toEqual([
      [1, 'a@x', '2', true],
      [2, 'b@x', null, false],
    ]);
    expect(values(q.indexScan(p, 'users_email_key', ['b@x']))).toEqual([[2, 'b@x', null, false]]);
  });
});

describe('analyze and bulk load', () => {
  test('bulkInsert loads in chunks with progress; analyze computes exact statistics', async () => {
    const s = openStore();
    await s.createTable({
      name: 'facts',
      columns: [
        { name: 'id', type: T.int64, nullable: false },
        { name: 'k', type: T.int32, nullable: true },
        { name: 'name', type: T.text, nullable: true },
      ],
      primaryKey: ['id'],
    });
    await s.createIndex({ name: 'facts_k', table: 'facts', columns: ['k'], unique: false });
    const progress: number[] = [];
    function* gen(): Generator<unknown[]> {
      for (let i = 0; i < 1000; i++) yield [BigInt(i), i % 4 === 0 ? null : i % 10, `n${i % 50}`];
    }
    expect(await s.bulkInsert('facts', gen(), { chunkSize: 300, onProgress: (n) => progress.push(n) })).toBe(1000);
    expect(progress).toEqual([300, 600, 900, 1000]);
    await s.analyze('facts');
    const st = table(s, 'facts').stats!;
    expect(st.rowCount).toBe(1000);
    expect(st.columns.id).toMatchObject({ distinctCount: 1000, nullFraction: 0, min: 0, max: 999 });
    expect(st.columns.k).toMatchObject({ distinctCount: 10, nullFraction: 0.25, min: 0, max: 9 });
    expect(st.columns.name).toMatchObject({ distinctCount: 50, min: 'n0', max: 'n9' });
    expect(st.columns.id!.histogram!.length).toBe(100);
    expect(st.columns.id!.histogram![0]).toBe(9);
    expect(st.columns.id!.histogram![99]).toBe(999);
    expect(st.columns.name!.avgWidth).toBeGreaterThan(2);
    expect(values(s.begin().indexScan(table(s, 'facts'), 'facts_k', [9])).length).toBe(100);
    expect(s.bulkInsert('facts', [[5n, 1, 'dup']])).rejects.toMatchObject({ sqlstate: '23505', detail: 'Key (id)=(5) already exists.' });
  });

  test('analyze samples a large table: exact row count, distinct counts scaled from the sample', async () => {
    const s = openStore();
    await s.createTable({
      name: 'big',
      columns: [
        { name: 'id', type: T.int32, nullable: false },
        { name: 'v', type: T.int32, nullable: false },
        { name: 'flag', type: T.text, nullable: true },
      ],
      primaryKey: ['id'],
    });
    const rows = 250_000;
    await s.bulkInsert('big', (function* () {
      for (let i = 0; i < rows; i++) yield [i, i % 70_000, i % 10 === 0 ? null : i % 3 === 0 ? 'A' : 'B'];
    })(), { chunkSize: 50_000 });
    await s.analyze();
    const st = table(s, 'big').stats!;
    expect(st.rowCount).toBe(rows);
    // A unique column stays unique; a column repeating each value ~3.6 times is estimated with
    // Duj1's usual downward bias, well within a factor the cost model tolerates.
    expect(Math.abs(st.columns.id!.distinctCount - rows) / rows).toBeLessThan(0.01);
    expect(Math.abs(st.columns.v!.distinctCount - 70_000) / 70_000).toBeLessThan(0.2);
    expect(st.columns.flag!.distinctCount).toBe(2);
    expect(Math.abs(st.columns.flag!.nullFraction - 0.1)).toBeLessThan(0.01);
    expect(st.columns.id!.min).toBeLessThan(rows * 0.01);
    expect(st.columns.id!.max).toBeGreaterThan(rows * 0.99);
    expect(st.columns.id!.histogram!.length).toBe(100);
  });

  test('primary-key point get finds every key and nothing else', async () => {
    const s = openStore();
    await s.createTable({ name: 'kv', columns: [{ name: 'k', type: T.int64, nullable: false }, { name: 'v', type: T.text, nullable: true }], primaryKey: ['k'] });
    await s.bulkInsert('kv', (function* () {
      for (let i = 0; i < 50_000; i++) yield [BigInt(i), `value-${i}`];
    })());
    const t = table(s, 'kv');
    const txn = s.begin();
    for (let i = 0; i < 50_000; i += 7) expect(txn.get(t, [BigInt(i)])?.values).toEqual([BigInt(i), `value-${i}`]);
    expect(txn.get(t, [50_000n])).toBeUndefined();
    expect(txn.get(t, [-1n])).toBeUndefined();
  });
});
